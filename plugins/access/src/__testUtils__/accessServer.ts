// An in-memory access backend behind msw, for component tests that run the real
// AccessClient over HTTP (not part of the plugin's exports).
//
// It answers the routes of plugins/access-backend/src/schema/openapi.yaml at
// ACCESS_BASE_URL with a small state (requests, flows, resources, bundles), so an action
// changes what the next GET returns. Errors use Backstage's error body, like the backend.
import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import {
  AccessApproval,
  AccessApprovalKind,
  AccessAuditEntry,
  AccessBundle,
  AccessFlowSummary,
  AccessPreviewItem,
  AccessRequest,
  AccessRequestStatus,
  ACCESS_REQUEST_STATUSES,
  EntityAccessSummary,
  RequestableResource,
  SubmitAccessRequestBody,
  TERMINAL_STATUSES,
  MAX_REQUEST_ITEMS,
} from '@jit-access/plugin-access-common';
import { AccessClient } from '../api';
import { assertAnswerFits, contractProblem } from './accessContract';
import { alreadyDecided } from './allowedActionsOf';
import { seenBy } from './seenBy';

/** The example app's backend: where the discovery API below says `access` lives. */
export const BACKEND_BASE_URL = 'http://localhost:7007';
/** The access backend's base URL. */
export const ACCESS_BASE_URL = `${BACKEND_BASE_URL}/api/access`;

/** The caller tests act as unless they say otherwise (the sample requests' requester). */
export const ALICE = 'user:default/alice';

/** Most items one submission may name (as the backend). */

/** One HTTP call the fake backend answered, for assertions. */
export interface RecordedCall {
  method: string;
  /** Path below ACCESS_BASE_URL, e.g. `/requests/<id>/cancel`. */
  path: string;
  query: Record<string, string>;
  /** The parsed JSON body, or undefined when there was none. */
  body: unknown;
  /** The caller the Authorization header named. */
  caller?: string;
  idempotencyKey?: string;
  contentType?: string;
}

/** What the fake backend holds; tests may change it between steps. */
export interface AccessBackendState {
  requests: AccessRequest[];
  flows: AccessFlowSummary[];
  resources: RequestableResource[];
  bundles: AccessBundle[];
  /**
   * Catalog entities no flow covers (the entity page asks about them). Entities neither
   * here nor in `resources` are not in the catalog: 404.
   */
  uncoveredEntities: string[];
  /** Members of groups, to resolve a flow's approvers (`owner` is the resource's owner). */
  groups: Record<string, string[]>;
  /** Callers (user refs) who own or administer entities and may see who holds access. */
  holderViewers: string[];
  /** Access admins (the backend's `access.admin` permission). */
  admins: string[];
  audit: AccessAuditEntry[];
}

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  answer(ctx: {
    caller: string;
    params: Record<string, string>;
    query: URLSearchParams;
    body: unknown;
    request: Request;
  }): unknown;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const ERROR_NAMES: Record<number, string> = {
  400: 'InputError',
  401: 'AuthenticationError',
  403: 'NotAllowedError',
  404: 'NotFoundError',
  409: 'ConflictError',
  413: 'PayloadTooLargeError',
  503: 'ServiceUnavailableError',
};

/**
 * An error answer in Backstage's shape (`ErrorResponseBody` of @backstage/errors), as the
 * backend's error handler sends it.
 */
export function errorResponse(
  status: number,
  message: string,
  request: { method: string; url: string } = {
    method: 'GET',
    url: '/api/access',
  },
) {
  return jsonResponse(
    {
      error: { name: ERROR_NAMES[status] ?? 'Error', message },
      request,
      response: { statusCode: status },
    },
    status,
  );
}

function jsonResponse(
  body: unknown,
  status: number,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
  });
}

/** The URL of a backend path, e.g. `accessUrl('/requests/:id/cancel')` for msw. */
export function accessUrl(path: string): string {
  return `${ACCESS_BASE_URL}${path}`;
}

function shortName(ref: string): string {
  return ref.replace(/^[^:]+:/, '').replace(/^default\//, '');
}

/** `resource:orders-db` → `resource:default/orders-db`, lower-cased like catalog refs. */
function normalizeRef(ref: string): string {
  const m = /^([^:]+):(?:([^/]+)\/)?(.+)$/.exec(ref.trim());
  if (!m)
    throw new HttpError(
      400,
      `entityRef: "${ref}" is not an entity ref like resource:default/orders-db`,
    );
  return `${m[1]}:${m[2] ?? 'default'}/${m[3]}`.toLocaleLowerCase('en-US');
}

/**
 * The list filters of `GET /requests`, normalised and checked as the backend does: refs
 * lower-cased with the default namespace (`requester` also defaults the kind to `user`),
 * empty values ignored, a malformed value a 400 naming the field.
 */
function listFilters(query: URLSearchParams): {
  requester?: string;
  entityRef?: string;
  flowId?: string;
} {
  const out: { requester?: string; entityRef?: string; flowId?: string } = {};
  const requester = query.get('requester')?.trim();
  if (requester) {
    const ref = /^(?:([^:/]+):)?(?:([^:/]+)\/)?([^:/]+)$/.exec(requester);
    const normalized =
      ref && `${ref[1] ?? 'user'}:${ref[2] ?? 'default'}/${ref[3]}`;
    if (!normalized || !/^user:/i.test(normalized))
      throw new HttpError(
        400,
        `Invalid query: requester: "${requester}" is not a user entity ref like user:default/alice`,
      );
    out.requester = normalized.toLocaleLowerCase('en-US');
  }
  const entityRef = query.get('entityRef')?.trim();
  if (entityRef) {
    if (!/^[^:/]+:(?:[^:/]+\/)?[^:/]+$/.test(entityRef))
      throw new HttpError(
        400,
        `Invalid query: entityRef: "${entityRef}" is not an entity ref like resource:default/orders-db`,
      );
    out.entityRef = normalizeRef(entityRef);
  }
  const flowId = query.get('flowId');
  if (flowId) {
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(flowId))
      throw new HttpError(
        400,
        'Invalid query: flowId: must be a flow id, like prod-db',
      );
    out.flowId = flowId;
  }
  return out;
}

function uuid(n: number): string {
  return `10000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

/**
 * The fake backend: its `state`, the `calls` it answered, and `handle(request)` for an msw
 * handler to call; `setupAccessBackendServer` (accessBackendServer.ts) installs it.
 */
export class AccessBackend {
  readonly state: AccessBackendState;
  readonly calls: RecordedCall[] = [];
  /** The caller when a request carries no Authorization header (undefined: 401). */
  anonymousCaller?: string;
  private readonly failures: {
    method: string;
    path: RegExp;
    status: number;
    message: string;
    times: number;
  }[] = [];
  private readonly idempotency = new Map<
    string,
    { body: string; ids: string[] }
  >();
  private sequence = 0;
  private clock: () => number;

  constructor(
    initial: Partial<AccessBackendState> = {},
    options: { now?: () => number } = {},
  ) {
    this.state = {
      requests: [],
      flows: [],
      resources: [],
      bundles: [],
      uncoveredEntities: [],
      groups: {},
      holderViewers: [],
      admins: [],
      audit: [],
      ...clone(initial),
    };
    this.clock = options.now ?? Date.now;
  }

  /** The stored request with this id (throws when there is none). */
  request(id: string): AccessRequest {
    const r = this.state.requests.find(x => x.id === id);
    if (!r) throw new Error(`The fake backend has no request ${id}`);
    return r;
  }

  /** The calls made to `method path` (path with `:id` placeholders allowed). */
  callsTo(method: string, path: string): RecordedCall[] {
    const re = pathPattern(path);
    return this.calls.filter(
      c => c.method === method.toUpperCase() && re.test(c.path),
    );
  }

  /**
   * Answers the next call to `method path` with an error in Backstage's shape, e.g.
   * `failNext('GET', '/requests', 503, 'Service Unavailable')`.
   */
  failNext(
    method: string,
    path: string,
    status: number,
    message: string,
    times: number = 1,
  ) {
    this.failures.push({
      method: method.toUpperCase(),
      path: pathPattern(path),
      status,
      message,
      times,
    });
  }

  /** Every call to `method path` fails, until `stopFailing()`. */
  failAlways(method: string, path: string, status: number, message: string) {
    this.failNext(method, path, status, message, Infinity);
  }

  /** Forgets every failure asked for with `failNext` / `failAlways`. */
  stopFailing() {
    this.failures.length = 0;
  }

  private now(): string {
    return new Date(this.clock()).toISOString();
  }

  /**
   * Answers one HTTP request to the access backend: what an msw handler for
   * `${ACCESS_BASE_URL}/*` returns, e.g.
   * `http.all(accessUrl('/*'), ({ request }) => backend.handle(request))`.
   */
  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const base = new URL(ACCESS_BASE_URL).pathname;
    const relative = url.pathname.startsWith(base)
      ? url.pathname.slice(base.length)
      : url.pathname;
    const text = await request.text();
    const auth = request.headers.get('authorization') ?? undefined;
    const caller = auth?.replace(/^Bearer /, '') ?? this.anonymousCaller;
    const call: RecordedCall = {
      method: request.method,
      path: relative,
      query: Object.fromEntries(url.searchParams),
      body: undefined,
      caller,
      idempotencyKey: request.headers.get('idempotency-key') ?? undefined,
      contentType: request.headers.get('content-type') ?? undefined,
    };
    this.calls.push(call);
    const where = { method: request.method, url: url.pathname };
    try {
      let body: unknown;
      if (text) {
        try {
          body = JSON.parse(text);
        } catch {
          throw new HttpError(400, 'Invalid body: not JSON');
        }
        call.body = body;
      }
      const failure = this.failures.findIndex(
        f => f.method === request.method && f.path.test(relative),
      );
      if (failure >= 0) {
        const f = this.failures[failure];
        f.times -= 1;
        if (f.times <= 0) this.failures.splice(failure, 1);
        return errorResponse(f.status, f.message, where);
      }
      let route: Route | undefined;
      let params: Record<string, string> = {};
      for (const r of this.routes()) {
        const m = r.method === request.method ? r.pattern.exec(relative) : null;
        if (m) {
          route = r;
          params = Object.fromEntries(
            r.names.map((n, i) => [n, decodeURIComponent(m[i + 1])]),
          );
          break;
        }
      }
      if (!caller) throw new HttpError(401, 'Missing credentials');
      // What a call may carry is the spec's to say, as in the real router.
      const refused = contractProblem({
        method: request.method,
        path: relative,
        query: url.searchParams,
        body,
      });
      if (refused) throw new HttpError(refused.status, refused.message);
      if (!route)
        throw new HttpError(
          404,
          `No route for ${request.method} ${url.pathname}`,
        );
      const result = await route.answer({
        caller,
        params,
        query: url.searchParams,
        body,
        request,
      });
      if (result instanceof Response) return result;
      const status =
        request.method === 'POST' && isCreate(relative) ? 201 : 200;
      const answer = seenBy(result, caller, {
        isAdmin: this.state.admins.includes(caller),
        now: this.clock(),
      });
      assertAnswerFits(
        { method: request.method, path: relative },
        status,
        answer,
      );
      return jsonResponse(answer, status);
    } catch (e) {
      if (e instanceof HttpError)
        return errorResponse(e.status, e.message, where);
      throw e;
    }
  }

  private routes(): Route[] {
    const h = (
      method: 'get' | 'post' | 'put' | 'delete',
      path: string,
      answer: Route['answer'],
    ): Route => {
      const names: string[] = [];
      const pattern = new RegExp(
        `^${path.replace(/:([A-Za-z]+)/g, (_, n: string) => {
          names.push(n);
          return '([^/]+)';
        })}$`,
      );
      return {
        method: method.toUpperCase(),
        pattern,
        names,
        answer,
      };
    };

    return [
      h('get', '/flows', () => ({ items: this.state.flows })),
      h('get', '/bundles', () => ({ items: this.state.bundles })),
      h('get', '/resources', ({ query }) => this.resources(query)),
      h('post', '/requests/preview', ({ caller, body }) => ({
        items: this.plan(caller, body as SubmitAccessRequestBody, true),
      })),
      h('post', '/requests', ({ caller, body, request }) =>
        this.submit(
          caller,
          body as SubmitAccessRequestBody,
          request.headers.get('idempotency-key') ?? undefined,
        ),
      ),
      h('get', '/requests', ({ caller, query }) => this.list(caller, query)),
      h('get', '/requests/:id', ({ params }) => this.find(params.id)),
      h('post', '/requests/:id/approve', ({ caller, params, body }) =>
        this.approve(
          caller,
          params.id,
          (body as { comment?: string })?.comment,
        ),
      ),
      h('post', '/requests/:id/reject', ({ caller, params, body }) =>
        this.reject(caller, params.id, (body as { reason?: string })?.reason),
      ),
      h('post', '/requests/:id/cancel', ({ caller, params }) =>
        this.cancel(caller, params.id),
      ),
      h('post', '/requests/:id/revoke', ({ caller, params, body }) =>
        this.revoke(caller, params.id, (body as { reason?: string })?.reason),
      ),
      h('post', '/requests/:id/again', ({ caller, params, body }) =>
        this.again(
          caller,
          params.id,
          (body as { justification?: string })?.justification ?? '',
        ),
      ),
      h('post', '/requests/:id/extend', ({ caller, params, body }) => {
        const b = (body ?? {}) as {
          durationSeconds?: number;
          justification?: string;
        };
        return this.extend(caller, params.id, b);
      }),
      h('put', '/requests/:id/favorite', ({ caller, params }) =>
        this.star(caller, params.id, true),
      ),
      h('delete', '/requests/:id/favorite', ({ caller, params }) =>
        this.star(caller, params.id, false),
      ),
      h('get', '/entity-access', ({ caller, query }) =>
        this.entityAccess(caller, query),
      ),
      h('get', '/entity-access/history', ({ query }) => {
        const ref = normalizeRef(query.get('entityRef') ?? '');
        return page(
          this.newestFirst(
            this.state.requests.filter(r =>
              r.resources.some(x => normalizeRef(x.entityRef) === ref),
            ),
          ),
          query,
        );
      }),
      h('get', '/audit', ({ query }) => {
        const requestId = query.get('requestId');
        return page(
          this.state.audit.filter(a => !requestId || a.requestId === requestId),
          query,
        );
      }),
      h('get', '/audit/verify', () => ({
        ok: true,
        checked: this.state.audit.length,
        pending: 0,
        head: { seq: this.state.audit.length, hash: 'fake' },
      })),
    ];
  }

  // ------------------------------------------------------------------ catalog

  private resources(query: URLSearchParams) {
    const q = query.get('q')?.trim().toLocaleLowerCase('en-US');
    const type = query.get('type');
    const permission = query.get('permission');
    const matches = this.state.resources
      .filter(
        r =>
          !q ||
          r.name.toLocaleLowerCase('en-US').includes(q) ||
          (r.title ?? '').toLocaleLowerCase('en-US').includes(q),
      )
      .filter(r => !type || r.type === type)
      .map(r =>
        permission
          ? {
              ...r,
              permissions: r.permissions.filter(
                p => p.permission === permission,
              ),
            }
          : r,
      )
      .filter(r => r.permissions.length > 0);
    return page(matches, query);
  }

  private resolveApprovers(
    flow: AccessFlowSummary,
    resource: RequestableResource,
  ): string[] {
    const out = new Set<string>();
    for (const a of flow.approval.approvers) {
      const ref = a === 'owner' ? resource.owner : a;
      if (!ref) continue;
      if (ref.startsWith('user:')) out.add(ref);
      else for (const m of this.state.groups[ref] ?? [ref]) out.add(m);
    }
    return [...out];
  }

  /** What a submission would create, one item per (entity, flow); throws like the backend. */
  private plan(
    caller: string,
    body: SubmitAccessRequestBody,
    preview: boolean,
  ): AccessPreviewItem[] {
    if (body.durationSeconds !== undefined) {
      if (!Number.isInteger(body.durationSeconds) || body.durationSeconds <= 0)
        throw new HttpError(
          400,
          'Invalid body: durationSeconds: must be whole seconds',
        );
    }
    let wanted = (body.resources ?? []).map((r, i) => ({
      ...r,
      field: `resources[${i}]`,
    }));
    if (body.bundleId !== undefined) {
      const bundle = this.state.bundles.find(b => b.id === body.bundleId);
      if (!bundle)
        throw new HttpError(400, `bundleId: no bundle "${body.bundleId}"`);
      if (!wanted.length)
        wanted = bundle.resources.map((r, i) => ({
          ...r,
          field: `bundle ${bundle.id} resources[${i}]`,
        }));
    }
    if (!wanted.length)
      throw new HttpError(
        400,
        'resources: name at least one resource or a bundleId',
      );
    if (wanted.length > MAX_REQUEST_ITEMS)
      throw new HttpError(
        400,
        `resources: at most ${MAX_REQUEST_ITEMS} items per submission, got ${wanted.length}`,
      );
    const justification = (body.justification ?? '').trim();
    const items: AccessPreviewItem[] = [];
    for (const w of wanted) {
      const ref = normalizeRef(w.entityRef);
      const resource = this.state.resources.find(
        r => normalizeRef(r.entityRef) === ref,
      );
      if (!resource)
        throw new HttpError(
          400,
          `${w.field}.entityRef: no entity "${w.entityRef}" in the catalog`,
        );
      if (!w.permissions.length)
        throw new HttpError(
          400,
          `${w.field}.permissions: name at least one permission`,
        );
      const byFlow = new Map<string, string[]>();
      for (const p of w.permissions) {
        const offered = resource.permissions.find(x => x.permission === p);
        if (!offered)
          throw new HttpError(
            403,
            `${w.field}: no access flow lets ${caller} request "${p}" on ${w.entityRef}`,
          );
        byFlow.set(offered.flowId, [...(byFlow.get(offered.flowId) ?? []), p]);
      }
      for (const [flowId, permissions] of byFlow) {
        const flow = this.state.flows.find(f => f.id === flowId);
        if (!flow) throw new Error(`The fake backend has no flow ${flowId}`);
        const durationSeconds =
          body.durationSeconds ?? flow.duration.defaultSeconds;
        if (durationSeconds > flow.duration.maxSeconds)
          throw new HttpError(
            400,
            `durationSeconds: ${durationSeconds}s is longer than flow "${flow.id}" allows (max ${flow.duration.maxSeconds}s)`,
          );
        if (flow.justification === 'required' && !justification && !preview)
          throw new HttpError(
            400,
            `justification: flow "${flow.id}" (${flow.title}) requires a justification`,
          );
        const manual = flow.approval.type === 'manual';
        items.push({
          entityRef: resource.entityRef,
          permissions,
          flowId,
          flowTitle: flow.title,
          approvalType: flow.approval.type,
          approvers:
            flow.approval.type === 'automatic'
              ? []
              : this.resolveApprovers(flow, resource),
          requiredApprovals: manual ? flow.approval.required : 0,
          checks: [
            ...flow.approval.requiredChecks,
            ...flow.approval.autoApproveChecks,
          ],
          durationSeconds,
          maxDurationSeconds: flow.duration.maxSeconds,
          justificationRequired: flow.justification === 'required',
          autoApproved: !manual,
        });
      }
    }
    return items;
  }

  private submit(
    caller: string,
    body: SubmitAccessRequestBody,
    key?: string,
    againOf?: string,
  ) {
    const bodyText = JSON.stringify(body);
    if (key !== undefined) {
      const seen = this.idempotency.get(`${caller}|${key}`);
      if (seen) {
        if (seen.body !== bodyText)
          throw new HttpError(
            409,
            'Idempotency-Key was already used with a different request body',
          );
        return jsonResponse(
          { items: seen.ids.map(id => this.request(id)) },
          201,
          { 'Idempotent-Replayed': 'true' },
        );
      }
    }
    const items = this.plan(caller, body, false);
    const groups = new Map<string, AccessPreviewItem[]>();
    for (const i of items)
      groups.set(`${i.flowId}|${i.approvers.join(',')}`, [
        ...(groups.get(`${i.flowId}|${i.approvers.join(',')}`) ?? []),
        i,
      ]);
    const now = this.now();
    const groupId = uuid(++this.sequence);
    const created = [...groups.values()].map((g): AccessRequest => {
      const first = g[0];
      const flow = this.state.flows.find(f => f.id === first.flowId)!;
      const granted = first.approvalType !== 'manual';
      const breakGlass = first.approvalType === 'breakglass';
      return {
        id: uuid(++this.sequence),
        groupId,
        requester: caller,
        createdBy: caller,
        flowId: first.flowId,
        flowTitle: first.flowTitle,
        approvalType: first.approvalType,
        resources: g.map(i => ({
          entityRef: i.entityRef,
          permissions: i.permissions,
        })),
        justification: (body.justification ?? '').trim(),
        durationSeconds: first.durationSeconds,
        status: granted ? 'granted' : 'pending',
        approvers: first.approvers,
        requiredApprovals: first.requiredApprovals,
        approvals: [],
        checks: [],
        breakGlass,
        ...(breakGlass ? { review: { status: 'pending' as const } } : {}),
        extensionsUsed: 0,
        extensionsAllowed: flow.duration.extensions,
        ...(againOf ? { againOf } : {}),
        createdAt: now,
        updatedAt: now,
        ...(granted
          ? {
              grantedAt: now,
              expiresAt: new Date(
                this.clock() + first.durationSeconds * 1000,
              ).toISOString(),
            }
          : {}),
        favorite: false,
        // Set for the caller when the answer is sent.
        allowedActions: [],
      };
    });
    this.state.requests.push(...created);
    if (key !== undefined)
      this.idempotency.set(`${caller}|${key}`, {
        body: bodyText,
        ids: created.map(r => r.id),
      });
    return { items: created };
  }

  // ------------------------------------------------------------------ requests

  private find(id: string): AccessRequest {
    const r = this.state.requests.find(x => x.id === id);
    if (!r) throw new HttpError(404, `No access request ${id}`);
    return r;
  }

  private update(id: string, change: Partial<AccessRequest>): AccessRequest {
    const next = { ...this.find(id), ...change, updatedAt: this.now() };
    this.state.requests = this.state.requests.map(x =>
      x.id === id ? next : x,
    );
    return next;
  }

  private newestFirst(list: AccessRequest[]) {
    return [...list].sort(
      (a, b) =>
        b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id),
    );
  }

  /** What the request waits for from `caller`, when anything. */
  private awaited(
    r: AccessRequest,
    caller: string,
  ): 'request' | 'extension' | 'review' | undefined {
    if (!r.approvers.includes(caller)) return undefined;
    if (r.review?.status === 'pending') return 'review';
    if (caller === r.requester) return undefined;
    if (r.status === 'granted' && r.extension?.status === 'pending')
      return 'extension';
    if (
      r.status === 'pending' &&
      r.approvalType === 'manual' &&
      !r.approvals.some(a => a.approver === caller && a.kind === 'request')
    )
      return 'request';
    return undefined;
  }

  private list(caller: string, query: URLSearchParams) {
    const view = query.get('view') ?? 'mine';
    const statusText = query.get('status');
    const statuses = statusText
      ? (statusText.split(',') as AccessRequestStatus[])
      : undefined;
    for (const s of statuses ?? [])
      if (!ACCESS_REQUEST_STATUSES.includes(s))
        throw new HttpError(
          400,
          `Invalid query: status: unknown status "${s}"`,
        );
    const filters = listFilters(query);
    if (view === 'favorites' && Object.keys(filters).length) {
      const [key] = Object.keys(filters);
      throw new HttpError(
        400,
        `Invalid query: ${key}: filters do not apply to view=favorites`,
      );
    }
    let list: AccessRequest[];
    switch (view) {
      case 'mine':
        list = this.state.requests.filter(r => r.requester === caller);
        break;
      case 'approvals':
        list = this.state.requests.filter(r =>
          statuses ? r.approvers.includes(caller) : this.awaited(r, caller),
        );
        break;
      case 'decided':
        list = this.state.requests.filter(r =>
          r.approvals.some(a => a.approver === caller),
        );
        break;
      case 'all':
        list = this.state.requests;
        break;
      case 'favorites':
        return {
          items: this.newestFirst(
            this.state.requests.filter(
              r => r.requester === caller && r.favorite,
            ),
          ).slice(0, Number(query.get('limit') ?? 50)),
        };
      default:
        throw new HttpError(
          400,
          `Invalid query: view: Invalid enum value. Expected 'mine' | 'approvals' | 'decided' | 'all' | 'favorites', received '${view}'`,
        );
    }
    if (statuses) list = list.filter(r => statuses.includes(r.status));
    list = list.filter(
      r =>
        (!filters.requester ||
          r.requester.toLocaleLowerCase('en-US') === filters.requester) &&
        (!filters.entityRef ||
          r.resources.some(
            x => x.entityRef.toLocaleLowerCase('en-US') === filters.entityRef,
          )) &&
        (!filters.flowId || r.flowId === filters.flowId),
    );
    return page(this.newestFirst(list), query);
  }

  /**
   * The caller's vote on what request `id` waits for, checked as the backend checks it:
   * the request, what it waited for, the vote's time and the approvals with the vote.
   */
  private vote(
    caller: string,
    id: string,
    decision: (kind: AccessApprovalKind) => AccessApproval['decision'],
    comment?: string,
  ) {
    const r = this.find(id);
    const kind = this.waitsFor(r);
    this.assertApprover(caller, r, kind);
    const at = this.now();
    const approvals: AccessApproval[] = [
      ...r.approvals,
      {
        approver: caller,
        decision: decision(kind),
        kind,
        ...(comment ? { comment } : {}),
        at,
      },
    ];
    return { r, kind, at, approvals };
  }

  private approve(caller: string, id: string, comment?: string) {
    const { r, kind, at, approvals } = this.vote(
      caller,
      id,
      k => (k === 'review' ? 'acknowledged' : 'approved'),
      comment,
    );
    if (kind === 'review')
      return this.update(id, {
        approvals,
        review: { status: 'acknowledged', reviewer: caller, comment, at },
      });
    if (kind === 'extension') {
      const ext = r.extension!;
      return this.update(id, {
        approvals,
        extension: { ...ext, status: 'approved', decidedAt: at },
        extensionsUsed: r.extensionsUsed + 1,
        expiresAt: new Date(
          Date.parse(r.expiresAt ?? at) + ext.durationSeconds * 1000,
        ).toISOString(),
      });
    }
    const count = approvals.filter(
      a => a.kind === 'request' && a.decision === 'approved',
    ).length;
    if (count < r.requiredApprovals) return this.update(id, { approvals });
    return this.update(id, {
      approvals,
      status: 'granted',
      grantedAt: at,
      expiresAt: new Date(
        this.clock() + r.durationSeconds * 1000,
      ).toISOString(),
    });
  }

  private reject(caller: string, id: string, reason?: string) {
    if (typeof reason !== 'string' || !reason.trim())
      throw new HttpError(400, 'Invalid body: reason: Required');
    const text = reason.trim();
    const { r, kind, at, approvals } = this.vote(
      caller,
      id,
      () => 'rejected',
      text,
    );
    if (kind === 'extension')
      return this.update(id, {
        approvals,
        extension: {
          ...r.extension!,
          status: 'rejected',
          decidedAt: at,
          reason: text,
        },
      });
    if (kind === 'review') {
      const active = r.status === 'granted';
      return this.update(id, {
        approvals,
        review: {
          status: active ? 'revoked' : 'rejected',
          reviewer: caller,
          comment: text,
          at,
        },
        ...(active
          ? {
              status: 'revoked' as const,
              endedAt: at,
              endReason: `Revoked on review by ${caller}: ${text}`,
            }
          : {}),
      });
    }
    return this.update(id, {
      approvals,
      status: 'rejected',
      endedAt: at,
      endReason: `Rejected by ${caller}: ${text}`,
    });
  }

  private waitsFor(r: AccessRequest): 'request' | 'extension' | 'review' {
    if (r.status === 'pending' && r.approvalType === 'manual') return 'request';
    if (r.status === 'granted' && r.extension?.status === 'pending')
      return 'extension';
    if (r.review?.status === 'pending') return 'review';
    throw new HttpError(
      409,
      `Request ${r.id} is ${r.status} and waits for no decision`,
    );
  }

  private assertApprover(caller: string, r: AccessRequest, kind: string) {
    // Admins decide break-glass reviews too, as in the backend and allowedActionsOf.
    const admin = kind === 'review' && this.state.admins.includes(caller);
    if (!r.approvers.includes(caller) && !admin)
      throw new HttpError(
        403,
        `You are not an approver of access request ${r.id}`,
      );
    if (caller === r.requester)
      throw new HttpError(403, 'You cannot decide on your own access request');
    // Each extension is its own round: a vote on an earlier one does not count.
    if (alreadyDecided({ ...r, awaiting: kind as AccessApprovalKind }, caller))
      throw new HttpError(409, `You already decided on request ${r.id}`);
  }

  private cancel(caller: string, id: string) {
    const r = this.find(id);
    if (r.requester !== caller && r.createdBy !== caller)
      throw new HttpError(403, 'Only the requester can cancel a request');
    const at = this.now();
    if (r.status === 'pending')
      return this.update(id, {
        status: 'cancelled',
        endedAt: at,
        endReason: 'Cancelled by the requester',
      });
    if (r.status === 'granted' && r.extension?.status === 'pending')
      return this.update(id, {
        extension: {
          ...r.extension,
          status: 'rejected',
          reason: 'Cancelled by the requester',
          decidedAt: at,
        },
      });
    throw new HttpError(
      409,
      `Request ${id} is ${r.status}; only pending requests can be cancelled`,
    );
  }

  private revoke(caller: string, id: string, reason?: string) {
    const r = this.find(id);
    if (
      r.requester !== caller &&
      !r.approvers.includes(caller) &&
      !this.state.admins.includes(caller)
    )
      throw new HttpError(
        403,
        'Only the holder, an approver or an admin can revoke this access',
      );
    if (r.status !== 'granted')
      throw new HttpError(
        409,
        `Request ${id} is ${r.status}; only active access can be revoked`,
      );
    return this.update(id, {
      status: 'revoked',
      endedAt: this.now(),
      endReason: reason?.trim() || `Revoked by ${shortName(caller)}`,
    });
  }

  private again(caller: string, id: string, justification: string) {
    const r = this.find(id);
    if (r.requester !== caller)
      throw new HttpError(
        403,
        'Only the requester can request this access again',
      );
    if (!TERMINAL_STATUSES.includes(r.status))
      throw new HttpError(
        409,
        `Request ${id} is ${r.status}; only ended requests can be requested again`,
      );
    return this.submit(
      caller,
      {
        resources: r.resources,
        durationSeconds: r.durationSeconds,
        justification,
      },
      undefined,
      id,
    );
  }

  private extend(
    caller: string,
    id: string,
    body: { durationSeconds?: number; justification?: string },
  ) {
    const r = this.find(id);
    if (r.requester !== caller)
      throw new HttpError(403, 'Only the holder can extend this access');
    if (r.status !== 'granted')
      throw new HttpError(
        409,
        `Request ${id} is ${r.status}; only active access can be extended`,
      );
    if (r.extension?.status === 'pending')
      throw new HttpError(409, `Request ${id} already has a pending extension`);
    if (r.extensionsUsed >= r.extensionsAllowed)
      throw new HttpError(
        409,
        `Request ${id} used all ${r.extensionsAllowed} extension(s)`,
      );
    if (
      !Number.isInteger(body.durationSeconds) ||
      (body.durationSeconds ?? 0) <= 0
    )
      throw new HttpError(
        400,
        'Invalid body: durationSeconds: must be whole seconds',
      );
    return this.update(id, {
      extension: {
        status: 'pending',
        durationSeconds: body.durationSeconds!,
        justification: (body.justification ?? '').trim(),
        requestedAt: this.now(),
      },
    });
  }

  private star(caller: string, id: string, favorite: boolean) {
    const r = this.find(id);
    if (r.requester !== caller)
      throw new HttpError(403, 'Only the requester can star a request');
    return this.update(id, { favorite });
  }

  // ------------------------------------------------------------------ entities

  private entityAccess(
    caller: string,
    query: URLSearchParams,
  ): EntityAccessSummary {
    const raw = query.get('entityRef');
    if (!raw) throw new HttpError(400, 'Invalid query: entityRef: Required');
    const ref = normalizeRef(raw);
    const resource = this.state.resources.find(
      r => normalizeRef(r.entityRef) === ref,
    );
    if (!resource) {
      if (!this.state.uncoveredEntities.map(normalizeRef).includes(ref))
        throw new HttpError(404, `No entity ${ref} in the catalog`);
      return {
        entityRef: ref,
        covered: false,
        permissions: [],
        mine: [],
        canSeeHolders: false,
      };
    }
    const on = (r: AccessRequest) =>
      r.resources.some(x => normalizeRef(x.entityRef) === ref);
    const canSeeHolders = this.state.holderViewers.includes(caller);
    return {
      entityRef: resource.entityRef,
      covered: true,
      permissions: resource.permissions,
      mine: this.newestFirst(
        this.state.requests.filter(
          r =>
            r.requester === caller &&
            on(r) &&
            ['pending', 'granting', 'granted'].includes(r.status),
        ),
      ),
      canSeeHolders,
      ...(canSeeHolders
        ? {
            holders: this.state.requests.filter(
              r => r.status === 'granted' && on(r),
            ),
          }
        : {}),
    };
  }
}

function isCreate(path: string): boolean {
  return path === '/requests' || /^\/requests\/[^/]+\/again$/.test(path);
}

/** `/requests/:id/cancel` → a regexp matching concrete paths. */
function pathPattern(path: string): RegExp {
  const escaped = path
    .split(/(:[A-Za-z]+)/)
    .map(part =>
      part.startsWith(':')
        ? '[^/]+'
        : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${escaped}$`);
}

/** One page of `items` with an opaque offset cursor, as the listings answer. */
function page<T>(items: T[], query: URLSearchParams) {
  const limit = Number(query.get('limit') ?? 50);
  const cursor = query.get('cursor');
  let start = 0;
  if (cursor) {
    const m = /^o(\d+)$/.exec(cursor);
    if (!m)
      throw new HttpError(
        400,
        'Invalid query: cursor: not a cursor this API returned',
      );
    start = Number(m[1]);
  }
  const end = start + limit;
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { nextCursor: `o${end}` } : {}),
  };
}

/** A discovery API that places every plugin on the example app's backend. */
export function testDiscoveryApi(): DiscoveryApi {
  return {
    getBaseUrl: async (pluginId: string) =>
      `${BACKEND_BASE_URL}/api/${pluginId}`,
  };
}

/**
 * A fetch API that really fetches (msw answers), with the caller's Backstage token, as
 * the app's fetch API does for a signed-in user. The fake backend takes the token for the
 * caller's user ref.
 */
export function testFetchApi(caller: string = ALICE): FetchApi {
  return {
    fetch: (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set('Authorization', `Bearer ${caller}`);
      return fetch(input, { ...init, headers });
    },
  };
}

/** The real access client, talking HTTP to the fake backend as `caller`. */
export function testAccessClient(caller: string = ALICE): AccessClient {
  return new AccessClient({
    discoveryApi: testDiscoveryApi(),
    fetchApi: testFetchApi(caller),
  });
}
