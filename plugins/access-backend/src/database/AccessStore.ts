import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { ApprovalStore } from './approvals/ApprovalStore';
import { DatabaseApprovalStore } from './approvals/DatabaseApprovalStore';
import { AuditEntryStore } from './audit/AuditEntryStore';
import { DatabaseAuditEntryStore } from './audit/DatabaseAuditEntryStore';
import { DatabaseDetailsStore } from './details/DatabaseDetailsStore';
import { DetailsStore } from './details/DetailsStore';
import { DatabaseFavoriteStore } from './favorites/DatabaseFavoriteStore';
import { FavoriteStore } from './favorites/FavoriteStore';
import { DatabaseIdempotencyStore } from './idempotency/DatabaseIdempotencyStore';
import { IdempotencyStore } from './idempotency/IdempotencyStore';
import { DatabaseRequestStore } from './requests/DatabaseRequestStore';
import { RequestStore } from './requests/RequestStore';
import { DatabaseSettingsStore } from './settings/DatabaseSettingsStore';
import { SettingsStore } from './settings/SettingsStore';
import { Db } from './types';

export type { Db };
export type { RequestPatch, UpdateGuard } from './requests/RequestStore';

const migrationsDir = resolvePackagePath(
  '@jit-access/plugin-access-backend',
  'migrations',
);

/**
 * The access plugin's storage: requests, approvals, favourites, audit entries, idempotency
 * keys, sealed access details and settings, on SQLite or PostgreSQL through knex. Nothing
 * else in the plugin writes SQL.
 *
 * Each aggregate has its own store (`requests`, `approvals`, ...); new code should take
 * the one it needs. The flat request methods delegate to `requests`, for the callers
 * written before.
 */
export class AccessStore implements RequestStore {
  static async create(database: DatabaseService): Promise<AccessStore> {
    const db = await database.getClient();
    if (!database.migrations?.skip) {
      await db.migrate.latest({ directory: migrationsDir });
    }
    return new AccessStore(db);
  }

  /** Access requests, their listings and what the scheduled tasks look for. */
  readonly requests: RequestStore;

  /** The approvers' decisions. */
  readonly approvals: ApprovalStore;

  /** The audit log's entries. */
  readonly audit: AuditEntryStore;

  /** The requests users starred. */
  readonly favorites: FavoriteStore;

  /** Idempotency keys of submissions. */
  readonly idempotency: IdempotencyStore;

  /** The sealed access details of grants. */
  readonly details: DetailsStore;

  /** Plugin-wide settings. */
  readonly settings: SettingsStore;

  constructor(readonly db: Knex) {
    this.requests = new DatabaseRequestStore(db);
    this.approvals = new DatabaseApprovalStore(db);
    this.audit = new DatabaseAuditEntryStore(db);
    this.favorites = new DatabaseFavoriteStore(db);
    this.idempotency = new DatabaseIdempotencyStore(db);
    this.details = new DatabaseDetailsStore(db);
    this.settings = new DatabaseSettingsStore(db);
  }

  /** Runs fn in one transaction. */
  transaction<T>(fn: (tx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  insertRequest(...a: Parameters<RequestStore['insertRequest']>) {
    return this.requests.insertRequest(...a);
  }

  getRequest(...a: Parameters<RequestStore['getRequest']>) {
    return this.requests.getRequest(...a);
  }

  lockRequest(...a: Parameters<RequestStore['lockRequest']>) {
    return this.requests.lockRequest(...a);
  }

  getRequestsByGroup(...a: Parameters<RequestStore['getRequestsByGroup']>) {
    return this.requests.getRequestsByGroup(...a);
  }

  updateRequest(...a: Parameters<RequestStore['updateRequest']>) {
    return this.requests.updateRequest(...a);
  }

  listRequests(...a: Parameters<RequestStore['listRequests']>) {
    return this.requests.listRequests(...a);
  }

  findStuckGranting(...a: Parameters<RequestStore['findStuckGranting']>) {
    return this.requests.findStuckGranting(...a);
  }

  findGrantsToEnd(...a: Parameters<RequestStore['findGrantsToEnd']>) {
    return this.requests.findGrantsToEnd(...a);
  }

  hasOverdueEnds(...a: Parameters<RequestStore['hasOverdueEnds']>) {
    return this.requests.hasOverdueEnds(...a);
  }

  expireWithoutProvisioner(
    ...a: Parameters<RequestStore['expireWithoutProvisioner']>
  ) {
    return this.requests.expireWithoutProvisioner(...a);
  }

  findGrantsApprovedBy(...a: Parameters<RequestStore['findGrantsApprovedBy']>) {
    return this.requests.findGrantsApprovedBy(...a);
  }

  findExpiringUnnotified(
    ...a: Parameters<RequestStore['findExpiringUnnotified']>
  ) {
    return this.requests.findExpiringUnnotified(...a);
  }

  markExpiryNotified(...a: Parameters<RequestStore['markExpiryNotified']>) {
    return this.requests.markExpiryNotified(...a);
  }

  findUndecided(...a: Parameters<RequestStore['findUndecided']>) {
    return this.requests.findUndecided(...a);
  }

  findFailedCleanup(...a: Parameters<RequestStore['findFailedCleanup']>) {
    return this.requests.findFailedCleanup(...a);
  }

  findExtendsDue(...a: Parameters<RequestStore['findExtendsDue']>) {
    return this.requests.findExtendsDue(...a);
  }

  clearExtendPending(...a: Parameters<RequestStore['clearExtendPending']>) {
    return this.requests.clearExtendPending(...a);
  }

  findPendingBefore(...a: Parameters<RequestStore['findPendingBefore']>) {
    return this.requests.findPendingBefore(...a);
  }
}
