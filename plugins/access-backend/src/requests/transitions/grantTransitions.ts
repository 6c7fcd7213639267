import { RequestRecord } from '../../database/types';
import { EventOf } from './RequestEvent';
import { iso, Transition } from './Transition';
import { withdrawPendingExtension } from './withdrawPendingExtension';

/** The provisioner failed: nothing was given, but what it may have done is undone. */
export function grantFailed(
  r: RequestRecord,
  e: EventOf<'grant-failed'>,
): Transition {
  return {
    spec: {
      to: 'failed',
      patch: {
        endedAt: e.at,
        endReason: `Provisioner "${r.provisioner}" failed: ${e.error}`,
        lastError: e.error,
        awaiting: null,
        // No access was given, so there is nothing left to review.
        review: null,
        ending: {
          as: 'cleanup',
          reason: 'Undo a partial grant',
          by: 'system',
          at: e.at,
        },
      },
      action: 'grant-failed',
      actor: 'system',
      severity: 'high',
      details: { error: e.error },
    },
    notice: { severity: 'high', notifyRequester: true },
  };
}

export function granted(r: RequestRecord, e: EventOf<'granted'>): Transition {
  const severity = r.breakGlass ? 'high' : 'medium';
  return {
    spec: {
      to: 'granted',
      patch: {
        grantedAt: e.grantedAt,
        expiresAt: e.expiresAt,
        lastError: null,
      },
      action: r.breakGlass ? 'breakglass-granted' : 'access-granted',
      actor: e.by,
      severity,
      details: { expiresAt: iso(e.expiresAt), provisioner: r.provisioner },
    },
    notice: {
      severity,
      notifyRequester: true,
      notifyApprovers: r.breakGlass,
      approverMessage: r.breakGlass
        ? `Break-glass access used by ${r.requester}: please review`
        : undefined,
    },
  };
}

/** A grant call answered after the request had ended: undo what it may have re-created. */
export function lateGrantUndo(
  _r: RequestRecord,
  e: EventOf<'late-grant-undo'>,
): Transition {
  return {
    spec: {
      guard: { notEnding: true },
      patch: {
        ending: {
          as: 'cleanup',
          reason: 'Undo a grant that finished after the request had ended',
          by: 'system',
          at: e.at,
        },
        nextAttemptAt: null,
      },
      action: 'late-grant-undo',
      actor: 'system',
      severity: 'high',
    },
    notice: {},
  };
}

/** The target confirmed the revocation: the grant ends as it was decided. */
export function grantEnded(
  r: RequestRecord,
  e: EventOf<'grant-ended'>,
): Transition {
  const { ending, endedAt } = e;
  const expired = ending.as === 'expired';
  return {
    spec: {
      to: expired ? 'expired' : 'revoked',
      patch: {
        endedAt,
        endReason: ending.reason,
        ending: null,
        // An open break-glass review outlives the access; anything else waiting ends with it.
        awaiting: r.awaiting === 'review' ? 'review' : null,
        lastError: null,
        nextAttemptAt: null,
        ...withdrawPendingExtension(r, 'Access ended'),
      },
      action: expired ? 'access-expired' : 'access-revoked',
      actor: ending.by,
      severity: ending.as === 'revoked' ? 'high' : 'medium',
      details: {
        reason: ending.reason,
        expiresAt: r.expiresAt ? iso(r.expiresAt) : undefined,
        lagMs: expired && r.expiresAt ? endedAt - r.expiresAt : undefined,
      },
    },
    // The holder who ended their own access is not told about it.
    notice: { notifyRequester: ending.by !== r.requester },
  };
}

export function timedOut(
  _r: RequestRecord,
  e: EventOf<'timed-out'>,
): Transition {
  return {
    spec: {
      to: 'expired',
      patch: {
        awaiting: null,
        endedAt: e.at,
        endReason: `Nobody decided within ${e.after}`,
      },
      action: 'request-timed-out',
      actor: 'system',
    },
    notice: { notifyRequester: true },
  };
}
