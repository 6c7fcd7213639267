import { useApi } from '@backstage/core-plugin-api';
import {
  AccessRequest,
  AccessRequestStatus,
} from '@jit-access/plugin-access-common';
import { accessApiRef, AccessRequestView } from '../../api';
import { CursorPages, useCursorPages } from '../shared';

/**
 * One page at a time of the user's requests in `view` (with `status`), fetched with the
 * backend's cursors (never the whole history) and again whenever `refreshKey` changes.
 */
export function useRequestPages(
  view: AccessRequestView,
  status: readonly AccessRequestStatus[] | undefined,
  pageSize: number,
  refreshKey: number,
): CursorPages<AccessRequest> {
  const api = useApi(accessApiRef);
  return useCursorPages(
    `${view}:${status?.join(',') ?? ''}:${pageSize}`,
    cursor =>
      api.listRequests({
        view,
        status: status ? [...status] : undefined,
        cursor,
        limit: pageSize,
      }),
    refreshKey,
  );
}
