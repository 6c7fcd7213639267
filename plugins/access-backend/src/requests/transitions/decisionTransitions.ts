import { RequestRecord } from '../../database/types';
import { RequestPatch } from '../../database/AccessStore';
import { EventOf } from './RequestEvent';
import { iso, Transition } from './Transition';
import { withdrawPendingExtension } from './withdrawPendingExtension';

/** The last vote a request needed: it goes on to be granted. */
export function approved(r: RequestRecord, e: EventOf<'approved'>): Transition {
  return {
    spec: {
      to: 'granting',
      guard: { awaiting: 'approval' },
      patch: { awaiting: null },
      action: 'request-approved',
      actor: e.by,
      details: { comment: e.comment, approvals: e.approvals },
    },
    // The decision that approves it, not each partial vote of an N-of-M flow. Its
    // notice shares its scope with the grant's, which replaces it moments later.
    notice: {
      notifyRequester: e.by !== r.requester,
      message: `Access request approved by ${e.by}`,
    },
  };
}

export function extensionApproved(
  r: RequestRecord,
  e: EventOf<'extension-approved'>,
): Transition {
  const ext = r.extension!;
  return {
    spec: {
      guard: { awaiting: 'extension', notEnding: true, notExpiredAt: e.at },
      patch: {
        awaiting: null,
        expiresAt: r.expiresAt! + ext.durationSeconds * 1000,
        ...tellTarget(e.tellTarget, e.at),
        extensionsUsed: r.extensionsUsed + 1,
        expiryNotifiedAt: null,
        extension: { ...ext, status: 'approved', decidedAt: iso(e.at) },
      },
      action: 'extension-approved',
      actor: e.by,
      details: {
        comment: e.comment,
        durationSeconds: ext.durationSeconds,
        previousExpiresAt: iso(r.expiresAt!),
      },
      conflict:
        'The access ran out or is being revoked; it can no longer be extended',
    },
    notice: {
      notifyRequester: e.by !== r.requester,
      message: 'Your access was extended',
    },
  };
}

/**
 * Marks, with the extension itself, that the target must be told: a crash before the
 * provisioner's `extend` leaves the mark, and the expiry task finishes it.
 */
export function tellTarget(tell: boolean, at: number): RequestPatch {
  return tell ? { extendRetryAt: at, extendAttempts: 0 } : {};
}

export function reviewAcknowledged(
  r: RequestRecord,
  e: EventOf<'review-acknowledged'>,
): Transition {
  return {
    spec: {
      guard: { awaiting: 'review' },
      patch: {
        awaiting: null,
        review: {
          status: 'acknowledged',
          reviewer: e.by,
          comment: e.comment,
          at: iso(e.at),
        },
      },
      action: 'breakglass-reviewed',
      actor: e.by,
      details: { comment: e.comment },
    },
    notice: {
      notifyRequester: e.by !== r.requester,
      message: 'Your break-glass access was reviewed and acknowledged',
    },
  };
}

export function rejected(r: RequestRecord, e: EventOf<'rejected'>): Transition {
  return {
    spec: {
      to: 'rejected',
      guard: { awaiting: 'approval' },
      patch: { awaiting: null, endedAt: e.at, endReason: e.reason },
      action: 'request-rejected',
      actor: e.by,
      details: { reason: e.reason },
    },
    notice: { notifyRequester: e.by !== r.requester },
  };
}

export function extensionRejected(
  r: RequestRecord,
  e: EventOf<'extension-rejected'>,
): Transition {
  return {
    spec: {
      guard: { awaiting: 'extension' },
      patch: { awaiting: null, ...withdrawPendingExtension(r, e.reason, e.at) },
      action: 'extension-rejected',
      actor: e.by,
      details: { reason: e.reason },
    },
    notice: {
      notifyRequester: e.by !== r.requester,
      message: `Your extension was rejected: ${e.reason}`,
    },
  };
}

/** Rejecting a break-glass review revokes the access while it is still active. */
export function reviewRejected(
  r: RequestRecord,
  e: EventOf<'review-rejected'>,
): Transition {
  const active = r.status === 'granted' && !r.ending;
  return {
    spec: {
      guard: { awaiting: 'review', ...(active ? { notEnding: true } : {}) },
      patch: {
        awaiting: null,
        review: {
          status: active ? 'revoked' : 'rejected',
          reviewer: e.by,
          comment: e.reason,
          at: iso(e.at),
        },
        ...(active
          ? {
              ending: {
                as: 'revoked' as const,
                reason: `Break-glass review rejected: ${e.reason}`,
                by: e.by,
                at: e.at,
              },
            }
          : {}),
      },
      action: 'breakglass-review-rejected',
      actor: e.by,
      severity: 'high',
      details: { reason: e.reason },
    },
    notice: { severity: 'high' },
  };
}

export function cancelled(
  _r: RequestRecord,
  e: EventOf<'cancelled'>,
): Transition {
  return {
    spec: {
      to: 'cancelled',
      patch: {
        awaiting: null,
        endedAt: e.at,
        endReason: 'Cancelled by the requester',
      },
      action: 'request-cancelled',
      actor: e.by,
    },
    notice: {},
  };
}

export function extensionCancelled(
  r: RequestRecord,
  e: EventOf<'extension-cancelled'>,
): Transition {
  return {
    spec: {
      guard: { awaiting: 'extension' },
      patch: {
        awaiting: null,
        ...withdrawPendingExtension(r, 'Cancelled by the requester', e.at),
      },
      action: 'extension-cancelled',
      actor: e.by,
    },
    notice: {},
  };
}

/**
 * Revocation is decided: the grant stays `granted` with `ending` set until the
 * provisioner confirms. A pending extension ends with it.
 */
export function revokeRequested(
  r: RequestRecord,
  e: EventOf<'revoke-requested'>,
): Transition {
  const patch: RequestPatch = {
    ending: { as: 'revoked', reason: e.reason, by: e.by, at: e.at },
    ...(e.failedCheck ? { checks: [...r.checks, e.failedCheck] } : {}),
  };
  if (e.closesReview) {
    patch.awaiting = null;
    patch.review = {
      status: 'revoked',
      reviewer: e.by,
      comment: e.reason,
      at: iso(e.at),
    };
  } else {
    Object.assign(patch, withdrawPendingExtension(r, 'Access revoked', e.at));
  }
  return {
    spec: {
      guard: { notEnding: true },
      patch,
      action: 'revoke-requested',
      actor: e.by,
      severity: 'high',
      details: { reason: e.reason },
    },
    notice: {},
  };
}
