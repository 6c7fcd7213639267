import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  AccessAuditEntry,
  AccessAuditVerification,
  AccessBundle,
  AccessFlowSummary,
  AccessPage,
  AccessPreviewResponse,
  AccessRequest,
  AccessRequestListFilters,
  EntityAccessSummary,
  RequestableResource,
  SubmitAccessRequestBody,
  SubmitAccessRequestResponse,
} from '@jit-access/plugin-access-common';
import { AccessApi, AccessRequestView } from './AccessApi';

/**
 * Talks to the access backend with the signed-in user's credentials.
 * @public
 */
export class AccessClient implements AccessApi {
  constructor(
    private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  ) {}

  private async call<T>(
    path: string,
    init?: RequestInit & { json?: unknown },
  ): Promise<T> {
    const base = await this.deps.discoveryApi.getBaseUrl('access');
    const { json, ...rest } = init ?? {};
    const response = await this.deps.fetchApi.fetch(`${base}${path}`, {
      ...rest,
      headers: {
        ...(json !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(rest.headers ?? {}),
      },
      body: json !== undefined ? JSON.stringify(json) : rest.body,
    });
    if (!response.ok) {
      throw await readableError(response);
    }
    return (await response.json()) as T;
  }

  private query(params: Record<string, string | number | undefined>): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params))
      if (v !== undefined && v !== '') q.set(k, String(v));
    const s = q.toString();
    return s ? `?${s}` : '';
  }

  async getFlows() {
    return (await this.call<{ items: AccessFlowSummary[] }>('/flows')).items;
  }

  async getBundles() {
    return (await this.call<{ items: AccessBundle[] }>('/bundles')).items;
  }

  getResources(
    query: {
      q?: string;
      type?: string;
      permission?: string;
      cursor?: string;
      limit?: number;
    } = {},
  ) {
    return this.call<AccessPage<RequestableResource>>(
      `/resources${this.query(query)}`,
    );
  }

  previewRequest(body: SubmitAccessRequestBody) {
    return this.call<AccessPreviewResponse>('/requests/preview', {
      method: 'POST',
      json: body,
    });
  }

  submitRequest(
    body: SubmitAccessRequestBody,
    options?: { idempotencyKey?: string },
  ) {
    return this.call<SubmitAccessRequestResponse>('/requests', {
      method: 'POST',
      json: body,
      headers: idempotencyHeaders(options),
    });
  }

  listRequests(
    query: {
      view: AccessRequestView;
      status?: string[];
      cursor?: string;
      limit?: number;
    } & AccessRequestListFilters,
  ) {
    return this.call<AccessPage<AccessRequest>>(
      `/requests${this.query({
        view: query.view,
        status: query.status?.join(','),
        requester: query.requester,
        entityRef: query.entityRef,
        flowId: query.flowId,
        cursor: query.cursor,
        limit: query.limit,
      })}`,
    );
  }

  getRequest(id: string) {
    return this.call<AccessRequest>(`/requests/${encodeURIComponent(id)}`);
  }

  private action<T = AccessRequest>(
    id: string,
    action: string,
    json: unknown = {},
    headers?: Record<string, string>,
  ) {
    return this.call<T>(`/requests/${encodeURIComponent(id)}/${action}`, {
      method: 'POST',
      json,
      headers,
    });
  }

  approve(id: string, comment?: string) {
    return this.action(id, 'approve', { comment });
  }

  reject(id: string, reason: string) {
    return this.action(id, 'reject', { reason });
  }

  cancel(id: string) {
    return this.action(id, 'cancel');
  }

  revoke(id: string, reason?: string) {
    return this.action(id, 'revoke', { reason });
  }

  requestAgain(
    id: string,
    justification: string,
    options?: { idempotencyKey?: string },
  ) {
    return this.action<SubmitAccessRequestResponse>(
      id,
      'again',
      { justification },
      idempotencyHeaders(options),
    );
  }

  extend(id: string, durationSeconds: number, justification: string) {
    return this.action(id, 'extend', { durationSeconds, justification });
  }

  setFavorite(id: string, favorite: boolean) {
    return this.call<AccessRequest>(
      `/requests/${encodeURIComponent(id)}/favorite`,
      { method: favorite ? 'PUT' : 'DELETE' },
    );
  }

  getAudit(
    query: { cursor?: string; limit?: number; requestId?: string } = {},
  ) {
    return this.call<AccessPage<AccessAuditEntry>>(
      `/audit${this.query(query)}`,
    );
  }

  verifyAudit() {
    return this.call<AccessAuditVerification>('/audit/verify');
  }

  async getAuditCsv(query: { cursor?: string; limit?: number } = {}) {
    const base = await this.deps.discoveryApi.getBaseUrl('access');
    const response = await this.deps.fetchApi.fetch(
      `${base}/audit${this.query({ ...query, format: 'csv' })}`,
    );
    if (!response.ok) {
      throw await readableError(response);
    }
    return response.blob();
  }

  getEntityAccess(entityRef: string) {
    return this.call<EntityAccessSummary>(
      `/entity-access${this.query({ entityRef })}`,
    );
  }

  getEntityHistory(
    entityRef: string,
    query: { cursor?: string; limit?: number } = {},
  ) {
    return this.call<AccessPage<AccessRequest>>(
      `/entity-access/history${this.query({ entityRef, ...query })}`,
    );
  }
}

/** The `Idempotency-Key` header for an optional key. */
function idempotencyHeaders(options?: { idempotencyKey?: string }) {
  return options?.idempotencyKey
    ? { 'Idempotency-Key': options.idempotencyKey }
    : undefined;
}

/** Longest excerpt of a non-JSON error body shown to people. */
const BODY_EXCERPT_CHARS = 160;

/**
 * A failed answer as an error people can read: the backend's own words when it sent its
 * JSON error (they name the field), else the status with a short excerpt of a plain-text
 * body; an HTML page (a proxy's) is left out rather than dumped into the error panel.
 */
async function readableError(response: Response): Promise<ResponseError> {
  const error = await ResponseError.fromResponse(response);
  const cause = error.cause?.message ?? '';
  // How @backstage/errors words a body that is not the backend's JSON error.
  const status = `Request failed with status ${response.status} ${response.statusText}`;
  const prefix = `${status}, `;
  if (!cause.startsWith(prefix)) {
    if (cause) error.message = cause;
    return error;
  }
  const text = cause.slice(prefix.length).replace(/\s+/g, ' ').trim();
  let message = status;
  if (text && !/<[a-z!/][^>]*>/i.test(text)) {
    message = `${status}, ${
      text.length > BODY_EXCERPT_CHARS
        ? `${text.slice(0, BODY_EXCERPT_CHARS)}…`
        : text
    }`;
  }
  // Error panels also show the cause and the parsed body: shorten them alike.
  error.message = message;
  error.cause.message = message;
  if (error.body?.error) error.body.error.message = message;
  return error;
}
