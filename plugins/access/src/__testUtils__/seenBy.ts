// A fake backend's answer as the backend sends it to one caller (not part of the plugin's
// exports): every request in it carries `awaiting` and the caller's `allowedActions`.
import { AccessRequest } from '@jit-access/plugin-access-common';
import { allowedActionsOf, CallerFacts } from './allowedActionsOf';
import { awaitingOf } from './awaitingOf';

/** `r` with what it waits for and what `caller` may do with it. */
export function requestSeenBy(
  r: AccessRequest,
  caller: string,
  facts: CallerFacts = {},
): AccessRequest {
  const withAwaiting = { ...r, awaiting: awaitingOf(r) };
  return {
    ...withAwaiting,
    allowedActions: allowedActionsOf(withAwaiting, caller, facts),
  };
}

/** Sets `awaiting` and `allowedActions` on every request in an answer. */
export function seenBy<T>(
  value: T,
  caller: string,
  facts: CallerFacts = {},
): T {
  if (Array.isArray(value))
    return value.map(v => seenBy(v, caller, facts)) as T;
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = seenBy(v, caller, facts);
  if ('status' in out && 'approvals' in out && 'requester' in out)
    return requestSeenBy(out as unknown as AccessRequest, caller, facts) as T;
  return out as T;
}
