// A thin fake of the access backend behind msw, for component tests of the real
// AccessClient over HTTP (not part of the plugin's exports). It holds no business rules:
// reads answer from fixtures, other routes what the test scripts with `on`. Calls must fit
// openapi.yaml (else the router's 400) and answers its response schemas.
import {
  AccessBundle,
  AccessFlowSummary,
  AccessRequest,
  EntityAccessSummary,
} from '@jit-access/plugin-access-common';
import { HttpResponse } from 'msw';
import { AccessRequestView } from '../api';
import {
  Answer,
  assertAnswerFits,
  Body,
  contractProblem,
  listedStatuses,
  Method,
  Operation,
  Route,
  routeOf,
  RouteWith,
} from './accessContract';
import { BACKEND_BASE_URL } from './testAccessClient';

// Where the other test helpers have long found it.
export { ALICE } from './testAccessClient';

/** The access backend's base URL. */
export const ACCESS_BASE_URL = `${BACKEND_BASE_URL}/api/access`;

/** What a scripted route gets of the call (`caller`: who the Authorization header names). */
export interface RouteCall<B> {
  method: string;
  path: string;
  caller: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: B;
}

/**
 * A scripted answer: the operation's 2xx JSON, or an error Response (`errorResponse`) with
 * a status the route lists in the spec; any other Response counts as no answer.
 */
export type Handler<P extends Route, M extends Method> = (
  call: RouteCall<Body<Operation<P, M>>>,
) => Answer<Operation<P, M>> | Response;

/** What the reads answer; tests may change it between steps. */
export interface Fixtures {
  flows: AccessFlowSummary[];
  bundles: AccessBundle[];
  /** What `GET /requests` lists per view, as the backend sends them to the caller. */
  lists: Partial<Record<AccessRequestView, AccessRequest[]>>;
  /** `GET /entity-access` by entity ref. */
  entityAccess: Record<string, EntityAccessSummary>;
  /** `GET /entity-access/history` by entity ref. */
  history: Record<string, AccessRequest[]>;
}

/** One HTTP call the fake backend took, for assertions; `path` is below ACCESS_BASE_URL. */
export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  caller?: string;
  idempotencyKey?: string;
  contentType?: string;
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
  request = { method: 'GET', url: '/api/access' },
) {
  const error = { name: ERROR_NAMES[status] ?? 'Error', message };
  const body = { error, request, response: { statusCode: status } };
  return HttpResponse.json(body, { status });
}

/** The URL of a backend path, e.g. `accessUrl('/requests/:id/cancel')` for msw. */
export function accessUrl(path: string): string {
  return `${ACCESS_BASE_URL}${path}`;
}

/** `/requests/:id/cancel` or `/requests/{id}/cancel` → a regexp matching concrete paths. */
function pathPattern(path: string): RegExp {
  const escaped = path
    .split(/(:[A-Za-z]+|\{[A-Za-z]+\})/)
    .map((part, i) =>
      i % 2 ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${escaped}$`);
}

/** One page of `items`, its cursor the offset of the next, as the listings answer. */
export function page<T>(items: T[], query: URLSearchParams) {
  const start = Number(query.get('cursor') ?? 0);
  const end = start + Number(query.get('limit') ?? 50);
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { nextCursor: String(end) } : {}),
  };
}

/**
 * The fake backend: its `fixtures`, the `calls` it answered, `on` to script a route, and
 * `handle(request)` for msw; `setupAccessBackendServer` (accessBackendServer.ts) installs it.
 */
export class AccessBackend {
  readonly fixtures: Fixtures;
  readonly calls: RecordedCall[] = [];
  /**
   * Calls no fixture or script answered as the backend could (a 500, a Response with a
   * status the route does not list, an answer that does not fit the spec);
   * setupAccessBackendServer fails on them.
   */
  readonly unanswered: string[] = [];
  private readonly handlers = new Map<string, Handler<any, any>>();
  private readonly failures: {
    method: string;
    path: RegExp;
    status: number;
    message: string;
    times: number;
  }[] = [];

  constructor(fixtures: Partial<Fixtures> = {}) {
    // Own copies of the records, so a test's changes do not leak into shared fixtures.
    this.fixtures = {
      flows: [],
      bundles: [],
      ...fixtures,
      lists: { ...fixtures.lists },
      entityAccess: { ...fixtures.entityAccess },
      history: { ...fixtures.history },
    };
    const f = this.fixtures;
    this.on('get', '/flows', () => ({ items: f.flows }));
    this.on('get', '/bundles', () => ({ items: f.bundles }));
    this.on('get', '/requests', call => {
      const { query } = call;
      // Filters other than by status are the test's to script.
      if (['requester', 'entityRef', 'flowId'].some(k => query.has(k)))
        return this.unscripted(call);
      const statuses = query.get('status')?.split(',');
      const view = (query.get('view') ?? 'mine') as AccessRequestView;
      const listed = f.lists[view] ?? [];
      return page(
        listed.filter(r => !statuses || statuses.includes(r.status)),
        query,
      );
    });
    this.on('get', '/requests/{id}', call => {
      const all = [...Object.values(f.lists), ...Object.values(f.history)];
      const found = all.flat().find(r => r.id === call.params.id);
      return found ?? this.unscripted(call);
    });
    this.on(
      'get',
      '/entity-access',
      call =>
        f.entityAccess[call.query.get('entityRef')!] ?? this.unscripted(call),
    );
    this.on('get', '/entity-access/history', ({ query }) =>
      page(f.history[query.get('entityRef')!] ?? [], query),
    );
  }

  /** Answers `method path` (a path of the spec, e.g. `/requests/{id}/approve`) with `handler`. */
  on<M extends Method, P extends RouteWith<M>>(
    method: M,
    path: P,
    handler: Handler<P, M>,
  ) {
    this.handlers.set(`${method.toUpperCase()} ${path}`, handler);
  }

  /** What a test must script: the fake does not guess at the backend's rules. */
  private unscripted(
    call: Pick<RouteCall<unknown>, 'method' | 'path' | 'query'>,
  ) {
    const q = call.query.toString();
    const what = `${call.method} ${call.path}${q ? `?${q}` : ''}`;
    this.unanswered.push(what);
    return errorResponse(
      500,
      `The fake backend has no answer for ${what}; script it with backend.on`,
    );
  }

  /** The calls made to `method path` (path with `:id` or `{id}` placeholders allowed). */
  callsTo(method: string, path: string): RecordedCall[] {
    const re = pathPattern(path);
    return this.calls.filter(
      c => c.method === method.toUpperCase() && re.test(c.path),
    );
  }

  /**
   * Answers the next `times` calls to `method path` that fit the spec (with credentials)
   * with an error in Backstage's shape. `status` must be one the route lists in the spec,
   * or 500: an unexpected server fault (e.g. the database is down), which Backstage's error
   * handler can answer on any route and the spec lists on none.
   */
  failNext(
    method: string,
    path: string,
    status: number,
    message: string,
    times = 1,
  ) {
    const template = path.replace(/:([A-Za-z]+)/g, '{$1}');
    const listed = listedStatuses(method, template).filter(s => s >= 400);
    if (!listed.length)
      throw new Error(`No route ${method.toUpperCase()} ${path} in the spec`);
    if (status !== 500 && !listed.includes(status)) {
      throw new Error(
        `The spec lists no ${status} for ${method.toUpperCase()} ${path} (it lists ${listed.join(
          ', ',
        )}, and any route may fail with a 500)`,
      );
    }
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

  /** Answers one HTTP request to the access backend (for msw). */
  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname.slice(new URL(ACCESS_BASE_URL).pathname.length);
    const text = await request.text();
    const caller = request.headers
      .get('authorization')
      ?.replace(/^Bearer /, '');
    const call: RecordedCall = {
      method: request.method,
      path,
      query: Object.fromEntries(url.searchParams),
      // The AccessClient sends JSON or nothing.
      body: text ? JSON.parse(text) : undefined,
      caller,
      idempotencyKey: request.headers.get('idempotency-key') ?? undefined,
      contentType: request.headers.get('content-type') ?? undefined,
    };
    this.calls.push(call);
    const where = { method: request.method, url: url.pathname };
    if (!caller) return errorResponse(401, 'Missing credentials', where);
    // What a call may carry is the spec's to say, as in the real router.
    const refused = contractProblem({ ...call, query: url.searchParams });
    if (refused) return errorResponse(refused.status, refused.message, where);
    // A scripted failure answers only a call the router would have let through.
    const failure = this.failures.find(
      f => f.method === request.method && f.path.test(path),
    );
    if (failure) {
      failure.times -= 1;
      if (failure.times <= 0)
        this.failures.splice(this.failures.indexOf(failure), 1);
      return errorResponse(failure.status, failure.message, where);
    }
    const route = routeOf(request.method, path)!;
    const handler = this.handlers.get(`${request.method} ${route.template}`);
    const routeCall = {
      method: request.method,
      path,
      caller,
      params: route.params,
      query: url.searchParams,
      // Checked against the route's schema above.
      body: call.body as never,
    };
    if (!handler) return this.unscripted(routeCall);
    const what = `${request.method} ${path}${url.search}`;
    try {
      const answer = handler(routeCall);
      if (answer instanceof Response) {
        // An error the backend can answer here; anything else (a 500 for an input the
        // test did not expect, a 2xx whose body nothing checks) is no answer.
        const listed = listedStatuses(request.method, path);
        if (answer.status < 400 || !listed.includes(answer.status))
          this.unanswered.push(`${what} (answered ${answer.status})`);
        return answer;
      }
      assertAnswerFits(call, route.status, answer);
      return HttpResponse.json(answer, { status: route.status });
    } catch (e) {
      // msw would turn the throw into a 500 the page might show as any other error.
      this.unanswered.push(`${what} (${(e as Error).message})`);
      throw e;
    }
  }
}
