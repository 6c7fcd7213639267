import { Row } from '../rows';
import { NewRequestRecord } from '../types';
import { RequestPatch } from './RequestStore';

/** The columns a patch may write, by record field. */
const COLUMN: Record<string, string> = {
  status: 'status',
  awaiting: 'awaiting',
  review: 'review',
  extension: 'extension',
  extensionsUsed: 'extensions_used',
  extensionRound: 'extension_round',
  grantedAt: 'granted_at',
  expiresAt: 'expires_at',
  endedAt: 'ended_at',
  endReason: 'end_reason',
  ending: 'ending',
  lastError: 'last_error',
  attempts: 'attempts',
  nextAttemptAt: 'next_attempt_at',
  extendRetryAt: 'extend_retry_at',
  extendAttempts: 'extend_attempts',
  checks: 'checks',
  approvedByCheck: 'approved_by_check',
  reverifyAfter: 'reverify_after',
  expiryNotifiedAt: 'expiry_notified_at',
  durationSeconds: 'duration_seconds',
};
const JSON_COLUMNS = new Set(['review', 'extension', 'ending', 'checks']);

/** The `access_requests` row of a new request. */
export function newRequestRow(r: NewRequestRecord): Row {
  return {
    id: r.id,
    group_id: r.groupId,
    requester: r.requester,
    created_by: r.createdBy,
    flow_id: r.flowId,
    flow_title: r.flowTitle,
    approval_type: r.approvalType,
    provisioner: r.provisioner,
    resources: JSON.stringify(r.resources),
    justification: r.justification,
    duration_seconds: r.durationSeconds,
    status: r.status,
    awaiting: r.awaiting ?? null,
    approvers: JSON.stringify(r.approvers),
    required_approvals: r.requiredApprovals,
    allow_self_approval: r.allowSelfApproval,
    checks: JSON.stringify(r.checks),
    break_glass: r.breakGlass,
    review: r.review ? JSON.stringify(r.review) : null,
    extension: r.extension ? JSON.stringify(r.extension) : null,
    extensions_used: r.extensionsUsed,
    extensions_allowed: r.extensionsAllowed,
    again_of: r.againOf ?? null,
    created_at: r.createdAt,
    updated_at: r.createdAt,
    granted_at: r.grantedAt ?? null,
    expires_at: r.expiresAt ?? null,
    ended_at: r.endedAt ?? null,
    end_reason: r.endReason ?? null,
    attempts: 0,
  };
}

/**
 * The column values a guarded update writes for a patch.
 *
 * @throws for a field a state change does not write.
 */
export function patchValues(patch: RequestPatch, now: number): Row {
  const values: Row = { updated_at: now };
  for (const [k, v] of Object.entries(patch)) {
    const col = COLUMN[k];
    if (!col) throw new Error(`cannot patch ${k}`);
    if (v === null || v === undefined) values[col] = null;
    else values[col] = JSON_COLUMNS.has(k) ? JSON.stringify(v) : v;
  }
  return values;
}
