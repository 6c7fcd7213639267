import { Knex } from 'knex';
import { Db } from './AccessStore';

/** One outbound webhook event waiting for (or done with) delivery. */
export interface OutboxRecord {
  id: string;
  webhookId: string;
  orderKey: string;
  eventType: string;
  payload: string;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  lastError?: string;
  deliveredAt?: number;
}

/** A new event to write, in the transaction of the change it describes. */
export type NewOutboxRecord = Pick<
  OutboxRecord,
  'webhookId' | 'orderKey' | 'eventType' | 'payload' | 'createdAt'
>;

type Row = Record<string, any>;

function toRecord(r: Row): OutboxRecord {
  return {
    id: String(r.id),
    webhookId: r.webhook_id,
    orderKey: r.order_key,
    eventType: r.event_type,
    payload: r.payload,
    createdAt: Number(r.created_at),
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
    lastError: r.last_error ?? undefined,
    deliveredAt:
      r.delivered_at === null || r.delivered_at === undefined
        ? undefined
        : Number(r.delivered_at),
  };
}

const TABLE = 'access_webhook_outbox';

/** Storage of the outbound webhook outbox (`access_webhook_outbox`). */
export class OutboxStore {
  constructor(private readonly db: Knex) {}

  async insert(tx: Db, rows: NewOutboxRecord[]): Promise<void> {
    // A few hundred rows per statement: SQLite limits bound values per statement.
    for (let i = 0; i < rows.length; i += 500) {
      await this.insertChunk(tx, rows.slice(i, i + 500));
    }
  }

  private async insertChunk(tx: Db, rows: NewOutboxRecord[]): Promise<void> {
    await tx(TABLE).insert(
      rows.map(r => ({
        webhook_id: r.webhookId,
        order_key: r.orderKey,
        event_type: r.eventType,
        payload: r.payload,
        created_at: r.createdAt,
        attempts: 0,
        next_attempt_at: r.createdAt,
      })),
    );
  }

  /**
   * Events due now that are first in line: no earlier undelivered event of the same
   * webhook and request, so each request's events arrive in order.
   */
  async findDue(now: number, limit: number): Promise<OutboxRecord[]> {
    const rows = await this.db(`${TABLE} as o`)
      .whereNull('o.delivered_at')
      .where('o.next_attempt_at', '<=', now)
      .whereNotExists(q =>
        q
          .select(this.db.raw('1'))
          .from(`${TABLE} as e`)
          .whereNull('e.delivered_at')
          .whereRaw('e.webhook_id = o.webhook_id')
          .whereRaw('e.order_key = o.order_key')
          .whereRaw('e.id < o.id'),
      )
      .orderBy('o.id')
      .limit(limit)
      .select('o.*');
    return rows.map(toRecord);
  }

  /**
   * Takes an event for one attempt: only one replica wins, and the lease makes it due
   * again should this one die while sending.
   */
  async claim(e: OutboxRecord, leaseUntil: number): Promise<boolean> {
    const n = await this.db(TABLE)
      .where({ id: e.id, next_attempt_at: e.nextAttemptAt })
      .whereNull('delivered_at')
      .update({ next_attempt_at: leaseUntil, attempts: e.attempts + 1 });
    return n === 1;
  }

  async markDelivered(id: string, now: number): Promise<void> {
    await this.db(TABLE)
      .where({ id })
      .update({ delivered_at: now, last_error: null });
  }

  async markFailed(id: string, nextAttemptAt: number, error: string) {
    await this.db(TABLE)
      .where({ id })
      .whereNull('delivered_at')
      .update({ next_attempt_at: nextAttemptAt, last_error: error });
  }

  /** Deletes delivered events older than the cutoff. */
  async deleteDeliveredBefore(cutoff: number): Promise<number> {
    return this.db(TABLE)
      .whereNotNull('delivered_at')
      .where('delivered_at', '<', cutoff)
      .delete();
  }

  /** Events of one webhook, oldest first (for tests and admins). */
  async list(webhookId?: string): Promise<OutboxRecord[]> {
    let q = this.db(TABLE).orderBy('id');
    if (webhookId) q = q.where({ webhook_id: webhookId });
    return (await q).map(toRecord);
  }

  /** How many events are not delivered yet, per webhook. */
  async backlog(): Promise<Record<string, number>> {
    const rows = await this.db(TABLE)
      .whereNull('delivered_at')
      .groupBy('webhook_id')
      .select('webhook_id')
      .count({ n: '*' });
    return Object.fromEntries(
      rows.map((r: Row) => [r.webhook_id, Number(r.n)]),
    );
  }
}
