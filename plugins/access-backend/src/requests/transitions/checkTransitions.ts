import { RequestRecord } from '../../database/types';
import { tellTarget } from './decisionTransitions';
import { EventOf } from './RequestEvent';
import { iso, Transition } from './Transition';

// ---- extensions: the holder asked for more time; new check results are added

export function extensionRejectedByChecks(
  r: RequestRecord,
  e: EventOf<'extension-rejected-by-checks'>,
): Transition {
  return {
    spec: {
      guard: { notEnding: true },
      patch: {
        checks: [...r.checks, ...e.checks],
        extension: {
          ...e.extension,
          status: 'rejected',
          reason: e.reason,
          decidedAt: iso(e.at),
        },
      },
      action: 'extension-rejected-by-checks',
      actor: 'system',
      details: { ...e.extension, ...e.details, reason: e.reason },
    },
    notice: {},
  };
}

export function extensionRequested(
  r: RequestRecord,
  e: EventOf<'extension-requested'>,
): Transition {
  return {
    spec: {
      guard: {
        notEnding: true,
        notExpiredAt: e.at,
        awaiting: r.awaiting ?? null,
      },
      patch: {
        checks: [...r.checks, ...e.checks],
        awaiting: 'extension',
        extension: { ...e.extension, status: 'pending' },
        extensionRound: (r.extensionRound ?? 0) + 1,
      },
      action: 'extension-requested',
      actor: e.by,
      details: { ...e.extension, ...e.details },
    },
    notice: {
      notifyApprovers: true,
      approverMessage: `${r.requester} asks to extend access`,
    },
  };
}

/**
 * An extension the flow grants without people (automatic, break-glass, or a check that
 * approved it), capped to what the approving check allows.
 */
export function extensionAutoApproved(
  r: RequestRecord,
  e: EventOf<'extension-auto-approved'>,
): Transition {
  const reverify =
    e.reverifyFrom !== undefined
      ? { approvedByCheck: e.reverifiedBy, reverifyAfter: e.reverifyFrom }
      : {};
  return {
    spec: {
      guard: { notEnding: true, notExpiredAt: e.at },
      patch: {
        checks: [...r.checks, ...e.checks],
        ...reverify,
        expiresAt: r.expiresAt! + e.grantedSeconds * 1000,
        ...tellTarget(e.tellTarget, e.at),
        extensionsUsed: r.extensionsUsed + 1,
        expiryNotifiedAt: null,
        extension: {
          ...e.extension,
          durationSeconds: e.grantedSeconds,
          status: 'approved',
          decidedAt: iso(e.at),
        },
      },
      action: 'extension-approved',
      actor: e.by,
      severity: e.breakGlass ? 'high' : 'medium',
      details: {
        ...e.extension,
        ...e.details,
        grantedSeconds: e.grantedSeconds,
        automatic: true,
        ...(e.reverifiedBy ? { reverifiedBy: e.reverifiedBy } : {}),
        ...(e.reverifyFrom !== undefined
          ? { reverifiedFrom: iso(e.reverifyFrom) }
          : {}),
      },
    },
    notice: {
      notifyApprovers: e.breakGlass,
      approverMessage: e.breakGlass
        ? `Break-glass access used by ${r.requester} was extended`
        : undefined,
    },
  };
}

// ---- a new request decided by its flow's checks

export function flowGone(
  _r: RequestRecord,
  e: EventOf<'flow-gone'>,
): Transition {
  return {
    spec: {
      to: 'rejected',
      guard: { awaiting: null },
      patch: { endedAt: e.at, endReason: e.reason },
      action: 'request-rejected',
      actor: 'system',
      details: { reason: e.reason },
    },
    notice: { notifyRequester: true },
  };
}

export function rejectedByChecks(
  _r: RequestRecord,
  e: EventOf<'rejected-by-checks'>,
): Transition {
  return {
    spec: {
      to: 'rejected',
      guard: { awaiting: null },
      patch: {
        checks: e.checks,
        endedAt: e.at,
        endReason: e.reason,
        ...(e.dropReview ? { review: null } : {}),
      },
      action: 'request-rejected-by-checks',
      actor: 'system',
      details: { ...e.details, reason: e.reason },
    },
    notice: { notifyRequester: true },
  };
}

export function checksAskApprovers(
  _r: RequestRecord,
  e: EventOf<'checks-ask-approvers'>,
): Transition {
  return {
    spec: {
      guard: { awaiting: null },
      patch: { checks: e.checks, awaiting: 'approval' },
      action: 'checks-evaluated',
      actor: 'system',
      details: e.details,
    },
    notice: { notifyApprovers: true },
  };
}

export function checksApproved(
  r: RequestRecord,
  e: EventOf<'checks-approved'>,
): Transition {
  return {
    spec: {
      to: 'granting',
      guard: { awaiting: null },
      patch: {
        checks: e.checks,
        durationSeconds: e.durationSeconds,
        approvedByCheck: e.checkId ?? null,
        awaiting: r.breakGlass ? 'review' : null,
      },
      action: e.checkId ? 'request-auto-approved' : 'request-approved',
      actor: e.checkId ? `check:${e.checkId}` : 'system',
      severity: r.breakGlass ? 'high' : 'medium',
      details: {
        ...e.details,
        durationSeconds: e.durationSeconds,
        requestedDurationSeconds: r.durationSeconds,
      },
    },
    notice: {},
  };
}
