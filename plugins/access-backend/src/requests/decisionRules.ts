import { ConflictError, NotAllowedError } from '@backstage/errors';
import { AccessApprovalKind } from '@jit-access/plugin-access-common';
import { RequestRecord } from '../database/types';
import { Caller } from './RequestDeps';

/** The kind of decision a request is waiting for; 409 when it waits for none. */
export function pendingDecision(r: RequestRecord): {
  kind: AccessApprovalKind;
  round: number;
} {
  if (r.status === 'pending' && r.awaiting === 'approval')
    return { kind: 'request', round: 0 };
  // Each extension put to the approvers has its own round: no vote carries over.
  if (r.status === 'granted' && r.awaiting === 'extension')
    return { kind: 'extension', round: r.extensionRound ?? 0 };
  // A break-glass review stays open after the access itself ended.
  if (r.awaiting === 'review') return { kind: 'review', round: 0 };
  throw new ConflictError(
    `Request ${r.id} is ${r.status} and waits for no decision`,
  );
}

/**
 * Throws 403 unless the caller may decide `kind` on `r`. `stale`: why the catalog no
 * longer makes the caller an approver (see `Decisions`); admins still decide reviews.
 */
export function assertApprover(
  caller: Caller,
  r: RequestRecord,
  kind: AccessApprovalKind,
  stale?: string,
) {
  const asAdmin = kind === 'review' && caller.isAdmin;
  const isApprover = r.approvers.includes(caller.ref) || asAdmin;
  if (!isApprover)
    throw new NotAllowedError(
      `You are not an approver of access request ${r.id}`,
    );
  if (stale && !asAdmin)
    throw new NotAllowedError(
      `You are no longer an approver of access request ${r.id}: ${stale}`,
    );
  if (caller.ref === r.requester && !r.allowSelfApproval) {
    throw new NotAllowedError('You cannot decide on your own access request');
  }
}
