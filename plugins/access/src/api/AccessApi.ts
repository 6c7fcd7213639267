import { createApiRef } from '@backstage/core-plugin-api';
import {
  AccessAuditEntry,
  AccessAuditVerification,
  AccessBundle,
  AccessFlowSummary,
  AccessPage,
  AccessPreviewResponse,
  AccessRequest,
  AccessRequestListFilters,
  AccessRequestStatus,
  EntityAccessSummary,
  RequestableResource,
  SubmitAccessRequestBody,
  SubmitAccessRequestResponse,
} from '@jit-access/plugin-access-common';

/** Which requests a listing returns. @public */
export type AccessRequestView =
  | 'mine'
  | 'approvals'
  | 'decided'
  | 'all'
  | 'favorites';

/**
 * The frontend's view of the access backend (`/api/access`).
 * @public
 */
export interface AccessApi {
  getFlows(): Promise<AccessFlowSummary[]>;
  getBundles(): Promise<AccessBundle[]>;
  getResources(query?: {
    q?: string;
    type?: string;
    permission?: string;
    cursor?: string;
    limit?: number;
  }): Promise<AccessPage<RequestableResource>>;
  previewRequest(body: SubmitAccessRequestBody): Promise<AccessPreviewResponse>;
  submitRequest(
    body: SubmitAccessRequestBody,
    options?: { idempotencyKey?: string },
  ): Promise<SubmitAccessRequestResponse>;
  /** One page of a view, narrowed by `status` and the `AccessRequestListFilters`. */
  listRequests(
    query: {
      view: AccessRequestView;
      status?: AccessRequestStatus[];
      cursor?: string;
      limit?: number;
    } & AccessRequestListFilters,
  ): Promise<AccessPage<AccessRequest>>;
  getRequest(id: string): Promise<AccessRequest>;
  approve(id: string, comment?: string): Promise<AccessRequest>;
  reject(id: string, reason: string): Promise<AccessRequest>;
  cancel(id: string): Promise<AccessRequest>;
  revoke(id: string, reason?: string): Promise<AccessRequest>;
  /**
   * A new request from an ended one. With an `idempotencyKey`, a retry of the same call
   * creates nothing twice.
   */
  requestAgain(
    id: string,
    justification: string,
    options?: { idempotencyKey?: string },
  ): Promise<SubmitAccessRequestResponse>;
  extend(
    id: string,
    durationSeconds: number,
    justification: string,
  ): Promise<AccessRequest>;
  setFavorite(id: string, favorite: boolean): Promise<AccessRequest>;
  getAudit(query?: {
    cursor?: string;
    limit?: number;
    requestId?: string;
  }): Promise<AccessPage<AccessAuditEntry>>;
  /** The audit log as CSV, for download. */
  getAuditCsv(query?: { cursor?: string; limit?: number }): Promise<Blob>;
  /** Checks that no audit entry was changed, removed or reordered. */
  verifyAudit(): Promise<AccessAuditVerification>;
  /** The entity page's view: is it covered, what may I request, what do I hold, who holds it. */
  getEntityAccess(entityRef: string): Promise<EntityAccessSummary>;
  /** Every request made for the entity, newest first (owners and admins). */
  getEntityHistory(
    entityRef: string,
    query?: { cursor?: string; limit?: number },
  ): Promise<AccessPage<AccessRequest>>;
}

/** @public */
export const accessApiRef = createApiRef<AccessApi>({
  id: 'plugin.access.service',
});
