import { Knex } from 'knex';
import { Db } from '../types';
import { IdempotencyRecord, IdempotencyStore } from './IdempotencyStore';

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

  async insertIdempotency(
    tx: Db,
    principal: string,
    key: string,
    bodyHash: string,
    groupId: string,
    now: number,
  ): Promise<void> {
    await tx('access_idempotency').insert({
      principal,
      idem_key: key,
      body_hash: bodyHash,
      group_id: groupId,
      created_at: now,
    });
  }

  async deleteIdempotencyBefore(cutoff: number): Promise<number> {
    return this.db('access_idempotency')
      .where('created_at', '<', cutoff)
      .delete();
  }
}
