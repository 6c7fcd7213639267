import { useApi } from '@backstage/core-plugin-api';
import { AccessRequest } from '@jit-access/plugin-access-common';
import { useEffect, useRef, useState } from 'react';
import { accessApiRef } from '../api';
import { recallSubmission, rememberSubmission } from './submissions';

/**
 * Newest requests looked through for a submission this tab does not remember (after a
 * reload) and, on each refresh, for its requests' current status.
 */
const LOOKUP_LIMIT = 100;

/**
 * The requests of submission `groupId`: those this tab remembers from New Request at
 * once, else (after a reload) found among the user's newest requests. Looked up again on
 * each `refreshKey` change, so their statuses follow the backend.
 */
export function useSubmission(
  groupId: string | undefined,
  refreshKey: number,
): AccessRequest[] | undefined {
  const api = useApi(accessApiRef);
  const [state, setState] = useState<{
    groupId?: string;
    items?: AccessRequest[];
  }>(() => ({
    groupId,
    items: groupId ? recallSubmission(groupId) : undefined,
  }));
  // The refresh the remembered items are as fresh as: no lookup needed for it.
  const firstRefresh = useRef(refreshKey);

  useEffect(() => {
    if (!groupId) return undefined;
    const known = recallSubmission(groupId);
    if (known && refreshKey === firstRefresh.current) {
      setState({ groupId, items: known });
      return undefined;
    }
    let stale = false;
    api.listRequests({ view: 'mine', limit: LOOKUP_LIMIT }).then(
      page => {
        if (stale) return;
        const found = page.items.filter(r => r.groupId === groupId);
        const base = recallSubmission(groupId);
        let items: AccessRequest[] | undefined;
        if (base) {
          const fresh = new Map(found.map(r => [r.id, r]));
          items = base.map(r => fresh.get(r.id) ?? r);
        } else if (found.length) {
          items = found;
        }
        if (items) rememberSubmission(items);
        setState({ groupId, items });
      },
      () => {
        // Keep what we had; the sections below report the outage.
        if (!stale)
          setState(s =>
            s.groupId === groupId ? s : { groupId, items: known },
          );
      },
    );
    return () => {
      stale = true;
    };
  }, [api, groupId, refreshKey]);

  return groupId && state.groupId === groupId ? state.items : undefined;
}
