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
 * Each aggregate has its own store (`store.requests`, `store.approvals`, ...), which
 * callers use directly; this class only holds them, with what spans them: the migrations
 * at start and the transaction they share.
 */
export class AccessStore {
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
}
