import { Knex } from 'knex';
import { Db } from '../types';
import {
  IdempotencyEntry,
  IdempotencyRecord,
  IdempotencyStore,
} from './IdempotencyStore';

/** {@link IdempotencyStore} on SQLite or PostgreSQL through knex. */
export class DatabaseIdempotencyStore implements IdempotencyStore {
  constructor(private readonly db: Knex) {}

  async getIdempotency(
    db: Db,
    principal: string,
    key: string,
  ): Promise<IdempotencyRecord | undefined> {
    const row = await db('access_idempotency')
      .where({ principal, idem_key: key })
      .first();
    return row
      ? { bodyHash: row.body_hash as string, groupId: row.group_id as string }
      : undefined;
  }

  async insertIdempotency(tx: Db, entry: IdempotencyEntry): Promise<void> {
    await tx('access_idempotency').insert({
      principal: entry.principal,
      idem_key: entry.key,
      body_hash: entry.bodyHash,
      group_id: entry.groupId,
      created_at: entry.createdAt,
    });
  }

  async deleteIdempotencyBefore(cutoff: number): Promise<number> {
    return this.db('access_idempotency')
      .where('created_at', '<', cutoff)
      .delete();
  }
}
