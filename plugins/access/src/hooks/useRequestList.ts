import { useApi } from '@backstage/core-plugin-api';
import {
  AccessRequest,
  AccessRequestListFilters,
  AccessRequestStatus,
} from '@jit-access/plugin-access-common';
import { accessApiRef, AccessRequestView } from '../api';
import { CursorPages, useCursorPages } from './useCursorPages';

/** What {@link useRequestList} lists. */
export interface RequestListQuery extends AccessRequestListFilters {
  view: AccessRequestView;
  status?: readonly AccessRequestStatus[];
  pageSize: number;
}

/**
 * One page at a time of the requests in a view (with its status and filters), fetched
 * with the backend's cursors (never the whole history), again whenever `refreshKey`
 * changes, and from the first page when the query changes.
 */
export function useRequestList(
  query: RequestListQuery,
  refreshKey: number = 0,
): CursorPages<AccessRequest> {
  const api = useApi(accessApiRef);
  const { view, status, pageSize, requester, entityRef, flowId } = query;
  return useCursorPages(
    JSON.stringify([view, status, pageSize, requester, entityRef, flowId]),
    cursor =>
      api.listRequests({
        view,
        status: status ? [...status] : undefined,
        requester: requester || undefined,
        entityRef: entityRef || undefined,
        flowId: flowId || undefined,
        cursor,
        limit: pageSize,
      }),
    refreshKey,
  );
}
