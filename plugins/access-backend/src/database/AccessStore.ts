import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import {
  AccessRequestStatus,
  TERMINAL_STATUSES,
} from '@jit-access/plugin-access-common';
import { Knex } from 'knex';
import { ApprovalStore } from './approvals/ApprovalStore';
import { DatabaseApprovalStore } from './approvals/DatabaseApprovalStore';
import { AuditEntryStore } from './audit/AuditEntryStore';
import { DatabaseAuditEntryStore } from './audit/DatabaseAuditEntryStore';
import { DatabaseDetailsStore } from './details/DatabaseDetailsStore';
import { DetailsStore } from './details/DetailsStore';
import { DatabaseIdempotencyStore } from './idempotency/DatabaseIdempotencyStore';
import { IdempotencyStore } from './idempotency/IdempotencyStore';
import { DatabaseSettingsStore } from './settings/DatabaseSettingsStore';
import { SettingsStore } from './settings/SettingsStore';
import {
  Db,
  NewRequestRecord,
  PageCursor,
  RequestFilters,
  RequestQuery,
  RequestRecord,
} from './types';

const migrationsDir = resolvePackagePath(
  '@jit-access/plugin-access-backend',
  'migrations',
);

/**
 * Keyset paging, newest first: rows after the cursor in `(createdAt, id)` order. The
 * leading `createdAt <=` bound is implied by the rest; it lets either engine start an
 * index range scan at the cursor instead of filtering from the newest row down.
 */
function olderThan(
  cursor: PageCursor,
  createdAtColumn: string,
  idColumn: string,
) {
  return (b: Knex.QueryBuilder) =>
    b
      .where(createdAtColumn, '<=', cursor.createdAt)
      .where(c =>
        c
          .where(createdAtColumn, '<', cursor.createdAt)
          .orWhere(d =>
            d
              .where(createdAtColumn, cursor.createdAt)
              .andWhere(idColumn, '<', cursor.id),
          ),
      );
}

export type { Db };

type Row = Record<string, any>;

const num = (v: unknown) =>
  v === null || v === undefined ? undefined : Number(v);
const json = <T>(v: unknown): T | undefined =>
  v === null || v === undefined ? undefined : (JSON.parse(String(v)) as T);

function toRecord(r: Row): RequestRecord {
  return {
    id: r.id,
    groupId: r.group_id,
    requester: r.requester,
    createdBy: r.created_by,
    flowId: r.flow_id,
    flowTitle: r.flow_title,
    approvalType: r.approval_type,
    provisioner: r.provisioner,
    resources: JSON.parse(r.resources),
    justification: r.justification,
    durationSeconds: Number(r.duration_seconds),
    status: r.status,
    awaiting: r.awaiting ?? undefined,
    approvers: JSON.parse(r.approvers),
    requiredApprovals: Number(r.required_approvals),
    allowSelfApproval: Boolean(r.allow_self_approval),
    checks: JSON.parse(r.checks),
    breakGlass: Boolean(r.break_glass),
    review: json(r.review),
    extension: json(r.extension),
    extensionsUsed: Number(r.extensions_used),
    extensionsAllowed: Number(r.extensions_allowed),
    extensionRound: Number(r.extension_round ?? 0),
    againOf: r.again_of ?? undefined,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    grantedAt: num(r.granted_at),
    expiresAt: num(r.expires_at),
    endedAt: num(r.ended_at),
    endReason: r.end_reason ?? undefined,
    ending: json(r.ending),
    lastError: r.last_error ?? undefined,
    approvedByCheck: r.approved_by_check ?? undefined,
    reverifyAfter: num(r.reverify_after),
    expiryNotifiedAt: num(r.expiry_notified_at),
    attempts: Number(r.attempts),
    nextAttemptAt: num(r.next_attempt_at),
    extendRetryAt: num(r.extend_retry_at),
    extendAttempts: Number(r.extend_attempts ?? 0),
  };
}

const COLUMN: Record<string, string> = {
  status: 'status',
  awaiting: 'awaiting',
  review: 'review',
  extension: 'extension',
  extensionsUsed: 'extensions_used',
  extensionRound: 'extension_round',
  grantedAt: 'granted_at',
  expiresAt: 'expires_at',
  endedAt: 'ended_at',
  endReason: 'end_reason',
  ending: 'ending',
  lastError: 'last_error',
  attempts: 'attempts',
  nextAttemptAt: 'next_attempt_at',
  extendRetryAt: 'extend_retry_at',
  extendAttempts: 'extend_attempts',
  checks: 'checks',
  approvedByCheck: 'approved_by_check',
  reverifyAfter: 'reverify_after',
  expiryNotifiedAt: 'expiry_notified_at',
  durationSeconds: 'duration_seconds',
};
const JSON_COLUMNS = new Set(['review', 'extension', 'ending', 'checks']);

/** Fields a state change may write. `null` clears a field. */
export type RequestPatch = Partial<{
  [K in keyof typeof COLUMN & keyof RequestRecord]: RequestRecord[K] | null;
}>;

/** Conditions a guarded update checks, so that only one of several racing writers wins. */
export interface UpdateGuard {
  status: AccessRequestStatus;
  awaiting?: RequestRecord['awaiting'] | null;
  /** Only if access has not run out yet (`expires_at > now`). */
  notExpiredAt?: number;
  /** Only if access has run out (`expires_at <= now`). */
  expiredAt?: number;
  /** Only if no revocation has been decided. */
  notEnding?: boolean;
  /** Only while a revocation or clean-up is still to be done. */
  ending?: boolean;
}

/**
 * The access plugin's storage: requests, approvals, favourites, audit and idempotency keys,
 * on SQLite or PostgreSQL through knex. Nothing else in the plugin writes SQL.
 */
export class AccessStore
  implements
    ApprovalStore,
    AuditEntryStore,
    IdempotencyStore,
    DetailsStore,
    SettingsStore
{
  static async create(database: DatabaseService): Promise<AccessStore> {
    const db = await database.getClient();
    if (!database.migrations?.skip) {
      await db.migrate.latest({ directory: migrationsDir });
    }
    return new AccessStore(db);
  }

  /** The approvers' decisions. */
  readonly approvals: ApprovalStore;

  /** The audit log's entries. */
  readonly audit: AuditEntryStore;

  /** Idempotency keys of submissions. */
  readonly idempotency: IdempotencyStore;

  /** The sealed access details of grants. */
  readonly details: DetailsStore;

  /** Plugin-wide settings. */
  readonly settings: SettingsStore;

  constructor(readonly db: Knex) {
    this.approvals = new DatabaseApprovalStore(db);
    this.audit = new DatabaseAuditEntryStore(db);
    this.idempotency = new DatabaseIdempotencyStore(db);
    this.details = new DatabaseDetailsStore(db);
    this.settings = new DatabaseSettingsStore(db);
  }

  private get isPg(): boolean {
    return this.db.client.config.client === 'pg';
  }

  /** Runs fn in one transaction. */
  transaction<T>(fn: (tx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  async insertRequest(tx: Db, r: NewRequestRecord): Promise<void> {
    await tx('access_requests').insert({
      id: r.id,
      group_id: r.groupId,
      requester: r.requester,
      created_by: r.createdBy,
      flow_id: r.flowId,
      flow_title: r.flowTitle,
      approval_type: r.approvalType,
      provisioner: r.provisioner,
      resources: JSON.stringify(r.resources),
      justification: r.justification,
      duration_seconds: r.durationSeconds,
      status: r.status,
      awaiting: r.awaiting ?? null,
      approvers: JSON.stringify(r.approvers),
      required_approvals: r.requiredApprovals,
      allow_self_approval: r.allowSelfApproval,
      checks: JSON.stringify(r.checks),
      break_glass: r.breakGlass,
      review: r.review ? JSON.stringify(r.review) : null,
      extension: r.extension ? JSON.stringify(r.extension) : null,
      extensions_used: r.extensionsUsed,
      extensions_allowed: r.extensionsAllowed,
      again_of: r.againOf ?? null,
      created_at: r.createdAt,
      updated_at: r.createdAt,
      granted_at: r.grantedAt ?? null,
      expires_at: r.expiresAt ?? null,
      ended_at: r.endedAt ?? null,
      end_reason: r.endReason ?? null,
      attempts: 0,
    });
    const refs = [...new Set(r.resources.map(x => x.entityRef))];
    await tx('access_request_entities').insert(
      refs.map(entity_ref => ({
        request_id: r.id,
        entity_ref,
        created_at: r.createdAt,
      })),
    );
    if (r.approvers.length) {
      await tx('access_request_approvers').insert(
        r.approvers.map(approver => ({
          request_id: r.id,
          approver,
          created_at: r.createdAt,
          open: r.awaiting !== undefined,
        })),
      );
    }
  }

  async getRequest(
    id: string,
    db: Db = this.db,
  ): Promise<RequestRecord | undefined> {
    const row = await db('access_requests').where({ id }).first();
    return row ? toRecord(row) : undefined;
  }

  /** Reads a request and, on PostgreSQL, locks its row until the transaction ends. */
  async lockRequest(
    tx: Knex.Transaction,
    id: string,
  ): Promise<RequestRecord | undefined> {
    let q = tx('access_requests').where({ id });
    if (this.isPg) q = q.forUpdate();
    const row = await q.first();
    return row ? toRecord(row) : undefined;
  }

  async getRequestsByGroup(
    groupId: string,
    db: Db = this.db,
  ): Promise<RequestRecord[]> {
    const rows = await db('access_requests')
      .where({ group_id: groupId })
      .orderBy('id');
    return rows.map(toRecord);
  }

  /**
   * Updates a request only while it is still in the state the caller saw.
   * Returns false when another writer got there first.
   */
  async updateRequest(
    tx: Db,
    id: string,
    guard: UpdateGuard,
    patch: RequestPatch,
    now: number,
  ): Promise<boolean> {
    const values: Row = { updated_at: now };
    for (const [k, v] of Object.entries(patch)) {
      const col = COLUMN[k];
      if (!col) throw new Error(`cannot patch ${k}`);
      if (v === null || v === undefined) values[col] = null;
      else values[col] = JSON_COLUMNS.has(k) ? JSON.stringify(v) : v;
    }
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

  insertApproval(...a: Parameters<ApprovalStore['insertApproval']>) {
    return this.approvals.insertApproval(...a);
  }

  countApprovals(...a: Parameters<ApprovalStore['countApprovals']>) {
    return this.approvals.countApprovals(...a);
  }

  getApprovals(...a: Parameters<ApprovalStore['getApprovals']>) {
    return this.approvals.getApprovals(...a);
  }

  insertAudit(...a: Parameters<AuditEntryStore['insertAudit']>) {
    return this.audit.insertAudit(...a);
  }

  insertAuditMany(...a: Parameters<AuditEntryStore['insertAuditMany']>) {
    return this.audit.insertAuditMany(...a);
  }

  listAudit(...a: Parameters<AuditEntryStore['listAudit']>) {
    return this.audit.listAudit(...a);
  }

  /**
   * One page of requests, newest first, with keyset paging. Filters narrow any view: each
   * is an equality on an indexed column (`requester`: the requester index; `flowId`: the
   * flow index; `entityRef`: the entity rows' index, which then also gives the order).
   */
  async listRequests(
    query: RequestQuery,
    page: { cursor?: PageCursor; limit: number },
  ): Promise<RequestRecord[]> {
    // The entity view is an entity filter, for one requester or all.
    const filters: RequestFilters =
      query.view === 'entity'
        ? { entityRef: query.entityRef, requester: query.requester }
        : query.filters ?? {};
    if (query.view === 'approvals' && !query.statuses?.length) {
      return this.approvalQueue(query.user, filters, page);
    }
    let q = this.db('access_requests as r').select('r.*');
    // Paged on the columns the driving index is ordered by. An entity row carries its
    // request's creation time, so with an entity filter its (entity_ref, created_at)
    // index is read newest first and the page stops after `limit` rows.
    let createdAt = 'r.created_at';
    let id = 'r.id';
    if (filters.entityRef) {
      // (request_id, entity_ref) is the entity rows' key: at most one row per request.
      q = q
        .join('access_request_entities as e', 'e.request_id', 'r.id')
        .where('e.entity_ref', filters.entityRef);
      createdAt = 'e.created_at';
      id = 'e.request_id';
    }
    if (query.view === 'mine') {
      q = q.where('r.requester', query.user);
    } else if (query.view === 'decided') {
      q = q.whereExists(b =>
        b
          .select(this.db.raw('1'))
          .from('access_approvals as d')
          .whereRaw('d.request_id = r.id')
          .where('d.approver', query.user),
      );
    } else if (query.view === 'approvals') {
      q = q
        .join('access_request_approvers as a', 'a.request_id', 'r.id')
        .where('a.approver', query.user)
        .where(b =>
          b
            .where('r.requester', '<>', query.user)
            .orWhere('r.allow_self_approval', true),
        );
    }
    if (filters.requester) q = q.where('r.requester', filters.requester);
    if (filters.flowId) q = q.where('r.flow_id', filters.flowId);
    if (query.statuses?.length) q = q.whereIn('r.status', query.statuses);
    if (page.cursor) {
      q = q.where(olderThan(page.cursor, createdAt, id));
    }
    const rows = await q
      .orderBy([
        { column: createdAt, order: 'desc' },
        { column: id, order: 'desc' },
      ])
      .limit(page.limit);
    return rows.map(toRecord);
  }

  /**
   * What waits for an approver's decision: a page of the approver's queue read in index
   * order first, then its requests, so the cost is one page whatever the queue's size.
   * Filters are checked per queue row (by primary key) before the page is cut.
   */
  private async approvalQueue(
    user: string,
    filters: RequestFilters,
    page: { cursor?: PageCursor; limit: number },
  ): Promise<RequestRecord[]> {
    let queue = this.db('access_request_approvers as a')
      .select('a.request_id', 'a.created_at')
      .where('a.approver', user)
      .where('a.open', true)
      // Their own requests, unless the flow lets them approve those.
      .whereNotExists(b =>
        b
          .select(this.db.raw('1'))
          .from('access_requests as s')
          .whereRaw('s.id = a.request_id')
          .where('s.requester', user)
          .where('s.allow_self_approval', false),
      );
    if (filters.requester || filters.flowId) {
      queue = queue.whereExists(b => {
        b.select(this.db.raw('1'))
          .from('access_requests as f')
          .whereRaw('f.id = a.request_id');
        if (filters.requester) b.where('f.requester', filters.requester);
        if (filters.flowId) b.where('f.flow_id', filters.flowId);
      });
    }
    const entityRef = filters.entityRef;
    if (entityRef) {
      queue = queue.whereExists(b =>
        b
          .select(this.db.raw('1'))
          .from('access_request_entities as fe')
          .whereRaw('fe.request_id = a.request_id')
          .where('fe.entity_ref', entityRef),
      );
    }
    if (page.cursor) {
      queue = queue.where(
        olderThan(page.cursor, 'a.created_at', 'a.request_id'),
      );
    }
    const rows = await this.db
      .withMaterialized(
        'page',
        queue
          .orderBy([
            { column: 'a.created_at', order: 'desc' },
            { column: 'a.request_id', order: 'desc' },
          ])
          .limit(page.limit),
      )
      .select('r.*')
      .from('page')
      .join('access_requests as r', 'r.id', 'page.request_id')
      // The request itself stays the truth of what it waits for.
      .whereNotNull('r.awaiting')
      .orderBy([
        { column: 'page.created_at', order: 'desc' },
        { column: 'page.request_id', order: 'desc' },
      ]);
    return rows.map(toRecord);
  }

  /** Which of these requests the user starred. */
  async favoritesOf(user: string, requestIds: string[]): Promise<Set<string>> {
    if (!requestIds.length) return new Set();
    const rows = await this.db('access_favorites')
      .where('user_ref', user)
      .whereIn('request_id', requestIds);
    return new Set(rows.map(r => r.request_id));
  }

  async setFavorite(
    user: string,
    requestId: string,
    on: boolean,
    now: number,
  ): Promise<void> {
    if (on) {
      await this.db('access_favorites')
        .insert({ user_ref: user, request_id: requestId, created_at: now })
        .onConflict(['user_ref', 'request_id'])
        .ignore();
    } else {
      await this.db('access_favorites')
        .where({ user_ref: user, request_id: requestId })
        .delete();
    }
  }

  async listFavoriteRequests(
    user: string,
    limit: number,
  ): Promise<RequestRecord[]> {
    const rows = await this.db('access_requests as r')
      .join('access_favorites as f', 'f.request_id', 'r.id')
      .where('f.user_ref', user)
      .select('r.*')
      .orderBy('f.created_at', 'desc')
      .limit(limit);
    return rows.map(toRecord);
  }

  getIdempotency(...a: Parameters<IdempotencyStore['getIdempotency']>) {
    return this.idempotency.getIdempotency(...a);
  }

  insertIdempotency(...a: Parameters<IdempotencyStore['insertIdempotency']>) {
    return this.idempotency.insertIdempotency(...a);
  }

  putDetails(...a: Parameters<DetailsStore['putDetails']>) {
    return this.details.putDetails(...a);
  }

  deleteDetails(...a: Parameters<DetailsStore['deleteDetails']>) {
    return this.details.deleteDetails(...a);
  }

  getDetails(...a: Parameters<DetailsStore['getDetails']>) {
    return this.details.getDetails(...a);
  }

  getOrCreateSetting(...a: Parameters<SettingsStore['getOrCreateSetting']>) {
    return this.settings.getOrCreateSetting(...a);
  }

  getSetting(...a: Parameters<SettingsStore['getSetting']>) {
    return this.settings.getSetting(...a);
  }

  putSetting(...a: Parameters<SettingsStore['putSetting']>) {
    return this.settings.putSetting(...a);
  }

  deleteIdempotencyBefore(
    ...a: Parameters<IdempotencyStore['deleteIdempotencyBefore']>
  ) {
    return this.idempotency.deleteIdempotencyBefore(...a);
  }

  /** Requests left in `granting` since before the cut-off (the backend died mid-grant). */
  async findStuckGranting(
    cutoff: number,
    limit: number,
  ): Promise<RequestRecord[]> {
    const rows = await this.db('access_requests')
      .where('status', 'granting')
      .where('updated_at', '<=', cutoff)
      .orderBy('updated_at')
      .limit(limit);
    return rows.map(toRecord);
  }

  /** Grants that must end now: run out, or revocation decided and due for a (re)try. */
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
      .map(toRecord)
      .sort((a, b) => (a.expiresAt ?? 0) - (b.expiresAt ?? 0))
      .slice(0, limit);
  }

  /**
   * Whether some access waits longer than it should to end: a grant that ran out before
   * `cutoff`, or a decided revocation or clean-up due since before `cutoff` that nobody
   * retried (the replica running the expiry task may have died).
   */
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

  /**
   * Ends, in one statement, up to `limit` grants that ran out and need no provisioner
   * call (their provisioner changes nothing outside Backstage): the bulk path of expiry.
   * Grants with a pending extension are left to the one-by-one path. Returns the ended
   * requests as they are now. On PostgreSQL, rows another replica holds are skipped.
   */
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
    return rows.map(toRecord);
  }

  /**
   * Active grants approved by one of these checks, in id order from `afterId` (up to
   * `untilId` included, when given), leaving out those that still stand on a person's
   * approval at `now` (`reverify_after` in the future). That condition only filters the
   * rows `access_requests_check_idx` (status, approved_by_check) finds, so the index still
   * narrows the read.
   */
  async findGrantsApprovedBy(
    checkIds: string[],
    afterId: string | undefined,
    limit: number,
    now: number,
    untilId?: string,
  ): Promise<RequestRecord[]> {
    if (!checkIds.length) return [];
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
    return rows.map(toRecord);
  }

  /** Active grants ending before the cut-off whose holder was not yet told. */
  async findExpiringUnnotified(
    cutoff: number,
    limit: number,
  ): Promise<RequestRecord[]> {
    const rows = await this.db('access_requests')
      .where('status', 'granted')
      .whereNull('ending')
      .whereNull('expiry_notified_at')
      .where('expires_at', '<=', cutoff)
      .orderBy('expires_at')
      .limit(limit);
    return rows.map(toRecord);
  }

  /** Marks the holder as told; false when someone else did it first. */
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

  /** Pending requests still waiting for their checks, created before the cut-off. */
  async findUndecided(cutoff: number, limit: number): Promise<RequestRecord[]> {
    const rows = await this.db('access_requests')
      .where('status', 'pending')
      .whereNull('awaiting')
      .where('created_at', '<=', cutoff)
      .orderBy('created_at')
      .limit(limit);
    return rows.map(toRecord);
  }

  /** Failed grants whose partial work is still to be undone, due for a (re)try. */
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
    return rows.map(toRecord);
  }

  /** Active grants whose extension the target has not confirmed, due for a try. */
  async findExtendsDue(now: number, limit: number): Promise<RequestRecord[]> {
    const rows = await this.db('access_requests')
      .whereNotNull('extend_retry_at')
      .where('extend_retry_at', '<=', now)
      .where('status', 'granted')
      .whereNull('ending')
      .orderBy('extend_retry_at')
      .limit(limit);
    return rows.map(toRecord);
  }

  /** The target confirmed the extension to `expiresAt` (unless a later one moved it). */
  async clearExtendPending(id: string, expiresAt: number): Promise<void> {
    await this.db('access_requests')
      .where({ id, expires_at: expiresAt })
      .update({ extend_retry_at: null, extend_attempts: 0 });
  }

  /** Pending requests created before the cut-off. */
  async findPendingBefore(
    cutoff: number,
    limit: number,
  ): Promise<RequestRecord[]> {
    const rows = await this.db('access_requests')
      .where('status', 'pending')
      .where('created_at', '<=', cutoff)
      .orderBy('created_at')
      .limit(limit);
    return rows.map(toRecord);
  }
}
