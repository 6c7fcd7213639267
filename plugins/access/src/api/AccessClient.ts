import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  AccessApiPaths,
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

// Every call below names a route and method of openapi.yaml; its query, body and answer
// types come from the types generated from that spec, so the client cannot drift from it.
type Method = 'get' | 'post' | 'put' | 'delete';
type Route = keyof AccessApiPaths;
type Operation<P extends Route, M extends Method> = AccessApiPaths[P][M];
type JsonOf<R> = R extends { content: { 'application/json': infer B } }
  ? B
  : never;
/** The JSON of the operation's success answer (200, or 201 for creations). */
type Answer<O> = O extends { responses: { 200: infer R } }
  ? JsonOf<R>
  : O extends { responses: { 201: infer R } }
  ? JsonOf<R>
  : never;
type Body<O> = O extends { requestBody?: infer B }
  ? JsonOf<NonNullable<B>>
  : never;
type Query<O> = O extends { parameters: { query?: infer Q } }
  ? NonNullable<Q>
  : never;

interface CallOptions<O> {
  /** Fills `{id}` in the route. */
  id?: string;
  query?: Query<O>;
  json?: Body<O>;
  headers?: Record<string, string>;
}

/**
 * Talks to the access backend with the signed-in user's credentials.
 * @public
 */
export class AccessClient implements AccessApi {
  constructor(
    private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  ) {}

  private async call<P extends Route, M extends Method>(
    method: M,
    route: P,
    options: CallOptions<Operation<P, M>> = {},
  ): Promise<Answer<Operation<P, M>>> {
    const response = await this.fetch(method, route, options);
    return (await response.json()) as Answer<Operation<P, M>>;
  }

  private async fetch(
    method: Method,
    route: Route,
    options: {
      id?: string;
      query?: Record<string, string | number | undefined>;
      json?: unknown;
      headers?: Record<string, string>;
    },
  ): Promise<Response> {
    const base = await this.deps.discoveryApi.getBaseUrl('access');
    const path = route.replace('{id}', encodeURIComponent(options.id ?? ''));
    const { json, headers } = options;
    const response = await this.deps.fetchApi.fetch(
      `${base}${path}${queryString(options.query ?? {})}`,
      {
        ...(method === 'get' ? {} : { method: method.toUpperCase() }),
        headers: {
          ...(json !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...(headers ?? {}),
        },
        body: json !== undefined ? JSON.stringify(json) : undefined,
      },
    );
    if (!response.ok) {
      throw await readableError(response);
    }
    return response;
  }

  async getFlows(): Promise<AccessFlowSummary[]> {
    return (await this.call('get', '/flows')).items;
  }

  async getBundles(): Promise<AccessBundle[]> {
    return (await this.call('get', '/bundles')).items;
  }

  getResources(
    query: {
      q?: string;
      type?: string;
      permission?: string;
      cursor?: string;
      limit?: number;
    } = {},
  ): Promise<AccessPage<RequestableResource>> {
    return this.call('get', '/resources', { query });
  }

  previewRequest(
    body: SubmitAccessRequestBody,
  ): Promise<AccessPreviewResponse> {
    return this.call('post', '/requests/preview', { json: body });
  }

  submitRequest(
    body: SubmitAccessRequestBody,
    options?: { idempotencyKey?: string },
  ): Promise<SubmitAccessRequestResponse> {
    return this.call('post', '/requests', {
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
  ): Promise<AccessPage<AccessRequest>> {
    return this.call('get', '/requests', {
      query: {
        view: query.view,
        status: query.status?.join(','),
        requester: query.requester,
        entityRef: query.entityRef,
        flowId: query.flowId,
        cursor: query.cursor,
        limit: query.limit,
      },
    });
  }

  getRequest(id: string): Promise<AccessRequest> {
    return this.call('get', '/requests/{id}', { id });
  }

  approve(id: string, comment?: string): Promise<AccessRequest> {
    return this.call('post', '/requests/{id}/approve', {
      id,
      json: { comment },
    });
  }

  reject(id: string, reason: string): Promise<AccessRequest> {
    return this.call('post', '/requests/{id}/reject', { id, json: { reason } });
  }

  cancel(id: string): Promise<AccessRequest> {
    return this.call('post', '/requests/{id}/cancel', { id });
  }

  revoke(id: string, reason?: string): Promise<AccessRequest> {
    return this.call('post', '/requests/{id}/revoke', { id, json: { reason } });
  }

  requestAgain(
    id: string,
    justification: string,
    options?: { idempotencyKey?: string },
  ): Promise<SubmitAccessRequestResponse> {
    return this.call('post', '/requests/{id}/again', {
      id,
      json: { justification },
      headers: idempotencyHeaders(options),
    });
  }

  extend(
    id: string,
    durationSeconds: number,
    justification: string,
  ): Promise<AccessRequest> {
    return this.call('post', '/requests/{id}/extend', {
      id,
      json: { durationSeconds, justification },
    });
  }

  setFavorite(id: string, favorite: boolean): Promise<AccessRequest> {
    return favorite
      ? this.call('put', '/requests/{id}/favorite', { id })
      : this.call('delete', '/requests/{id}/favorite', { id });
  }

  getAudit(
    query: { cursor?: string; limit?: number; requestId?: string } = {},
  ): Promise<AccessPage<AccessAuditEntry>> {
    return this.call('get', '/audit', { query });
  }

  verifyAudit(): Promise<AccessAuditVerification> {
    return this.call('get', '/audit/verify');
  }

  async getAuditCsv(query: { cursor?: string; limit?: number } = {}) {
    const response = await this.fetch('get', '/audit', {
      query: { ...query, format: 'csv' },
    });
    return response.blob();
  }

  getEntityAccess(entityRef: string): Promise<EntityAccessSummary> {
    return this.call('get', '/entity-access', { query: { entityRef } });
  }

  getEntityHistory(
    entityRef: string,
    query: { cursor?: string; limit?: number } = {},
  ): Promise<AccessPage<AccessRequest>> {
    return this.call('get', '/entity-access/history', {
      query: { entityRef, ...query },
    });
  }
}

/** `?a=1&b=2` of the defined, non-empty parameters; empty when there are none. */
function queryString(params: Record<string, string | number | undefined>) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
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
