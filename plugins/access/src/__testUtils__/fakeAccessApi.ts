// An in-memory AccessApi for the component tests (not part of the plugin's exports).
import {
  AccessFlowSummary,
  AccessRequest,
} from '@jit-access/plugin-access-common';
import { AccessApi } from '../api';
import { assertAnswerFits, contractProblem, routeOf } from './accessContract';
import { makeFlow } from './sampleFlows';

type ListQuery = Parameters<AccessApi['listRequests']>[0];

/** The actions a test scripts the answers of. */
type Scripted = 'cancel' | 'revoke' | 'extend' | 'setFavorite' | 'requestAgain';

/** The route each scripted action calls (`setFavorite`: PUT to star, DELETE to unstar). */
const ROUTES: {
  [K in Scripted]: (...args: Parameters<AccessApi[K]>) => {
    method: string;
    path: string;
  };
} = {
  cancel: id => ({ method: 'POST', path: `/requests/${id}/cancel` }),
  revoke: id => ({ method: 'POST', path: `/requests/${id}/revoke` }),
  extend: id => ({ method: 'POST', path: `/requests/${id}/extend` }),
  setFavorite: (id, favorite) => ({
    method: favorite ? 'PUT' : 'DELETE',
    path: `/requests/${id}/favorite`,
  }),
  requestAgain: id => ({ method: 'POST', path: `/requests/${id}/again` }),
};

/** The views the fake lists; any other view or filter is a test's to fake otherwise. */
const SERVED_VIEWS = ['mine', 'favorites'];

/**
 * Throws unless `body` is what the spec says `method path` answers (status: the route's
 * 2xx), as the HTTP fake checks its answers: a fixture or script the backend never sends
 * fails the test instead of passing it.
 */
function fits<T>(method: string, path: string, body: T): T {
  const route = routeOf(method, path);
  if (!route) throw new Error(`No route ${method} ${path} in the spec`);
  assertAnswerFits({ method, path }, route.status, body);
  return body;
}

/** What the backend answers an action with: the request(s) as they are afterwards. */
type Script<K extends Scripted> = (
  ...args: Parameters<AccessApi[K]>
) => AccessRequest | AccessRequest[];

/**
 * A small in-memory backend for the requester's pages (My Access, a request's page). It
 * knows no rules: lists read its fixtures (paged with numeric cursors, newest first), and
 * each action answers what the test scripted with {@link FakeAccessApi.onAction}, storing
 * that answer so reloads show it. Like the HTTP fake, it holds its calls to openapi.yaml
 * (a query the router refuses throws) and every answer to the spec's response schema; a
 * view or filter it does not serve (only `mine` and `favorites`, by status) throws rather
 * than answering the same list. Methods those pages do not use throw.
 */
export class FakeAccessApi implements AccessApi {
  requests: AccessRequest[];
  flows: AccessFlowSummary[] = [makeFlow('prod-db', 'Production databases')];
  /** Every listRequests query, to assert on paging. */
  listCalls: ListQuery[] = [];
  private readonly scripts: { [K in Scripted]?: Script<K> } = {};

  constructor(requests: AccessRequest[] = []) {
    this.requests = [...requests];
  }

  /** Makes `action` answer with what `script` returns for its arguments. */
  onAction<K extends Scripted>(action: K, script: Script<K>): this {
    (this.scripts as Record<K, Script<K>>)[action] = script;
    return this;
  }

  /** Runs the script for `action` and stores its answer, replacing requests by id. */
  private act<K extends Scripted>(
    action: K,
    ...args: Parameters<AccessApi[K]>
  ): AccessRequest[] {
    const script = this.scripts[action] as Script<K> | undefined;
    if (!script) throw new Error(`No answer scripted for ${action}`);
    const { method, path } = ROUTES[action](...args);
    const answer = [script(...args)].flat();
    // requestAgain answers the new requests as a list (SubmitAccessRequestResponse), the
    // others the request as it is now.
    if (action !== 'requestAgain' && answer.length !== 1)
      throw new Error(`${method} ${path} answers one request`);
    fits(
      method,
      path,
      action === 'requestAgain' ? { items: answer } : answer[0],
    );
    for (const r of answer) {
      const stored = this.requests.some(x => x.id === r.id);
      this.requests = stored
        ? this.requests.map(x => (x.id === r.id ? r : x))
        : [...this.requests, r];
    }
    return answer;
  }

  async listRequests(query: ListQuery) {
    this.listCalls.push(query);
    // The query string the AccessClient sends, held to the spec as the router holds it.
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries({
      ...query,
      status: query.status?.join(','),
    }))
      if (v !== undefined && v !== '') params.set(k, String(v));
    const refused = contractProblem({
      method: 'GET',
      path: '/requests',
      query: params,
      body: undefined,
    });
    if (refused) throw new Error(refused.message);
    const unserved = [...params.keys()].filter(
      k => !['view', 'status', 'cursor', 'limit'].includes(k),
    );
    if (!SERVED_VIEWS.includes(query.view) || unserved.length) {
      throw new Error(
        `The fake does not serve GET /requests?${params}: it lists the views ${SERVED_VIEWS.join(
          ' and ',
        )}, by status`,
      );
    }
    const limit = query.limit ?? 50;
    if (query.view === 'favorites') {
      return fits('GET', '/requests', {
        items: this.requests.filter(r => r.favorite).slice(0, limit),
      });
    }
    const matching = this.requests
      .filter(r => !query.status || query.status.includes(r.status))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    const start = query.cursor ? Number(query.cursor) : 0;
    const next = start + limit;
    return fits('GET', '/requests', {
      items: matching.slice(start, next),
      ...(next < matching.length ? { nextCursor: String(next) } : {}),
    });
  }

  async getRequest(id: string) {
    const r = this.requests.find(x => x.id === id);
    if (!r) throw new Error(`No request ${id}`);
    return fits('GET', `/requests/${id}`, r);
  }

  async getFlows() {
    return fits('GET', '/flows', { items: this.flows }).items;
  }

  async cancel(id: string) {
    return this.act('cancel', id)[0];
  }

  async revoke(id: string, reason?: string) {
    return this.act('revoke', id, reason)[0];
  }

  async extend(id: string, durationSeconds: number, justification: string) {
    return this.act('extend', id, durationSeconds, justification)[0];
  }

  async setFavorite(id: string, favorite: boolean) {
    return this.act('setFavorite', id, favorite)[0];
  }

  async requestAgain(
    id: string,
    justification: string,
    options?: { idempotencyKey?: string },
  ) {
    return { items: this.act('requestAgain', id, justification, options) };
  }

  private unused(name: string): never {
    throw new Error(`${name} is not used by this page`);
  }

  approve(): Promise<AccessRequest> {
    return this.unused('approve');
  }
  reject(): Promise<AccessRequest> {
    return this.unused('reject');
  }
  getBundles(): never {
    return this.unused('getBundles');
  }
  getResources(): never {
    return this.unused('getResources');
  }
  previewRequest(): never {
    return this.unused('previewRequest');
  }
  submitRequest(): never {
    return this.unused('submitRequest');
  }
  getAudit(): never {
    return this.unused('getAudit');
  }
  getAuditCsv(): never {
    return this.unused('getAuditCsv');
  }
  verifyAudit(): never {
    return this.unused('verifyAudit');
  }
  getEntityAccess(): never {
    return this.unused('getEntityAccess');
  }
  getEntityHistory(): never {
    return this.unused('getEntityHistory');
  }
}
