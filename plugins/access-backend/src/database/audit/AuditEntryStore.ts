import { AccessAuditEntry } from '@jit-access/plugin-access-common';
import { Db, NewAuditRecord } from '../types';

/**
 * The audit log's entries (`access_audit`), written in the transaction of the change they
 * record. Their seals are the `AuditChainStore`'s business.
 */
export interface AuditEntryStore {
  /** Writes one entry. */
  insertAudit(tx: Db, e: NewAuditRecord): Promise<void>;

  /** Writes many entries, a few hundred per statement. */
  insertAuditMany(tx: Db, entries: NewAuditRecord[]): Promise<void>;

  /**
   * One page of entries, newest first: those before `afterId`, of one request when
   * `requestId` is given.
   */
  listAudit(opts: {
    afterId?: string;
    limit: number;
    requestId?: string;
  }): Promise<AccessAuditEntry[]>;
}
