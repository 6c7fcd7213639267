import { Knex } from 'knex';
import { Db } from '../types';
import { DetailsStore } from './DetailsStore';

/** {@link DetailsStore} on SQLite or PostgreSQL through knex. */
export class DatabaseDetailsStore implements DetailsStore {
  constructor(private readonly db: Knex) {}

  async putDetails(
    tx: Db,
    requestId: string,
    ciphertext: string,
    now: number,
  ): Promise<void> {
    await tx('access_details')
      .insert({ request_id: requestId, ciphertext, created_at: now })
      .onConflict('request_id')
      .merge();
  }

  async deleteDetails(tx: Db, requestId: string): Promise<void> {
    await tx('access_details').where({ request_id: requestId }).delete();
  }

  async getDetails(requestIds: string[]): Promise<Map<string, string>> {
    if (!requestIds.length) return new Map();
    const rows = await this.db('access_details').whereIn(
      'request_id',
      requestIds,
    );
    return new Map(
      rows.map(r => [r.request_id as string, r.ciphertext as string]),
    );
  }
}
