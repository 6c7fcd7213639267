import { Knex } from 'knex';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { AccessRequest } from '@jit-access/plugin-access-common';
import {
  ApprovalRecord,
  PageCursor,
  RequestQuery,
  RequestRecord,
} from '../database/types';
import { allowedActions } from './allowedActions';
import { openDetails } from '../provisioning/openDetails';
import { Caller, RequestDeps } from './RequestDeps';
import { toView } from './toView';

/**
 * Reads requests as a caller may see them: visibility, views with approvals, stars and
 * (for the grantee only) access details, and the caller's stars.
 */
export class RequestViews {
  constructor(private readonly deps: RequestDeps) {}

  private now() {
    return this.deps.clock.now();
  }

  /** Whether the caller may see this request. */
  canSee(caller: Caller, r: RequestRecord): boolean {
    return (
      caller.isAdmin ||
      r.requester === caller.ref ||
      r.createdBy === caller.ref ||
      r.approvers.includes(caller.ref)
    );
  }

  async get(caller: Caller, id: string): Promise<AccessRequest> {
    const r = await this.load(id);
    if (!this.canSee(caller, r))
      throw new NotAllowedError(`You may not see access request ${id}`);
    return (await this.render([r], caller))[0];
  }

  async list(
    caller: Caller,
    query: RequestQuery,
    page: { cursor?: PageCursor; limit: number },
  ): Promise<{ items: AccessRequest[]; nextCursor?: PageCursor }> {
    const rows = await this.deps.store.requests.listRequests(query, {
      cursor: page.cursor,
      limit: page.limit + 1,
    });
    const more = rows.length > page.limit;
    const items = rows.slice(0, page.limit);
    const last = items[items.length - 1];
    return {
      items: await this.render(items, caller),
      nextCursor:
        more && last ? { createdAt: last.createdAt, id: last.id } : undefined,
    };
  }

  /** The caller's starred requests, newest star first. */
  async favorites(caller: Caller, limit: number): Promise<AccessRequest[]> {
    const rows = await this.deps.store.favorites.listFavoriteRequests(
      caller.ref,
      limit,
    );
    return this.render(rows, caller);
  }

  /** Views of stored rows as `caller` sees them. */
  async render(
    rows: RequestRecord[],
    caller: Caller,
  ): Promise<AccessRequest[]> {
    const ids = rows.map(r => r.id);
    // Access details go to the grantee only, and only while access is active.
    const own = rows
      .filter(r => r.requester === caller.ref && r.status === 'granted')
      .map(r => r.id);
    const [approvals, favorites, details] = await Promise.all([
      this.deps.store.approvals.getApprovals(ids),
      this.deps.store.favorites.favoritesOf(caller.ref, ids),
      this.deps.store.details.getDetails(own),
    ]);
    const byRequest = new Map<string, ApprovalRecord[]>();
    for (const a of approvals)
      byRequest.set(a.requestId, [...(byRequest.get(a.requestId) ?? []), a]);
    const now = this.now();
    return rows.map(r => {
      const sealed = details.get(r.id);
      const mine = byRequest.get(r.id) ?? [];
      return toView(
        r,
        mine,
        favorites.has(r.id),
        this.actions(caller, r, mine, now),
        sealed ? openDetails(this.deps, r.id, sealed) : undefined,
      );
    });
  }

  /** What `caller` may do with `r` (see `allowedActions`). */
  actions(
    caller: Caller,
    r: RequestRecord,
    approvals: ApprovalRecord[],
    now = this.now(),
  ) {
    return allowedActions(caller, r, {
      approvals,
      now,
      flowExists: Boolean(this.deps.resolver.getFlow(r.flowId)),
    });
  }

  /** A request by id (locked for update inside `tx`); 404 when there is none. */
  async load(id: string, tx?: Knex.Transaction): Promise<RequestRecord> {
    const r = tx
      ? await this.deps.store.requests.lockRequest(tx, id)
      : await this.deps.store.requests.getRequest(id);
    if (!r) throw new NotFoundError(`No access request ${id}`);
    return r;
  }

  async setFavorite(
    caller: Caller,
    id: string,
    on: boolean,
  ): Promise<AccessRequest> {
    const r = await this.load(id);
    if (r.requester !== caller.ref)
      throw new NotAllowedError('Only the requester can star a request');
    await this.deps.store.favorites.setFavorite(caller.ref, id, on, this.now());
    return this.get(caller, id);
  }
}
