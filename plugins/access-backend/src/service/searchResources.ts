import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { RequestableResource } from '@jit-access/plugin-access-common';
import { CatalogDirectory, DirectoryUser } from '../flows/CatalogDirectory';
import { FlowResolver, refOf } from '../flows/FlowResolver';
import { ResourcesCursors, ResourcesPosition } from './resourcesCursor';

/** The query of `GET /resources`, as parsed. */
export interface ResourcesQuery {
  q?: string;
  type?: string;
  permission?: string;
  cursor?: string;
  limit: number;
}

/**
 * `GET /resources`: one page of the entities the user may request, read from the catalog
 * with the caller's own credentials (the catalog's permission policy hides what they may
 * not read), the catalog query built from the flows every time.
 */
export async function searchResources(
  deps: {
    resolver: FlowResolver;
    directory: CatalogDirectory;
    cursors: ResourcesCursors;
  },
  who: { user: DirectoryUser; credentials: BackstageCredentials },
  query: ResourcesQuery,
): Promise<{ items: RequestableResource[]; nextCursor?: string }> {
  const { user, credentials } = who;
  const asked: ResourcesPosition = {
    q: query.q?.trim() || undefined,
    type: query.type,
    permission: query.permission,
    offset: 0,
  };
  const at = query.cursor
    ? await deps.cursors.read(user.ref, query.cursor)
    : asked;
  if (query.cursor) {
    // The search travels in the cursor; repeating it is fine, changing it is not.
    for (const key of ['q', 'type', 'permission'] as const) {
      if (query[key] !== undefined && asked[key] !== at[key]) {
        throw new InputError(
          `Invalid query: cursor: belongs to another search (${key} differs); start again without a cursor`,
        );
      }
    }
  }
  const filters = deps.resolver.catalogFilterFor(user, {
    type: at.type,
    permission: at.permission,
  });
  if (!filters) return { items: [] };
  const page = await deps.directory.queryEntities({
    filters,
    term: at.q,
    offset: at.offset,
    limit: query.limit,
    onBehalfOf: credentials,
  });
  const items: RequestableResource[] = [];
  for (const entity of page.items) {
    const perms = deps.resolver
      .permissionsFor(user, entity)
      .filter(p => !at.permission || p.permission === at.permission);
    if (!perms.length) continue;
    const spec = (entity.spec ?? {}) as { type?: unknown; owner?: unknown };
    items.push({
      entityRef: refOf(entity),
      kind: entity.kind,
      name: entity.metadata.name,
      title: entity.metadata.title,
      description: entity.metadata.description,
      type: typeof spec.type === 'string' ? spec.type : undefined,
      owner: typeof spec.owner === 'string' ? spec.owner : undefined,
      permissions: perms.map(p => ({
        permission: p.permission,
        flowId: p.flow.id,
        flowTitle: p.flow.title,
      })),
    });
  }
  const nextCursor = page.more
    ? await deps.cursors.issue(user.ref, {
        ...at,
        offset: at.offset + page.items.length,
      })
    : undefined;
  return { items, nextCursor };
}
