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

/** Sets `awaiting` on every request in an answer, as the backend sends it. */
export function withAwaiting<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withAwaiting) as T;
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = withAwaiting(v);
  if ('status' in out && 'approvals' in out && 'requester' in out)
    out.awaiting = awaitingOf(out as unknown as AccessRequest);
  return out as T;
}
