import {
  AccessCheckResult,
  AccessExtension,
  AccessRequestStatus,
  AccessReview,
} from '@jit-access/plugin-access-common';
import { Awaiting, RequestRecord } from '../../database/types';

/**
 * Where a request stands, all in one: its status and the sub-states that qualify it. A
 * `granted` request may at once wait for an extension decision and a break-glass review,
 * or be `ending` (revocation decided, the target not yet confirmed).
 */
export interface RequestState {
  status: AccessRequestStatus;
  /** What people must decide: a request, an extension, a break-glass review. */
  awaiting?: Awaiting;
  /** A revocation (or, on a failed request, the undo of a partial grant) under way. */
  ending?: NonNullable<RequestRecord['ending']>['as'];
  extension?: AccessExtension['status'];
  review?: AccessReview['status'];
}

/** The state of a stored request. */
export function stateOf(r: RequestRecord): RequestState {
  return {
    status: r.status,
    awaiting: r.awaiting,
    ending: r.ending?.as,
    extension: r.extension?.status,
    review: r.review?.status,
  };
}

/** Check results and what the audit entry records of them. */
interface Checked {
  checks: AccessCheckResult[];
  details: Record<string, unknown>;
}

/**
 * Everything that can happen to a request, one member per change. `at` is when the
 * caller decided it; the row's `updatedAt` is the writer's own clock.
 * {@link planTransition} turns each into its guard, patch, audit entry and notice.
 */
export type RequestEvent =
  // ---- approvers (Decisions)
  | { type: 'approved'; by: string; comment?: string; approvals: number }
  | {
      type: 'extension-approved';
      by: string;
      comment?: string;
      at: number;
      /** The provisioner has `extend`: mark the target as to be told. */
      tellTarget: boolean;
    }
  | { type: 'review-acknowledged'; by: string; comment?: string; at: number }
  | { type: 'rejected'; by: string; reason: string; at: number }
  | { type: 'extension-rejected'; by: string; reason: string; at: number }
  | { type: 'review-rejected'; by: string; reason: string; at: number }
  // ---- the requester, the holder, approvers and admins (CancelAndRevoke)
  | { type: 'cancelled'; by: string; at: number }
  | { type: 'extension-cancelled'; by: string; at: number }
  | {
      type: 'revoke-requested';
      by: string;
      reason: string;
      at: number;
      /** An approver or admin revoking break-glass access has reviewed it. */
      closesReview: boolean;
      /** The re-verification result that no longer passes, when a check revokes. */
      failedCheck?: AccessCheckResult;
    }
  // ---- the holder asks for more time (Extensions); `checks` are added to the request's
  | ({
      type: 'extension-requested';
      by: string;
      extension: ExtensionAsked;
      at: number;
    } & Checked)
  | ({
      type: 'extension-rejected-by-checks';
      extension: ExtensionAsked;
      reason: string;
      at: number;
    } & Checked)
  | ({
      type: 'extension-auto-approved';
      by: string;
      extension: ExtensionAsked;
      grantedSeconds: number;
      breakGlass: boolean;
      at: number;
      tellTarget: boolean;
      /** The re-verifying check the grant now rests on, and from when (see `reverifyAfter`). */
      reverifiedBy?: string;
      reverifyFrom?: number;
    } & Checked)
  // ---- checks decide a new request (CheckRunner); `checks` are the request's results
  | { type: 'flow-gone'; reason: string; at: number }
  | ({
      type: 'rejected-by-checks';
      reason: string;
      at: number;
      /** Never granted: a break-glass review has nothing to look at. */
      dropReview: boolean;
    } & Checked)
  | ({ type: 'checks-ask-approvers' } & Checked)
  | ({
      type: 'checks-approved';
      checkId?: string;
      durationSeconds: number;
    } & Checked)
  // ---- the provisioner's answers and the end of a grant (Granting, GrantEnding, tasks)
  | { type: 'grant-failed'; error: string; at: number }
  | { type: 'granted'; by: string; grantedAt: number; expiresAt: number }
  | { type: 'late-grant-undo'; at: number }
  | {
      type: 'grant-ended';
      ending: NonNullable<RequestRecord['ending']>;
      endedAt: number;
    }
  | { type: 'timed-out'; after: string; at: number };

/** What the holder asked for in an extension. */
export interface ExtensionAsked {
  durationSeconds: number;
  justification: string;
  requestedAt: string;
}

/** The event of one type, e.g. `EventOf<'approved'>`: what a transition of that type takes. */
export type EventOf<T extends RequestEvent['type']> = Extract<
  RequestEvent,
  { type: T }
>;
