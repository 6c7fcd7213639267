// Test data and an in-memory AccessApi for the component tests (not part of the build's
// public surface; only *.test.tsx files import it).
import {
  AccessFlowSummary,
  AccessRequest,
  AccessRequestStatus,
  TERMINAL_STATUSES,
} from '@jit-access/plugin-access-common';
import { AccessApi } from '../../api';

const MINUTE = 60_000;

/** An ISO time `minutes` from now (negative: in the past). */
export function inMinutes(minutes: number): string {
  return new Date(Date.now() + minutes * MINUTE).toISOString();
}

let counter = 0;

/** A request with sensible defaults (pending, manual, one resource). */
export function makeRequest(over: Partial<AccessRequest> = {}): AccessRequest {
  counter += 1;
  const id =
    over.id ?? `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`;
  return {
    id,
    groupId: id,
    requester: 'user:default/alice',
    createdBy: 'user:default/alice',
    flowId: 'prod-db',
    flowTitle: 'Production databases',
    approvalType: 'manual',
    resources: [
      { entityRef: 'resource:default/orders-db', permissions: ['read'] },
    ],
    justification: 'Investigating INC-1',
    durationSeconds: 3600,
    status: 'pending',
    approvers: ['user:default/bob', 'user:default/carol'],
    requiredApprovals: 1,
    approvals: [],
    checks: [],
    breakGlass: false,
    extensionsUsed: 0,
    extensionsAllowed: 1,
    createdAt: inMinutes(-30),
    updatedAt: inMinutes(-30),
    favorite: false,
    ...over,
  };
}

/** A granted request that ends in `minutesLeft`. */
export function makeGrant(
  minutesLeft: number,
  over: Partial<AccessRequest> = {},
): AccessRequest {
  return makeRequest({
    status: 'granted',
    grantedAt: inMinutes(-10),
    expiresAt: inMinutes(minutesLeft),
    approvals: [
      {
        approver: 'user:default/bob',
        decision: 'approved',
        kind: 'request',
        at: inMinutes(-11),
      },
    ],
    ...over,
  });
}

/** An ended request. */
export function makeClosed(
  status: AccessRequestStatus,
  over: Partial<AccessRequest> = {},
): AccessRequest {
  return makeRequest({
    status,
    endedAt: inMinutes(-5),
    endReason: `Ended as ${status}`,
    ...over,
  });
}

export const prodDbFlow: AccessFlowSummary = {
  id: 'prod-db',
  title: 'Production databases',
  requesters: ['*'],
  filter: [],
  permissions: ['read', 'write'],
  approval: {
    type: 'manual',
    approvers: ['owner'],
    required: 1,
    allowSelfApproval: false,
    autoApproveChecks: [],
    requiredChecks: [],
  },
  duration: { defaultSeconds: 3600, maxSeconds: 8 * 3600, extensions: 1 },
  justification: 'required',
  provisioner: 'none',
};

type ListQuery = Parameters<AccessApi['listRequests']>[0];

/**
 * A small in-memory backend: lists page with numeric cursors, newest first, and the
 * actions change the stored requests as the real backend would. Methods not used by these
 * pages throw.
 */
export class FakeAccessApi implements AccessApi {
  requests: AccessRequest[];
  flows: AccessFlowSummary[] = [prodDbFlow];
  /** Every listRequests query, to assert on paging. */
  listCalls: ListQuery[] = [];

  constructor(requests: AccessRequest[] = []) {
    this.requests = [...requests];
  }

  private find(id: string): AccessRequest {
    const r = this.requests.find(x => x.id === id);
    if (!r) throw new Error(`No request ${id}`);
    return r;
  }

  private update(id: string, change: Partial<AccessRequest>): AccessRequest {
    const r = { ...this.find(id), ...change, updatedAt: inMinutes(0) };
    this.requests = this.requests.map(x => (x.id === id ? r : x));
    return r;
  }

  async listRequests(query: ListQuery) {
    this.listCalls.push(query);
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
    const items = matching.slice(start, start + limit);
    const next = start + limit;
    return {
      items,
      nextCursor: next < matching.length ? String(next) : undefined,
    };
  }

  async getRequest(id: string) {
    return this.find(id);
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

  async requestAgain(id: string, justification: string) {
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
  getEntityAccess(): never {
    return this.unused('getEntityAccess');
  }
  getEntityHistory(): never {
    return this.unused('getEntityHistory');
  }
}
