import { Knex } from 'knex';
import { toRequestRecord } from '../rows';
import {
  PageCursor,
  RequestFilters,
  RequestQuery,
  RequestRecord,
} from '../types';

/**
 * Keyset paging, newest first: rows after the cursor in `(createdAt, id)` order. The
 * leading `createdAt <=` bound is implied by the rest; it lets either engine start an
 * index range scan at the cursor instead of filtering from the newest row down.
 */
function olderThan(
  cursor: PageCursor,
  createdAtColumn: string,
  idColumn: string,
) {
  return (b: Knex.QueryBuilder) =>
    b
      .where(createdAtColumn, '<=', cursor.createdAt)
      .where(c =>
        c
          .where(createdAtColumn, '<', cursor.createdAt)
          .orWhere(d =>
            d
              .where(createdAtColumn, cursor.createdAt)
              .andWhere(idColumn, '<', cursor.id),
          ),
      );
}

/**
 * One page of requests, newest first, with keyset paging. Filters narrow any view: each
 * is an equality on an indexed column (`requester`: the requester index; `flowId`: the
 * flow index; `entityRef`: the entity rows' index, which then also gives the order).
 */
export async function listRequests(
  db: Knex,
  query: RequestQuery,
  page: { cursor?: PageCursor; limit: number },
): Promise<RequestRecord[]> {
  // The entity view is an entity filter, for one requester or all.
  const filters: RequestFilters =
    query.view === 'entity'
      ? { entityRef: query.entityRef, requester: query.requester }
      : query.filters ?? {};
  if (query.view === 'approvals' && !query.statuses?.length) {
    return approvalQueue(db, query.user, filters, page);
  }
  let q = db('access_requests as r').select('r.*');
  // Paged on the columns the driving index is ordered by. An entity row carries its
  // request's creation time, so with an entity filter its (entity_ref, created_at)
  // index is read newest first and the page stops after `limit` rows.
  let createdAt = 'r.created_at';
  let id = 'r.id';
  if (filters.entityRef) {
    // (request_id, entity_ref) is the entity rows' key: at most one row per request.
    q = q
      .join('access_request_entities as e', 'e.request_id', 'r.id')
      .where('e.entity_ref', filters.entityRef);
    createdAt = 'e.created_at';
    id = 'e.request_id';
  }
  if (query.view === 'mine') {
    q = q.where('r.requester', query.user);
  } else if (query.view === 'decided') {
    q = q.whereExists(b =>
      b
        .select(db.raw('1'))
        .from('access_approvals as d')
        .whereRaw('d.request_id = r.id')
        .where('d.approver', query.user),
    );
  } else if (query.view === 'approvals') {
    q = q
      .join('access_request_approvers as a', 'a.request_id', 'r.id')
      .where('a.approver', query.user)
      .where(b =>
        b
          .where('r.requester', '<>', query.user)
          .orWhere('r.allow_self_approval', true),
      );
  } else if (query.view !== 'all' && query.view !== 'entity') {
    // Fail closed: a view this code does not know must not list every request.
    const unknown: never = query;
    throw new Error(`Unknown request view ${JSON.stringify(unknown)}`);
  }
  if (filters.requester) q = q.where('r.requester', filters.requester);
  if (filters.flowId) q = q.where('r.flow_id', filters.flowId);
  if (query.statuses?.length) q = q.whereIn('r.status', query.statuses);
  if (page.cursor) {
    q = q.where(olderThan(page.cursor, createdAt, id));
  }
  const rows = await q
    .orderBy([
      { column: createdAt, order: 'desc' },
      { column: id, order: 'desc' },
    ])
    .limit(page.limit);
  return rows.map(toRequestRecord);
}

/**
 * What waits for an approver's decision: a page of the approver's queue read in index
 * order first, then its requests, so the cost is one page whatever the queue's size.
 * Filters are checked per queue row (by primary key) before the page is cut.
 */
async function approvalQueue(
  db: Knex,
  user: string,
  filters: RequestFilters,
  page: { cursor?: PageCursor; limit: number },
): Promise<RequestRecord[]> {
  let queue = db('access_request_approvers as a')
    .select('a.request_id', 'a.created_at')
    .where('a.approver', user)
    .where('a.open', true)
    // Their own requests, unless the flow lets them approve those.
    .whereNotExists(b =>
      b
        .select(db.raw('1'))
        .from('access_requests as s')
        .whereRaw('s.id = a.request_id')
        .where('s.requester', user)
        .where('s.allow_self_approval', false),
    );
  if (filters.requester || filters.flowId) {
    queue = queue.whereExists(b => {
      b.select(db.raw('1'))
        .from('access_requests as f')
        .whereRaw('f.id = a.request_id');
      if (filters.requester) b.where('f.requester', filters.requester);
      if (filters.flowId) b.where('f.flow_id', filters.flowId);
    });
  }
  const entityRef = filters.entityRef;
  if (entityRef) {
    queue = queue.whereExists(b =>
      b
        .select(db.raw('1'))
        .from('access_request_entities as fe')
        .whereRaw('fe.request_id = a.request_id')
        .where('fe.entity_ref', entityRef),
    );
  }
  if (page.cursor) {
    queue = queue.where(olderThan(page.cursor, 'a.created_at', 'a.request_id'));
  }
  const rows = await db
    .withMaterialized(
      'page',
      queue
        .orderBy([
          { column: 'a.created_at', order: 'desc' },
          { column: 'a.request_id', order: 'desc' },
        ])
        .limit(page.limit),
    )
    .select('r.*')
    .from('page')
    .join('access_requests as r', 'r.id', 'page.request_id')
    // The request itself stays the truth of what it waits for.
    .whereNotNull('r.awaiting')
    .orderBy([
      { column: 'page.created_at', order: 'desc' },
      { column: 'page.request_id', order: 'desc' },
    ]);
  return rows.map(toRequestRecord);
}
