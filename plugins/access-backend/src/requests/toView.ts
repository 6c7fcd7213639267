import {
  AccessApproval,
  AccessRequest,
} from '@jit-access/plugin-access-common';
import { ApprovalRecord, RequestRecord } from '../database/types';

const iso = (ms?: number) =>
  ms === undefined ? undefined : new Date(ms).toISOString();

/** Shapes a stored request for the API. */
export function toView(
  r: RequestRecord,
  approvals: ApprovalRecord[],
  favorite: boolean,
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
    endReason:
      r.endReason ??
      (r.ending ? `${r.ending.reason} (revocation in progress)` : undefined),
    lastError: r.lastError,
    favorite,
    ...details,
  };
}
