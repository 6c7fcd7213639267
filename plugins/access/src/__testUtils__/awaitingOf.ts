// What the backend says a request waits for (`awaiting`), for the fake backend and the
// sample requests (not part of the plugin's exports).
import {
  AccessApprovalKind,
  AccessRequest,
} from '@jit-access/plugin-access-common';

/** The decision `r` waits for, as the backend's `pendingDecision` picks it. */
export function awaitingOf(
  r: Pick<
    AccessRequest,
    'status' | 'approvalType' | 'extension' | 'breakGlass' | 'review'
  >,
): AccessApprovalKind | undefined {
  // Only a manual flow's pending request waits for people; an automatic one is pending
  // while its checks run.
  if (r.status === 'pending')
    return r.approvalType === 'manual' ? 'request' : undefined;
  if (r.status === 'granted' && r.extension?.status === 'pending')
    return 'extension';
  if (r.breakGlass && r.review?.status === 'pending') return 'review';
  return undefined;
}
