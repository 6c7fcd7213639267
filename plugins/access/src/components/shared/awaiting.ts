import {
  AccessApproval,
  AccessApprovalKind,
  AccessRequest,
} from '@jit-access/plugin-access-common';
import { isBeingRevoked } from './requestState';

/** What a request in someone's approvals queue is waiting for. */
export type AwaitedDecision = AccessApprovalKind;

/** How each awaited decision is named on screen. */
export const AWAITED_LABELS: Record<AwaitedDecision, string> = {
  request: 'New request',
  extension: 'Extension',
  review: 'Break-glass review',
};

/**
 * The decision a request waits for, as the backend says (`awaiting`): nothing while a
 * new request's checks still run.
 */
export function awaitedDecision(r: AccessRequest): AwaitedDecision | undefined {
  return r.awaiting;
}

/** When the awaited decision was first asked for. */
export function waitingSince(r: AccessRequest, a: AwaitedDecision): string {
  if (a === 'extension' && r.extension) return r.extension.requestedAt;
  if (a === 'review') return r.grantedAt ?? r.createdAt;
  return r.createdAt;
}

/**
 * Approvals already given for the awaited decision. Extension approvals of earlier
 * extensions are on the request too, so only those after this extension was asked count.
 */
export function approvalsSoFar(
  r: AccessRequest,
  a: AwaitedDecision,
): AccessApproval[] {
  return r.approvals.filter(
    x =>
      x.kind === a &&
      x.decision !== 'rejected' &&
      (a !== 'extension' ||
        !r.extension ||
        Date.parse(x.at) >= Date.parse(r.extension.requestedAt)),
  );
}

/** Button wording for deciding on `r`: break-glass reviews acknowledge or revoke. */
export function decisionWording(
  r: AccessRequest,
  a: AwaitedDecision,
): { approve: string; reject: string } {
  if (a === 'review') {
    // Rejecting a review only revokes while the access is active; afterwards it records
    // the use as unjustified, so "Revoke" would promise something that does not happen.
    return {
      approve: 'Acknowledge',
      reject:
        r.status === 'granted' && !isBeingRevoked(r) ? 'Revoke' : 'Reject',
    };
  }
  return { approve: 'Approve', reject: 'Reject' };
}
