import { AccessAuditEntry } from '@jit-access/plugin-access-common';
import { Knex } from 'knex';
import { Db, NewAuditRecord } from '../types';
import { AuditEntryStore } from './AuditEntryStore';

/** {@link AuditEntryStore} on SQLite or PostgreSQL through knex. */
export class DatabaseAuditEntryStore implements AuditEntryStore {
  constructor(private readonly db: Knex) {}

  async insertAudit(tx: Db, e: NewAuditRecord): Promise<void> {
    await this.insertAuditMany(tx, [e]);
  }

  async insertAuditMany(tx: Db, entries: NewAuditRecord[]): Promise<void> {
    // SQLite limits the bound values of one statement.
    for (let i = 0; i < entries.length; i += 500) {
      await tx('access_audit').insert(
        entries.slice(i, i + 500).map(e => ({
          at: e.at,
          actor: e.actor,
          action: e.action,
          request_id: e.requestId ?? null,
          severity: e.severity,
          from_status: e.fromStatus ?? null,
          to_status: e.toStatus ?? null,
          details: JSON.stringify(e.details),
        })),
      );
    }
  }

  async listAudit(opts: {
    afterId?: string;
    limit: number;
    requestId?: string;
  }): Promise<AccessAuditEntry[]> {
    let q = this.db('access_audit').orderBy('id', 'desc').limit(opts.limit);
    if (opts.afterId) q = q.where('id', '<', opts.afterId);
    if (opts.requestId) q = q.where('request_id', opts.requestId);
    const rows = await q;
    return rows.map(r => ({
      id: String(r.id),
      at: new Date(Number(r.at)).toISOString(),
      actor: r.actor,
      action: r.action,
      requestId: r.request_id ?? undefined,
      severity: r.severity,
      fromStatus: r.from_status ?? undefined,
      toStatus: r.to_status ?? undefined,
      details: JSON.parse(r.details),
    }));
  }
}
