import {
  AccessRequestStatus,
  TERMINAL_STATUSES,
} from '@jit-access/plugin-access-common';
import { Knex } from 'knex';
import { Row, toRequestRecord } from '../rows';
import {
  Db,
  NewRequestRecord,
  PageCursor,
  RequestQuery,
  RequestRecord,
} from '../types';
import { listRequests } from './listRequests';
import { newRequestRow, patchValues } from './requestColumns';
import { RequestPatch, RequestStore, UpdateGuard } from './RequestStore';

/** {@link RequestStore} on SQLite or PostgreSQL through knex. */
export class DatabaseRequestStore implements RequestStore {
  constructor(private readonly db: Knex) {}

  private get isPg(): boolean {
    return this.db.client.config.client === 'pg';
  }

  async insertRequest(tx: Db, r: NewRequestRecord): Promise<void> {
    const refs = [...new Set(r.resources.map(x => x.entityRef))];
    const inserts = [
      tx('access_requests').insert(newRequestRow(r)),
      tx('access_request_entities').insert(
        refs.map(entity_ref => ({
          request_id: r.id,
          entity_ref,
          created_at: r.createdAt,
        })),
      ),
      ...(r.approvers.length
        ? [
            tx('access_request_approvers').insert(
              r.approvers.map(approver => ({
                request_id: r.id,
                approver,
                created_at: r.createdAt,
                open: r.awaiting !== undefined,
              })),
            ),
          ]
        : []),
    ];
    if (!this.isPg) {
      for (const insert of inserts) await insert;
      return;
    }
    // One round trip instead of three: PostgreSQL runs the inserts of a WITH as one
    // statement and checks the foreign keys at its end.
    const parts = inserts.map(q => q.toSQL());
    const last = parts.pop()!;
    await tx.raw(
      `WITH ${parts.map((p, i) => `i${i} AS (${p.sql})`).join(', ')} ${
        last.sql
      }`,
      [...parts.flatMap(p => p.bindings), ...last.bindings],
    );
  }

  async getRequest(
    id: string,
    db: Db = this.db,
  ): Promise<RequestRecord | undefined> {
    const row = await db('access_requests').where({ id }).first();
    return row ? toRequestRecord(row) : undefined;
  }

  async lockRequest(
    tx: Knex.Transaction,
    id: string,
  ): Promise<RequestRecord | undefined> {
    let q = tx('access_requests').where({ id });
    if (this.isPg) q = q.forUpdate();
    const row = await q.first();
    return row ? toRequestRecord(row) : undefined;
  }

  async getRequestsByGroup(
    groupId: string,
    db: Db = this.db,
  ): Promise<RequestRecord[]> {
    const rows = await db('access_requests')
      .where({ group_id: groupId })
      .orderBy('id');
    return rows.map(toRequestRecord);
  }

  async updateRequest(
    tx: Db,
    id: string,
    guard: UpdateGuard,
    patch: RequestPatch,
    now: number,
  ): Promise<boolean> {
    const values = patchValues(patch, now);
    let q = tx('access_requests').where({ id, status: guard.status });
    if (guard.awaiting !== undefined) {
      q =
        guard.awaiting === null
          ? q.whereNull('awaiting')
          : q.where('awaiting', guard.awaiting);
    }
    if (guard.notExpiredAt !== undefined)
      q = q.where('expires_at', '>', guard.notExpiredAt);
    if (guard.expiredAt !== undefined)
      q = q.where('expires_at', '<=', guard.expiredAt);
    if (guard.notEnding) q = q.whereNull('ending');
    if (guard.ending) q = q.whereNotNull('ending');
    const count = await q.update(values);
    if (count === 1 && 'awaiting' in patch) {
      // Keeps the approvers' queue in step with what the request waits for.
      await tx('access_request_approvers')
        .where({ request_id: id })
        .update({
          open: patch.awaiting !== null && patch.awaiting !== undefined,
        });
    }
    return count === 1;
  }

  listRequests(
    query: RequestQuery,
    page: { cursor?: PageCursor; limit: number },
  ): Promise<RequestRecord[]> {
    return listRequests(this.db, query, page);
  }

  findStuckGranting(cutoff: number, limit: number): Promise<RequestRecord[]> {
    return this.oldestDue('updated_at', cutoff, limit, q =>
      q.where('status', 'granting'),
    );
  }

  async findGrantsToEnd(now: number, limit: number): Promise<RequestRecord[]> {
    // Run out, and revocation decided: each on its own index, merged here.
    const due = (b: Knex.QueryBuilder) =>
      b.where(c =>
        c.whereNull('next_attempt_at').orWhere('next_attempt_at', '<=', now),
      );
    const [ranOut, decided] = await Promise.all([
      due(
        this.db('access_requests')
          .where('status', 'granted')
          .whereNull('ending')
          .where('expires_at', '<=', now),
      )
        .orderBy('expires_at')
        .limit(limit),
      due(
        this.db('access_requests')
          .whereNotNull('ending')
          .where('status', 'granted'),
      )
        .orderBy('expires_at')
        .limit(limit),
    ]);
    return [...ranOut, ...decided]
      .map(toRequestRecord)
      .sort((a, b) => (a.expiresAt ?? 0) - (b.expiresAt ?? 0))
      .slice(0, limit);
  }

  async hasOverdueEnds(cutoff: number): Promise<boolean> {
    // Two lookups, each on its own index, rather than one OR that scans the table.
    const ranOut = await this.db('access_requests')
      .where('status', 'granted')
      .whereNull('ending')
      .where('expires_at', '<=', cutoff)
      .where(c =>
        c.whereNull('next_attempt_at').orWhere('next_attempt_at', '<=', cutoff),
      )
      .first('id');
    if (ranOut) return true;
    const stalled = await this.db('access_requests')
      .whereNotNull('ending')
      .whereIn('status', [
        'granted',
        ...(TERMINAL_STATUSES as AccessRequestStatus[]),
      ])
      .where(c =>
        c
          .where(d =>
            d.whereNull('next_attempt_at').where('updated_at', '<=', cutoff),
          )
          .orWhere('next_attempt_at', '<=', cutoff),
      )
      .first('id');
    return stalled !== undefined;
  }

  async expireWithoutProvisioner(
    tx: Knex.Transaction,
    opts: { now: number; provisioners: string[]; limit: number },
  ): Promise<RequestRecord[]> {
    const due = tx('access_requests')
      .select('id')
      .where('status', 'granted')
      .whereNull('ending')
      .where('expires_at', '<=', opts.now)
      .whereIn('provisioner', opts.provisioners)
      .where(b => b.whereNull('awaiting').orWhere('awaiting', 'review'))
      .orderBy('expires_at')
      .limit(opts.limit);
    if (this.isPg) due.forUpdate().skipLocked();
    const ids = (await due).map((r: Row) => r.id as string);
    if (!ids.length) return [];
    const rows: Row[] = [];
    // SQLite allows 32,766 bound values; stay well below in each statement.
    for (let i = 0; i < ids.length; i += 5000) {
      const chunk = ids.slice(i, i + 5000);
      await tx('access_details').whereIn('request_id', chunk).delete();
      rows.push(
        ...(await tx('access_requests')
          .whereIn('id', chunk)
          .where('status', 'granted')
          .whereNull('ending')
          .update({
            status: 'expired',
            ended_at: opts.now,
            end_reason: 'Access expired',
            last_error: null,
            next_attempt_at: null,
            extend_retry_at: null,
            updated_at: opts.now,
          })
          .returning('*')),
      );
    }
    return rows.map(toRequestRecord);
  }

  async findGrantsApprovedBy(
    checkIds: string[],
    afterId: string | undefined,
    limit: number,
    now: number,
    untilId?: string,
  ): Promise<RequestRecord[]> {
    if (!checkIds.length) return [];
    // The reverify_after condition only filters the rows access_requests_check_idx
    // (status, approved_by_check) finds, so the index still narrows the read.
    let q = this.db('access_requests')
      .where('status', 'granted')
      .whereNull('ending')
      .whereIn('approved_by_check', checkIds)
      .where(b =>
        b.whereNull('reverify_after').orWhere('reverify_after', '<=', now),
      );
    if (afterId) q = q.where('id', '>', afterId);
    if (untilId) q = q.where('id', '<=', untilId);
    const rows = await q.orderBy('id').limit(limit);
    return rows.map(toRequestRecord);
  }

  findExpiringUnnotified(
    cutoff: number,
    limit: number,
  ): Promise<RequestRecord[]> {
    return this.oldestDue('expires_at', cutoff, limit, q =>
      q
        .where('status', 'granted')
        .whereNull('ending')
        .whereNull('expiry_notified_at'),
    );
  }

  async markExpiryNotified(
    id: string,
    expiresAt: number,
    now: number,
  ): Promise<boolean> {
    const n = await this.db('access_requests')
      .where({ id, expires_at: expiresAt })
      .whereNull('expiry_notified_at')
      .update({ expiry_notified_at: now });
    return n === 1;
  }

  findUndecided(cutoff: number, limit: number): Promise<RequestRecord[]> {
    return this.oldestDue('created_at', cutoff, limit, q =>
      q.where('status', 'pending').whereNull('awaiting'),
    );
  }

  async findFailedCleanup(
    now: number,
    limit: number,
  ): Promise<RequestRecord[]> {
    // Failed grants, and late grants of requests that had already ended.
    const rows = await this.db('access_requests')
      .whereIn('status', TERMINAL_STATUSES as AccessRequestStatus[])
      .whereNotNull('ending')
      .where(b =>
        b.whereNull('next_attempt_at').orWhere('next_attempt_at', '<=', now),
      )
      .orderBy('updated_at')
      .limit(limit);
    return rows.map(toRequestRecord);
  }

  findExtendsDue(now: number, limit: number): Promise<RequestRecord[]> {
    return this.oldestDue('extend_retry_at', now, limit, q =>
      q.where('status', 'granted').whereNull('ending'),
    );
  }

  async clearExtendPending(id: string, expiresAt: number): Promise<void> {
    await this.db('access_requests')
      .where({ id, expires_at: expiresAt })
      .update({ extend_retry_at: null, extend_attempts: 0 });
  }

  findPendingBefore(cutoff: number, limit: number): Promise<RequestRecord[]> {
    return this.oldestDue('created_at', cutoff, limit, q =>
      q.where('status', 'pending'),
    );
  }

  /**
   * What the scheduled tasks look for: the first `limit` requests `narrow` keeps whose
   * `column` is at or before `cutoff` (a null column is never due), oldest first.
   */
  private async oldestDue(
    column: string,
    cutoff: number,
    limit: number,
    narrow: (q: Knex.QueryBuilder) => Knex.QueryBuilder,
  ): Promise<RequestRecord[]> {
    const rows = await narrow(this.db('access_requests'))
      .where(column, '<=', cutoff)
      .orderBy(column)
      .limit(limit);
    return rows.map(toRequestRecord);
  }
}
