// What the backend says a request waits for (`awaiting`), for the fake backend and the
// sample requests (not part of the plugin's exports).
import {
  AccessApprovalKind,
  AccessRequest,
} from '@jit-access/plugin-access-common';

/** The decision `r` waits for, as the backend's `pendingDecision` picks it. */
export function awaitingOf(
  r: Pick<AccessRequest, 'status' | 'extension' | 'breakGlass' | 'review'>,
): AccessApprovalKind | undefined {
  if (r.status === 'pending') return 'request';
  if (r.status === 'granted' && r.extension?.status === 'pending')
    return 'extension';
  if (r.breakGlass && r.review?.status === 'pending') return 'review';
  return undefined;
}
