// An in-memory AccessApi for the component tests (not part of the plugin's exports).
import {
  AccessFlowSummary,
  AccessRequest,
  TERMINAL_STATUSES,
} from '@jit-access/plugin-access-common';
import { AccessApi } from '../api';
import { ALICE } from './accessServer';
import { allowedActionsOf } from './allowedActionsOf';
import { awaitingOf } from './awaitingOf';
import { makeFlow } from './sampleFlows';
import { inMinutes, makeRequest } from './sampleRequests';

type ListQuery = Parameters<AccessApi['listRequests']>[0];

/**
 * A small in-memory backend for the requester's pages (My Access, a request's page):
 * lists page with numeric cursors, newest first, and the actions change the stored
 * requests as the real backend would. Methods those pages do not use throw.
 */
export class FakeAccessApi implements AccessApi {
  requests: AccessRequest[];
  flows: AccessFlowSummary[] = [makeFlow('prod-db', 'Production databases')];
  /** Every listRequests query, to assert on paging. */
  listCalls: ListQuery[] = [];

  /** `caller`: who asks (what they may do is in each request's `allowedActions`). */
  constructor(
    requests: AccessRequest[] = [],
    private readonly caller: string = ALICE,
  ) {
    this.requests = [...requests];
  }

  private find(id: string): AccessRequest {
    const r = this.requests.find(x => x.id === id);
    if (!r) throw new Error(`No request ${id}`);
    return r;
  }

  /** A stored request as the caller gets it. */
  private answer(r: AccessRequest): AccessRequest {
    return { ...r, allowedActions: allowedActionsOf(r, this.caller) };
  }

  private update(id: string, change: Partial<AccessRequest>): AccessRequest {
    const changed = { ...this.find(id), ...change, updatedAt: inMinutes(0) };
    const r = { ...changed, awaiting: awaitingOf(changed) };
    this.requests = this.requests.map(x => (x.id === id ? r : x));
    return this.answer(r);
  }

  async listRequests(query: ListQuery) {
    this.listCalls.push(query);
    if (query.limit !== undefined && (query.limit < 1 || query.limit > 200)) {
      throw new Error(`limit: must be 1 to 200, got ${query.limit}`);
    }
    const limit = query.limit ?? 50;
    if (query.view === 'favorites') {
      return {
        items: this.requests
          .filter(r => r.favorite)
          .slice(0, limit)
          .map(r => this.answer(r)),
      };
    }
    // The list filters, compared as the backend does (refs in any case).
    const lower = (v?: string) => v?.toLocaleLowerCase('en-US');
    const requester = lower(query.requester);
    const entityRef = lower(query.entityRef);
    const matching = this.requests
      .filter(r => !query.status || query.status.includes(r.status))
      .filter(
        r =>
          (!requester || lower(r.requester) === requester) &&
          (!entityRef ||
            r.resources.some(x => lower(x.entityRef) === entityRef)) &&
          (!query.flowId || r.flowId === query.flowId),
      )
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    const start = query.cursor ? Number(query.cursor) : 0;
    const items = matching.slice(start, start + limit).map(r => this.answer(r));
    const next = start + limit;
    return {
      items,
      nextCursor: next < matching.length ? String(next) : undefined,
    };
  }

  async getRequest(id: string) {
    return this.answer(this.find(id));
  }

  async getFlows() {
    return this.flows;
  }

  async cancel(id: string) {
    const r = this.find(id);
    if (r.status === 'granted') {
      return this.update(id, {
        extension: r.extension && {
          ...r.extension,
          status: 'rejected',
          decidedAt: inMinutes(0),
          reason: 'Cancelled by the holder',
        },
      });
    }
    return this.update(id, {
      status: 'cancelled',
      endedAt: inMinutes(0),
      endReason: 'Cancelled by the requester',
    });
  }

  async revoke(id: string, reason?: string) {
    return this.update(id, {
      status: 'revoked',
      endedAt: inMinutes(0),
      endReason: reason ?? 'Revoked by the holder',
    });
  }

  async extend(id: string, durationSeconds: number, justification: string) {
    return this.update(id, {
      extension: {
        status: 'pending',
        durationSeconds,
        justification,
        requestedAt: inMinutes(0),
      },
    });
  }

  async setFavorite(id: string, favorite: boolean) {
    return this.update(id, { favorite });
  }

  async requestAgain(
    id: string,
    justification: string,
    _options?: { idempotencyKey?: string },
  ) {
    const old = this.find(id);
    if (!TERMINAL_STATUSES.includes(old.status)) {
      throw new Error(`Request ${id} is ${old.status}`);
    }
    const fresh = makeRequest({
      resources: old.resources,
      flowId: old.flowId,
      flowTitle: old.flowTitle,
      justification,
      againOf: id,
      createdAt: inMinutes(0),
    });
    this.requests.push(fresh);
    return { items: [fresh] };
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
