import {
  AccessApproval,
  AccessApprovalKind,
  AccessRequest,
  AccessRequestAction,
} from '@jit-access/plugin-access-common';
import { ApprovalRecord, RequestRecord } from '../database/types';

const iso = (ms?: number) =>
  ms === undefined ? undefined : new Date(ms).toISOString();

/** The API names a new request's decision as approvals do: `request`. */
const AWAITING: Record<
  NonNullable<RequestRecord['awaiting']>,
  AccessApprovalKind
> = { approval: 'request', extension: 'extension', review: 'review' };

/** Shapes a stored request for the API, as `allowedActions` says the caller sees it. */
export function toView(
  r: RequestRecord,
  approvals: ApprovalRecord[],
  favorite: boolean,
  allowedActions: AccessRequestAction[],
  /** The grantee's access details, or why they cannot be shown. */
  details?:
    | { accessDetails: Record<string, string> }
    | { accessDetailsError: string },
): AccessRequest {
  return {
    id: r.id,
    groupId: r.groupId,
    requester: r.requester,
    createdBy: r.createdBy,
    flowId: r.flowId,
    flowTitle: r.flowTitle,
    approvalType: r.approvalType,
    resources: r.resources,
    justification: r.justification,
    durationSeconds: r.durationSeconds,
    status: r.status,
    approvers: r.approvers,
    requiredApprovals: r.requiredApprovals,
    approvals: approvals
      .filter(a => a.requestId === r.id)
      .map(
        (a): AccessApproval => ({
          approver: a.approver,
          decision: a.decision,
          kind: a.kind,
          comment: a.comment,
          at: new Date(a.at).toISOString(),
        }),
      ),
    checks: r.checks,
    breakGlass: r.breakGlass,
    review: r.review,
    extension: r.extension,
    extensionsUsed: r.extensionsUsed,
    extensionsAllowed: r.extensionsAllowed,
    againOf: r.againOf,
    createdAt: iso(r.createdAt)!,
    updatedAt: iso(r.updatedAt)!,
    grantedAt: iso(r.grantedAt),
    expiresAt: iso(r.expiresAt),
    endedAt: iso(r.endedAt),
    endReason: r.endReason,
    awaiting: r.awaiting ? AWAITING[r.awaiting] : undefined,
    ending: r.ending ? { ...r.ending, at: iso(r.ending.at)! } : undefined,
    lastError: r.lastError,
    favorite,
    allowedActions,
    ...details,
  };
}
