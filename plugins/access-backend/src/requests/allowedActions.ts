import { ConflictError, NotAllowedError } from '@backstage/errors';
import {
  AccessRequestAction,
  TERMINAL_STATUSES,
} from '@jit-access/plugin-access-common';
import { ApprovalRecord, RequestRecord } from '../database/types';
import { approverRefusal, awaitedDecision } from './decisionRules';
import { Caller } from './RequestDeps';

/**
 * Why `caller` may not ask to extend `r` at `now` (`forbidden`: 403, else 409), or nothing
 * when they may. The duration and justification are checked against the flow when they
 * ask. No error is built here: lists call it for every row.
 */
export function extensionRefusal(
  caller: Caller,
  r: RequestRecord,
  now: number,
): { forbidden: boolean; message: string } | undefined {
  const conflict = (message: string) => ({ forbidden: false, message });
  if (r.requester !== caller.ref)
    return {
      forbidden: true,
      message: 'Only the holder can extend this access',
    };
  if (r.status !== 'granted' || r.ending || (r.expiresAt ?? 0) <= now)
    return conflict(
      `Request ${r.id} is not active access; only active access can be extended`,
    );
  if (r.awaiting === 'extension')
    return conflict(
      'An extension of this access is already waiting for approval',
    );
  if (r.extensionsUsed >= r.extensionsAllowed)
    return conflict(
      r.extensionsAllowed === 0
        ? `Flow "${r.flowId}" does not allow extensions`
        : `This access was already extended ${r.extensionsUsed} time(s), the most flow "${r.flowId}" allows`,
    );
  return undefined;
}

/** Throws what {@link extensionRefusal} says. */
export function assertExtensionAllowed(
  caller: Caller,
  r: RequestRecord,
  now: number,
) {
  const refused = extensionRefusal(caller, r, now);
  if (refused?.forbidden) throw new NotAllowedError(refused.message);
  if (refused) throw new ConflictError(refused.message);
}

/** The decision `caller` may make on `r` now, unless they already made it. */
function openDecision(
  caller: Caller,
  r: RequestRecord,
  approvals: ApprovalRecord[],
) {
  const decision = awaitedDecision(r);
  if (!decision || approverRefusal(caller, r, decision.kind)) return undefined;
  const decided = approvals.some(
    a =>
      a.requestId === r.id &&
      a.approver === caller.ref &&
      a.kind === decision.kind &&
      a.round === decision.round,
  );
  return decided ? undefined : decision;
}

/**
 * What `caller` may do with `r` now, by the same rules the actions apply (the catalog is
 * asked again when they act: an approver who left the group is refused then).
 */
export function allowedActions(
  caller: Caller,
  r: RequestRecord,
  options: {
    approvals: ApprovalRecord[];
    now: number;
    /** Whether the request's flow is still configured (extensions go through it). */
    flowExists: boolean;
  },
): AccessRequestAction[] {
  const actions: AccessRequestAction[] = [];
  const decision = openDecision(caller, r, options.approvals);
  // Approving needs the flow (only an admin acknowledges a review without it), and an
  // extension needs access that has not run out or begun to end.
  const approvable =
    decision &&
    (options.flowExists || (decision.kind === 'review' && caller.isAdmin)) &&
    !(
      decision.kind === 'extension' &&
      (r.ending || (r.expiresAt ?? 0) <= options.now)
    );
  if (approvable) actions.push('approve');
  // A break-glass review is rejected once the access it reviews is active.
  if (decision && !(decision.kind === 'review' && r.status === 'granting'))
    actions.push('reject');
  const own = r.requester === caller.ref;
  if (
    (own || r.createdBy === caller.ref) &&
    (r.status === 'pending' ||
      (r.status === 'granted' && r.awaiting === 'extension'))
  )
    actions.push('cancel');
  if (
    (caller.isAdmin || own || r.approvers.includes(caller.ref)) &&
    r.status === 'granted' &&
    !r.ending
  )
    actions.push('revoke');
  if (options.flowExists && !extensionRefusal(caller, r, options.now))
    actions.push('extend');
  if (own && TERMINAL_STATUSES.includes(r.status)) actions.push('again');
  if (own) actions.push('favorite');
  return actions;
}
