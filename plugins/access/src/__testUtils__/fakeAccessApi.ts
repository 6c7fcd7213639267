// An in-memory AccessApi for the component tests (not part of the plugin's exports).
import {
  AccessFlowSummary,
  AccessRequest,
} from '@jit-access/plugin-access-common';
import { AccessApi } from '../api';
import { makeFlow } from './sampleFlows';

type ListQuery = Parameters<AccessApi['listRequests']>[0];

/** The actions a test scripts the answers of. */
type Scripted = 'cancel' | 'revoke' | 'extend' | 'setFavorite' | 'requestAgain';

/** What the backend answers an action with: the request(s) as they are afterwards. */
type Script<K extends Scripted> = (
  ...args: Parameters<AccessApi[K]>
) => AccessRequest | AccessRequest[];

/**
 * A small in-memory backend for the requester's pages (My Access, a request's page). It
 * knows no rules: lists read its fixtures (paged with numeric cursors, newest first), and
 * each action answers what the test scripted with {@link FakeAccessApi.onAction}, storing
 * that answer so reloads show it. Methods those pages do not use throw.
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
    const answer = [script(...args)].flat();
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
    // The contract's bound, so a page asking for more fails here as it would for real.
    if (query.limit !== undefined && (query.limit < 1 || query.limit > 200)) {
      throw new Error(`limit: must be 1 to 200, got ${query.limit}`);
    }
    const limit = query.limit ?? 50;
    if (query.view === 'favorites') {
      return { items: this.requests.filter(r => r.favorite).slice(0, limit) };
    }
    const matching = this.requests
      .filter(r => !query.status || query.status.includes(r.status))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    const start = query.cursor ? Number(query.cursor) : 0;
    const next = start + limit;
    return {
      items: matching.slice(start, next),
      nextCursor: next < matching.length ? String(next) : undefined,
    };
  }

  async getRequest(id: string) {
    const r = this.requests.find(x => x.id === id);
    if (!r) throw new Error(`No request ${id}`);
    return r;
  }

  async getFlows() {
    return this.flows;
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
