import type { AccessRequestStatus } from './generated/openapi';

/*
 * The types of what the HTTP API sends and takes are generated from the backend's
 * openapi.yaml (src/generated/openapi.ts, `yarn generate:openapi`); this file re-exports
 * them under their names, and holds what the yaml does not describe.
 */
export type {
  AccessRequestStatus,
  AccessApprovalType,
  AccessResourceItem,
  AccessApproval,
  AccessCheckResult,
  AccessExtension,
  AccessReview,
  AccessRequest,
  AccessApprovalKind,
  AccessRequestAction,
  AccessEnding,
  SubmitAccessRequestItem,
  SubmitAccessRequestBody,
  SubmitAccessRequestResponse,
  AccessPreviewItem,
  AccessPreviewResponse,
  AccessFlowSummary,
  AccessBundle,
  RequestableResource,
  EntityAccessSummary,
  AccessAuditEntry,
  AccessAuditVerification,
  CatalogFilter,
} from './generated/openapi';

export type {
  paths as AccessApiPaths,
  operations as AccessApiOperations,
  components as AccessApiComponents,
  ErrorResponse as AccessErrorResponse,
  AccessRequestPage,
} from './generated/openapi';

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
