import { AccessAuditEntry } from '@jit-access/plugin-access-common';
import { AuditEntryStore } from '../database/audit/AuditEntryStore';

/** One page of the audit trail, newest first, and the cursor of the next one. */
export interface AuditTrailPage {
  items: AccessAuditEntry[];
  /** The id to pass as `cursor` for the next page; undefined on the last page. */
  nextCursor?: string;
}

/**
 * Reads a page of the audit trail: one row more than asked tells whether a next page
 * exists, without a count.
 */
export async function readAuditTrailPage(
  store: Pick<AuditEntryStore, 'listAudit'>,
  query: { cursor?: string; limit: number; requestId?: string },
): Promise<AuditTrailPage> {
  const rows = await store.listAudit({
    afterId: query.cursor,
    limit: query.limit + 1,
    requestId: query.requestId,
  });
  const items = rows.slice(0, query.limit);
  return {
    items,
    nextCursor:
      rows.length > query.limit ? items[items.length - 1].id : undefined,
  };
}
