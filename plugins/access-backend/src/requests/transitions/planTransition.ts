import { RequestRecord } from '../../database/types';
import * as checks from './checkTransitions';
import * as decisions from './decisionTransitions';
import * as grants from './grantTransitions';
import { RequestEvent } from './RequestEvent';
import { Transition } from './Transition';

/**
 * The guard, patch, audit entry and notice of `e` on `r`: pure, and the one place each
 * change is stated. A new event type that is not handled here does not compile.
 */
export function planTransition(r: RequestRecord, e: RequestEvent): Transition {
  switch (e.type) {
    case 'approved':
      return decisions.approved(r, e);
    case 'extension-approved':
      return decisions.extensionApproved(r, e);
    case 'review-acknowledged':
      return decisions.reviewAcknowledged(r, e);
    case 'rejected':
      return decisions.rejected(r, e);
    case 'extension-rejected':
      return decisions.extensionRejected(r, e);
    case 'review-rejected':
      return decisions.reviewRejected(r, e);
    case 'cancelled':
      return decisions.cancelled(r, e);
    case 'extension-cancelled':
      return decisions.extensionCancelled(r, e);
    case 'revoke-requested':
      return decisions.revokeRequested(r, e);
    case 'extension-requested':
      return checks.extensionRequested(r, e);
    case 'extension-rejected-by-checks':
      return checks.extensionRejectedByChecks(r, e);
    case 'extension-auto-approved':
      return checks.extensionAutoApproved(r, e);
    case 'flow-gone':
      return checks.flowGone(r, e);
    case 'rejected-by-checks':
      return checks.rejectedByChecks(r, e);
    case 'checks-ask-approvers':
      return checks.checksAskApprovers(r, e);
    case 'checks-approved':
      return checks.checksApproved(r, e);
    case 'grant-failed':
      return grants.grantFailed(r, e);
    case 'granted':
      return grants.granted(r, e);
    case 'late-grant-undo':
      return grants.lateGrantUndo(r, e);
    case 'grant-ended':
      return grants.grantEnded(r, e);
    case 'timed-out':
      return grants.timedOut(r, e);
    default:
      return unknownEvent(e);
  }
}

function unknownEvent(e: never): never {
  throw new Error(`Unknown request event ${JSON.stringify(e)}`);
}
