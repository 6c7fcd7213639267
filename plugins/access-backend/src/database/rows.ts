import { RequestRecord } from './types';

/** A row as knex returns it. */
export type Row = Record<string, any>;

const num = (v: unknown) =>
  v === null || v === undefined ? undefined : Number(v);
const json = <T>(v: unknown): T | undefined =>
  v === null || v === undefined ? undefined : (JSON.parse(String(v)) as T);

/**
 * An `access_requests` row as a record. PostgreSQL returns bigints as strings, hence the
 * conversions; JSON columns are stored as text.
 */
export function toRequestRecord(r: Row): RequestRecord {
  return {
    id: r.id,
    groupId: r.group_id,
    requester: r.requester,
    createdBy: r.created_by,
    flowId: r.flow_id,
    flowTitle: r.flow_title,
    approvalType: r.approval_type,
    provisioner: r.provisioner,
    resources: JSON.parse(r.resources),
    justification: r.justification,
    durationSeconds: Number(r.duration_seconds),
    status: r.status,
    awaiting: r.awaiting ?? undefined,
    approvers: JSON.parse(r.approvers),
    requiredApprovals: Number(r.required_approvals),
    allowSelfApproval: Boolean(r.allow_self_approval),
    checks: JSON.parse(r.checks),
    breakGlass: Boolean(r.break_glass),
    review: json(r.review),
    extension: json(r.extension),
    extensionsUsed: Number(r.extensions_used),
    extensionsAllowed: Number(r.extensions_allowed),
    extensionRound: Number(r.extension_round ?? 0),
    againOf: r.again_of ?? undefined,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    grantedAt: num(r.granted_at),
    expiresAt: num(r.expires_at),
    endedAt: num(r.ended_at),
    endReason: r.end_reason ?? undefined,
    ending: json(r.ending),
    lastError: r.last_error ?? undefined,
    approvedByCheck: r.approved_by_check ?? undefined,
    reverifyAfter: num(r.reverify_after),
    expiryNotifiedAt: num(r.expiry_notified_at),
    attempts: Number(r.attempts),
    nextAttemptAt: num(r.next_attempt_at),
    extendRetryAt: num(r.extend_retry_at),
    extendAttempts: Number(r.extend_attempts ?? 0),
  };
}
