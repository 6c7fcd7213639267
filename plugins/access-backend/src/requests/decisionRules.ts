import { ConflictError, NotAllowedError } from '@backstage/errors';
import { AccessApprovalKind } from '@jit-access/plugin-access-common';
import { RequestRecord } from '../database/types';
import { Caller } from './RequestDeps';

/** A decision people can make on a request, and its voting round. */
export interface OpenDecision {
  kind: AccessApprovalKind;
  round: number;
}

/** The decision a request waits for, or nothing. */
export function awaitedDecision(r: RequestRecord): OpenDecision | undefined {
  if (r.status === 'pending' && r.awaiting === 'approval')
    return { kind: 'request', round: 0 };
  // Each extension put to the approvers has its own round: no vote carries over.
  if (r.status === 'granted' && r.awaiting === 'extension')
    return { kind: 'extension', round: r.extensionRound ?? 0 };
  // A break-glass review stays open after the access itself ended.
  if (r.awaiting === 'review') return { kind: 'review', round: 0 };
  return undefined;
}

/** The kind of decision a request is waiting for; 409 when it waits for none. */
export function pendingDecision(r: RequestRecord): OpenDecision {
  const decision = awaitedDecision(r);
  if (!decision)
    throw new ConflictError(
      `Request ${r.id} is ${r.status} and waits for no decision`,
    );
  return decision;
}

/**
 * Why the caller may not decide `kind` on `r` (the 403's message), or nothing. `stale`:
 * why the catalog no longer makes the caller an approver (see `Decisions`); admins still
 * decide reviews.
 */
export function approverRefusal(
  caller: Caller,
  r: RequestRecord,
  kind: AccessApprovalKind,
  stale?: string,
): string | undefined {
  const asAdmin = kind === 'review' && caller.isAdmin;
  if (!r.approvers.includes(caller.ref) && !asAdmin)
    return `You are not an approver of access request ${r.id}`;
  if (stale && !asAdmin)
    return `You are no longer an approver of access request ${r.id}: ${stale}`;
  if (caller.ref === r.requester && !r.allowSelfApproval)
    return 'You cannot decide on your own access request';
  return undefined;
}

/** Throws 403 unless the caller may decide `kind` on `r` (see {@link approverRefusal}). */
export function assertApprover(
  caller: Caller,
  r: RequestRecord,
  kind: AccessApprovalKind,
  stale?: string,
) {
  const refused = approverRefusal(caller, r, kind, stale);
  if (refused) throw new NotAllowedError(refused);
}
