import { AccessRequest } from '@jit-access/plugin-access-common';
import {
  approvalsSoFar,
  AWAITED_LABELS,
  AwaitedDecision,
  awaitedDecision,
  decisionWording,
  describeResources,
  formatSeconds,
  isBeingRevoked,
  shortRef,
} from '../shared';
import { ActionItem, ActionResult } from './BatchActionDialog';

/** `alice: orders-db (read) — New request`: how a request is named in dialogs and results. */
export function requestLabel(r: AccessRequest): string {
  const a = awaitedDecision(r);
  return `${shortRef(r.requester)}: ${describeResources(r)}${
    a ? ` — ${AWAITED_LABELS[a]}` : ''
  }`;
}

export function toActionItem(r: AccessRequest): ActionItem {
  return { id: r.id, label: requestLabel(r) };
}

/** `alice asks for orders-db (read) for 2h (Standard).`: what a new request wants. */
function askedFor(r: AccessRequest, who: string, what: string): string {
  return `${who} asks for ${what} for ${formatSeconds(r.durationSeconds)} (${
    r.flowTitle
  }).`;
}

/** Title, explanation and confirm label of the decision dialog for one request. */
export function singleDecisionText(
  r: AccessRequest,
  a: AwaitedDecision,
  mode: 'approve' | 'reject',
): { title: string; description: string; confirm: string; done: string } {
  const who = shortRef(r.requester);
  const what = describeResources(r);
  const wording = decisionWording(r, a);
  if (mode === 'approve') {
    if (a === 'review')
      return {
        title: 'Acknowledge break-glass use',
        description: `Confirms that ${who}'s break-glass access to ${what} was justified. The access itself is not changed.`,
        confirm: wording.approve,
        done: 'Acknowledged',
      };
    if (a === 'extension')
      return {
        title: 'Approve extension',
        description: `${who} asks for ${formatSeconds(
          r.extension?.durationSeconds ?? 0,
        )} more on ${what} (${r.flowTitle}).`,
        confirm: wording.approve,
        done: 'Approved',
      };
    return {
      title: 'Approve access request',
      description: askedFor(r, who, what),
      confirm: wording.approve,
      done: 'Approved',
    };
  }
  if (a === 'review')
    return wording.reject === 'Revoke'
      ? {
          title: 'Revoke break-glass access',
          description: `Marks the use as unjustified and ends ${who}'s access to ${what} now.`,
          confirm: 'Revoke',
          done: 'Revoked',
        }
      : {
          title: 'Reject break-glass use',
          description: `The access to ${what} is no longer active; this records ${who}'s use as unjustified.`,
          confirm: 'Reject',
          done: 'Rejected',
        };
  if (a === 'extension')
    return {
      title: 'Reject extension',
      description: `Refuses the extra time ${who} asked for on ${what}; the current access is not changed.`,
      confirm: 'Reject',
      done: 'Rejected',
    };
  return {
    title: 'Reject access request',
    description: askedFor(r, who, what),
    confirm: 'Reject',
    done: 'Rejected',
  };
}

/**
 * What to tell the approver after a decision call succeeded: more approvals may still be
 * needed, or the grant (or the revocation) failed in the provisioner.
 */
export function decisionResult(
  before: AccessRequest,
  after: AccessRequest,
  mode: 'approve' | 'reject',
): ActionResult | undefined {
  const a = awaitedDecision(before);
  if (mode === 'approve') {
    if (after.status === 'failed')
      return {
        severity: 'warning',
        message: `Approved, but granting failed: ${
          after.endReason ?? after.lastError ?? 'provisioner error'
        }`,
      };
    if (a && a !== 'review' && awaitedDecision(after) === a) {
      const n = approvalsSoFar(after, a).length;
      return {
        severity: 'success',
        message: `Approval recorded (${n} of ${after.requiredApprovals})`,
      };
    }
    return undefined;
  }
  if (isBeingRevoked(after))
    return {
      severity: 'warning',
      message: `Rejected; revoking the access failed and is retried: ${
        after.lastError ?? after.ending?.reason
      }`,
    };
  return undefined;
}
