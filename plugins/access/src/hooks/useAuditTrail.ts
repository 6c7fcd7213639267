import { useApi } from '@backstage/core-plugin-api';
import { AccessAuditEntry } from '@jit-access/plugin-access-common';
import { useMemo } from 'react';
import { accessApiRef } from '../api';
import { fetchAuditCsv } from '../api/auditCsv';
import { CursorPages, useCursorPages } from './useCursorPages';

/** The audit trail, newest first, one page of `pageSize` entries at a time. */
export function useAuditTrail(pageSize: number): CursorPages<AccessAuditEntry> {
  const api = useApi(accessApiRef);
  return useCursorPages('audit', cursor =>
    api.getAudit({ cursor, limit: pageSize }),
  );
}

/** What the audit tab does with the whole trail rather than a page of it. */
export function useAuditTools() {
  const api = useApi(accessApiRef);
  return useMemo(
    () => ({
      /** Has the backend recompute the trail's seals. */
      verify: () => api.verifyAudit(),
      /** The whole trail as CSV; `onProgress` hears the entries read so far. */
      exportCsv: (onProgress: (entries: number) => void) =>
        fetchAuditCsv(api, onProgress),
    }),
    [api],
  );
}
