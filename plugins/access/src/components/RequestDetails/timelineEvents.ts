import {
  ACCESS_REQUEST_STATUS_LABELS,
  AccessApproval,
  AccessCheckResult,
  AccessRequest,
  AccessReview,
} from '@jit-access/plugin-access-common';
import {
  formatSeconds,
  formatTime,
  isBeingRevoked,
  missingApprovals,
  remainingApprovers,
  shortRef,
} from '../shared';

/** How an event is coloured. */
export type TimelineTone = 'neutral' | 'success' | 'error' | 'warning' | 'info';

/** One step in a request's life, as the timeline shows it. */
export interface TimelineEvent {
  key: string;
  /** ISO time; absent for states still open (waiting for approval, review pending, ...). */
  at?: string;
  title: string;
  /** Entity ref (or `check:<id>`, `service:<name>`, `system`) of who did it. */
  actor?: string;
  /** A second actor shown as "for ..." (the requester of a request filed by a service). */
  onBehalfOf?: string;
  /** Comment, justification, reason or check detail. */
  detail?: string;
  /** Small print under the title (check type, duration, ...). */
  note?: string;
  tone: TimelineTone;
}

const CHECK_TONES: Record<AccessCheckResult['outcome'], TimelineTone> = {
  passed: 'success',
  failed: 'error',
  error: 'warning',
};

const REVIEW_TITLES: Record<AccessReview['status'], string> = {
  pending: 'Break-glass review pending',
  acknowledged: 'Break-glass use acknowledged',
  revoked: 'Break-glass review: access revoked',
  rejected: 'Break-glass review rejected',
};

function approvalEvent(a: AccessApproval, index: number): TimelineEvent {
  const base = {
    key: `approval-${index}`,
    at: a.at,
    actor: a.approver,
    detail: a.comment || undefined,
  };
  if (a.kind === 'extension') {
    return {
      ...base,
      title:
        a.decision === 'rejected' ? 'Extension rejected' : 'Extension approved',
      tone: a.decision === 'rejected' ? 'error' : 'success',
    };
  }
  if (a.kind === 'review') {
    return {
      ...base,
      title:
        a.decision === 'rejected'
          ? 'Break-glass review rejected'
          : 'Break-glass use acknowledged',
      tone: a.decision === 'rejected' ? 'error' : 'success',
    };
  }
  return {
    ...base,
    title: a.decision === 'rejected' ? 'Rejected' : 'Approved',
    tone: a.decision === 'rejected' ? 'error' : 'success',
  };
}

/**
 * Everything that happened to a request, oldest first, followed by what it still waits
 * for. Built only from the request's own fields; the audit log holds more for admins.
 */
export function buildTimeline(r: AccessRequest): TimelineEvent[] {
  // Events at the same instant keep this order (submission before its checks, ...).
  const dated: { event: TimelineEvent; rank: number }[] = [];
  const add = (event: TimelineEvent, rank: number) =>
    dated.push({ event, rank });

  const onBehalf = r.createdBy !== r.requester;
  add(
    {
      key: 'submitted',
      at: r.createdAt,
      title: r.breakGlass ? 'Break-glass access requested' : 'Requested',
      actor: r.createdBy,
      onBehalfOf: onBehalf ? r.requester : undefined,
      detail: r.justification || undefined,
      note: `${formatSeconds(r.durationSeconds)} via ${r.flowTitle}${
        r.againOf ? ' · requested again from an earlier request' : ''
      }`,
      tone: r.breakGlass ? 'warning' : 'info',
    },
    0,
  );

  r.checks.forEach((c, i) =>
    add(
      {
        key: `check-${i}`,
        at: c.at,
        title: `Check "${c.checkId}" ${c.outcome}`,
        actor: `check:${c.checkId}`,
        detail: c.detail || undefined,
        note: c.type,
        tone: CHECK_TONES[c.outcome],
      },
      1,
    ),
  );

  r.approvals.forEach((a, i) => add(approvalEvent(a, i), 2));

  if (r.grantedAt) {
    add(
      {
        key: 'granted',
        at: r.grantedAt,
        title: r.breakGlass ? 'Break-glass access granted' : 'Access granted',
        note:
          r.status === 'granted' && r.expiresAt
            ? `until ${formatTime(r.expiresAt)}`
            : undefined,
        tone: 'success',
      },
      3,
    );
  }

  const ext = r.extension;
  if (ext) {
    add(
      {
        key: 'extension-requested',
        at: ext.requestedAt,
        title: `Extension of ${formatSeconds(ext.durationSeconds)} requested`,
        actor: r.requester,
        detail: ext.justification || undefined,
        tone: 'info',
      },
      4,
    );
    // A person's decision is already in approvals[]; show the extension's own decision
    // only when nobody decided it (applied at once, checks, cancelled, revoked).
    const decidedByPerson = r.approvals.some(
      a => a.kind === 'extension' && a.at >= ext.requestedAt,
    );
    if (ext.decidedAt && ext.status !== 'pending' && !decidedByPerson) {
      add(
        {
          key: 'extension-decided',
          at: ext.decidedAt,
          title:
            ext.status === 'approved'
              ? `Extended by ${formatSeconds(ext.durationSeconds)}`
              : 'Extension refused',
          detail: ext.reason || undefined,
          tone: ext.status === 'approved' ? 'success' : 'error',
        },
        5,
      );
    }
  }

  const review = r.review;
  const reviewedByPerson = r.approvals.some(a => a.kind === 'review');
  if (review && review.status !== 'pending' && review.at && !reviewedByPerson) {
    add(
      {
        key: 'review',
        at: review.at,
        title: REVIEW_TITLES[review.status],
        actor: review.reviewer,
        detail: review.comment || undefined,
        tone: review.status === 'acknowledged' ? 'success' : 'error',
      },
      6,
    );
  }

  if (r.endedAt) {
    const titles: Record<string, string> = {
      expired: 'Expired',
      revoked: 'Revoked',
      rejected: 'Rejected',
      failed: 'Granting failed',
      cancelled: 'Cancelled',
    };
    const detail = [r.endReason, r.status === 'failed' ? r.lastError : '']
      .filter(
        (x, i, all): x is string => !!x && all.indexOf(x) === i, // no repeats
      )
      .join('\n');
    add(
      {
        key: 'ended',
        at: r.endedAt,
        title: `Ended: ${
          titles[r.status] ?? ACCESS_REQUEST_STATUS_LABELS[r.status]
        }`,
        detail: detail || undefined,
        tone:
          r.status === 'failed' || r.status === 'rejected'
            ? 'error'
            : 'neutral',
      },
      7,
    );
  }

  dated.sort(
    (a, b) =>
      Date.parse(a.event.at!) - Date.parse(b.event.at!) || a.rank - b.rank,
  );
  const events = dated.map(d => d.event);

  // What is still open, after everything that happened.
  if (r.status === 'pending') {
    const missing = missingApprovals(r);
    // the backend says whether people are asked yet: while checks run, they are not
    events.push(
      r.awaiting === 'request' && missing > 0
        ? {
            key: 'waiting',
            title: `Waiting for ${missing} more approval${
              missing === 1 ? '' : 's'
            }`,
            note: remainingApprovers(r).length
              ? `from ${remainingApprovers(r).map(shortRef).join(', ')}`
              : undefined,
            tone: 'warning',
          }
        : {
            key: 'waiting',
            title: 'Waiting for its checks',
            tone: 'warning',
          },
    );
  } else if (r.status === 'granting') {
    events.push({
      key: 'granting',
      title: 'Being granted',
      note: 'The provisioner is granting the access',
      tone: 'info',
    });
  }
  if (ext?.status === 'pending') {
    events.push({
      key: 'extension-waiting',
      title: 'Extension waiting for approval',
      tone: 'warning',
    });
  }
  if (isBeingRevoked(r)) {
    events.push({
      key: 'revoking',
      title: 'Being revoked',
      detail: r.ending?.reason,
      tone: 'warning',
    });
  }
  if (r.lastError && r.status !== 'failed') {
    events.push({
      key: 'last-error',
      title: 'Provisioner error, retrying',
      detail: r.lastError,
      tone: 'error',
    });
  }
  if (review?.status === 'pending' && r.status !== 'failed' && r.grantedAt) {
    events.push({
      key: 'review-pending',
      title: 'Break-glass review pending',
      tone: 'warning',
    });
  }
  return events;
}
