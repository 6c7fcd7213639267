/**
 * The life of an access request, as sent on the wire.
 *
 * - `pending`: waiting for its checks or for approvals
 * - `granting`: approved, the provisioner is granting access
 * - `granted`: access is active until `expiresAt`
 * - `expired`: access ran out (or a pending request nobody decided timed out)
 * - `rejected`, `revoked`, `failed`, `cancelled`: ended for the reason in `endReason`
 * @public
 */
export type AccessRequestStatus =
  | 'pending'
  | 'granting'
  | 'granted'
  | 'expired'
  | 'rejected'
  | 'revoked'
  | 'failed'
  | 'cancelled';

/** Every status, in life-cycle order. @public */
export const ACCESS_REQUEST_STATUSES: readonly AccessRequestStatus[] = [
  'pending',
  'granting',
  'granted',
  'expired',
  'rejected',
  'revoked',
  'failed',
  'cancelled',
];

/** Statuses from which nothing moves any more. @public */
export const TERMINAL_STATUSES: readonly AccessRequestStatus[] = [
  'expired',
  'rejected',
  'revoked',
  'failed',
  'cancelled',
];

/** Labels users see for each status. @public */
export const ACCESS_REQUEST_STATUS_LABELS: Record<AccessRequestStatus, string> =
  {
    pending: 'Pending Approval',
    granting: 'Granting',
    granted: 'Active',
    expired: 'Expired',
    rejected: 'Rejected',
    revoked: 'Revoked',
    failed: 'Failed',
    cancelled: 'Cancelled',
  };

/** How a flow is approved. @public */
export type AccessApprovalType = 'manual' | 'automatic' | 'breakglass';

/** One requested catalog entity and the permissions asked for on it. @public */
export interface AccessResourceItem {
  /** Full entity ref, e.g. `resource:default/orders-db`. */
  entityRef: string;
  /** Permission names offered by the deciding flow, e.g. `read`. */
  permissions: string[];
}

/** What an approval decision was about. @public */
export type AccessApprovalKind = 'request' | 'extension' | 'review';

/** A person's decision on a request, an extension of it, or a break-glass review. @public */
export interface AccessApproval {
  approver: string;
  decision: 'approved' | 'rejected' | 'acknowledged';
  kind: AccessApprovalKind;
  comment?: string;
  /** ISO 8601 timestamp. */
  at: string;
}

/** The outcome of an automated check on a request. @public */
export interface AccessCheckResult {
  checkId: string;
  type: string;
  outcome: 'passed' | 'failed' | 'error';
  detail: string;
  /** ISO 8601 timestamp. */
  at: string;
}

/** A request to extend active access, and where it stands. @public */
export interface AccessExtension {
  status: 'pending' | 'approved' | 'rejected';
  durationSeconds: number;
  justification: string;
  requestedAt: string;
  decidedAt?: string;
  reason?: string;
}

/** A break-glass grant's after-the-fact review. @public */
export interface AccessReview {
  /** `revoked`: found unjustified while active; `rejected`: found unjustified after it ended. */
  status: 'pending' | 'acknowledged' | 'revoked' | 'rejected';
  reviewer?: string;
  comment?: string;
  at?: string;
}

/** An access request: one flow, one or more resources, one grant. @public */
export interface AccessRequest {
  id: string;
  /** Requests split from one submission share a group id. */
  groupId: string;
  /** The user the access is for (a user entity ref). */
  requester: string;
  /** Who submitted: the requester, or a service principal acting on their behalf. */
  createdBy: string;
  flowId: string;
  flowTitle: string;
  approvalType: AccessApprovalType;
  resources: AccessResourceItem[];
  justification: string;
  durationSeconds: number;
  status: AccessRequestStatus;
  /** User entity refs who may approve (resolved when the request was made). */
  approvers: string[];
  /** Distinct approvals needed. */
  requiredApprovals: number;
  approvals: AccessApproval[];
  checks: AccessCheckResult[];
  breakGlass: boolean;
  review?: AccessReview;
  extension?: AccessExtension;
  extensionsUsed: number;
  extensionsAllowed: number;
  /** The request this one was made from with "request again". */
  againOf?: string;
  createdAt: string;
  updatedAt: string;
  grantedAt?: string;
  expiresAt?: string;
  endedAt?: string;
  endReason?: string;
  /** The last provisioner error: why a grant failed, or why a revocation is being retried. */
  lastError?: string;
  favorite: boolean;
  /**
   * What the provisioner returned for the grantee (how to connect). Only ever sent to the
   * grantee, only while access is active.
   */
  accessDetails?: Record<string, string>;
  /**
   * Instead of `accessDetails`, when the grantee's details cannot be decrypted (e.g. the key
   * that encrypted them is no longer configured): a sentence for the grantee.
   */
  accessDetailsError?: string;
}

/** One item of a submission. @public */
export interface SubmitAccessRequestItem {
  entityRef: string;
  permissions: string[];
}

/** Body of `POST /requests` and `POST /requests/preview`. @public */
export interface SubmitAccessRequestBody {
  resources?: SubmitAccessRequestItem[];
  bundleId?: string;
  durationSeconds?: number;
  justification?: string;
  /** On behalf of this user (entity ref or e-mail); service principals only. */
  requester?: string;
}

/** Answer of `POST /requests`. @public */
export interface SubmitAccessRequestResponse {
  items: AccessRequest[];
}

/** What would happen to one submitted item. @public */
export interface AccessPreviewItem {
  entityRef: string;
  permissions: string[];
  flowId: string;
  flowTitle: string;
  approvalType: AccessApprovalType;
  approvers: string[];
  requiredApprovals: number;
  checks: string[];
  durationSeconds: number;
  maxDurationSeconds: number;
  justificationRequired: boolean;
  /** True when no person has to decide (automatic or break-glass flow). */
  autoApproved: boolean;
}

/** Answer of `POST /requests/preview`. @public */
export interface AccessPreviewResponse {
  items: AccessPreviewItem[];
}

/** A flow as the API shows it. @public */
export interface AccessFlowSummary {
  id: string;
  title: string;
  description?: string;
  requesters: string[];
  filter: Record<string, string | string[]>[];
  permissions: string[];
  approval: {
    type: AccessApprovalType;
    approvers: string[];
    required: number;
    allowSelfApproval: boolean;
    autoApproveChecks: string[];
    requiredChecks: string[];
  };
  duration: { defaultSeconds: number; maxSeconds: number; extensions: number };
  justification: 'required' | 'optional';
  provisioner: string;
}

/** A bundle: a named set of resources requested together. @public */
export interface AccessBundle {
  id: string;
  title: string;
  description?: string;
  resources: AccessResourceItem[];
}

/** A catalog entity the caller may request. @public */
export interface RequestableResource {
  entityRef: string;
  kind: string;
  name: string;
  title?: string;
  description?: string;
  type?: string;
  owner?: string;
  /** For each permission the caller may request, the flow that would decide. */
  permissions: { permission: string; flowId: string; flowTitle: string }[];
}

/**
 * Filters of a request listing (`GET /requests`): each narrows the view (every view but
 * `favorites`), and all that are set must hold. Entity refs are compared
 * case-insensitively; `requester` may be a bare user name (`alice`).
 * @public
 */
export interface AccessRequestListFilters {
  /** Only requests for this user (a user entity ref). */
  requester?: string;
  /** Only requests naming this entity among their resources. */
  entityRef?: string;
  /** Only requests of this flow. */
  flowId?: string;
}

/** A page of items with an opaque cursor to the next page. @public */
export interface AccessPage<T> {
  items: T[];
  nextCursor?: string;
}

/** One entry of the audit trail. @public */
export interface AccessAuditEntry {
  id: string;
  at: string;
  actor: string;
  action: string;
  requestId?: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  fromStatus?: AccessRequestStatus;
  toStatus?: AccessRequestStatus;
  details: Record<string, unknown>;
}

/** The answer of `GET /audit/verify`: is the sealed audit trail intact. @public */
export interface AccessAuditVerification {
  /** True when every sealed entry is intact and the chain has no gap. */
  ok: boolean;
  /** Sealed entries checked. */
  checked: number;
  /** Entries written but not sealed yet. */
  pending: number;
  /** The last intact sealed entry. */
  head: { seq: number; hash: string };
  /** The first break, when not ok. */
  problem?: { seq: number; id: string; reason: string };
}

/** The access picture of one catalog entity, for the entity page. @public */
export interface EntityAccessSummary {
  entityRef: string;
  /** True when some flow covers this entity (for anyone). */
  covered: boolean;
  /** What the caller may request on it, and which flow decides each permission. */
  permissions: { permission: string; flowId: string; flowTitle: string }[];
  /** The caller's open and active requests on it. */
  mine: AccessRequest[];
  /** True when the caller owns the entity or is an access admin. */
  canSeeHolders: boolean;
  /** Active grants on it by anyone; only when `canSeeHolders`. */
  holders?: AccessRequest[];
}
