// What a caller may do with a request (`allowedActions`), for the fake backends and the
// sample requests (not part of the plugin's exports). The same facts as the backend's
// requests/allowedActions.ts; every flow counts as still configured.
import {
  AccessRequest,
  AccessRequestAction,
  TERMINAL_STATUSES,
} from '@jit-access/plugin-access-common';

/** Who asks, as the backend knows them. */
export interface CallerFacts {
  /** Access admins acknowledge or reject break-glass reviews and revoke anything. */
  isAdmin?: boolean;
  /** Milliseconds since the epoch; defaults to now. */
  now?: number;
}

/** Whether `caller` already decided what `r` waits for (each extension is a new round). */
export function alreadyDecided(r: AccessRequest, caller: string): boolean {
  return r.approvals.some(
    a =>
      a.approver === caller &&
      a.kind === r.awaiting &&
      (a.kind !== 'extension' ||
        !r.extension ||
        Date.parse(a.at) >= Date.parse(r.extension.requestedAt)),
  );
}

/** The actions the backend lists for `caller` on `r`, in its order. */
export function allowedActionsOf(
  r: AccessRequest,
  caller: string,
  facts: CallerFacts = {},
): AccessRequestAction[] {
  const now = facts.now ?? Date.now();
  const own = r.requester === caller;
  const active =
    r.status === 'granted' && !r.ending && Date.parse(r.expiresAt ?? '') > now;
  const decides =
    r.awaiting !== undefined &&
    (r.approvers.includes(caller) ||
      (r.awaiting === 'review' && !!facts.isAdmin)) &&
    !own &&
    !alreadyDecided(r, caller);
  const actions: AccessRequestAction[] = [];
  // An extension is only approved while the access it extends lasts.
  if (decides && (r.awaiting !== 'extension' || active))
    actions.push('approve');
  // A break-glass review is rejected once the access it reviews is active.
  if (decides && !(r.awaiting === 'review' && r.status === 'granting'))
    actions.push('reject');
  if (
    (own || r.createdBy === caller) &&
    (r.status === 'pending' ||
      (r.status === 'granted' && r.awaiting === 'extension'))
  )
    actions.push('cancel');
  if (
    (facts.isAdmin || own || r.approvers.includes(caller)) &&
    r.status === 'granted' &&
    !r.ending
  )
    actions.push('revoke');
  if (
    own &&
    active &&
    r.awaiting !== 'extension' &&
    r.extensionsUsed < r.extensionsAllowed
  )
    actions.push('extend');
  if (own && TERMINAL_STATUSES.includes(r.status)) actions.push('again');
  if (own) actions.push('favorite');
  return actions;
}
