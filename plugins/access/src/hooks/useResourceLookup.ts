import { parseEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { RequestableResource } from '@jit-access/plugin-access-common';
import { useMemo } from 'react';
import { AccessApi, accessApiRef } from '../api';
import { DeepLink } from '../lib/deepLink';
import { normalizeRef } from '../lib/entityRefs';
import { displayName, SelectedItem } from '../lib/selection';

/** Deep-link pages of `getResources` looked through for one entity before giving up. */
const DEEP_LINK_PAGES = 5;

/** Pages (of 200) "Add all matches" reads at most; sparse pages must not loop forever. */
const ALL_MATCHES_MAX_PAGES = 50;

/** What a deep-linked entity came to: the item to select, and/or what is wrong with it. */
export interface LinkedResource {
  item?: SelectedItem;
  problem?: string;
}

/** Reads of the requestable resources beyond the paged search, for New Request. */
export interface ResourceLookup {
  /** Finds a deep-linked entity among the resources the caller may request. */
  resolveLinked(link: DeepLink['entities'][number]): Promise<LinkedResource>;
  /**
   * The resources matching a search, page by page, until there are more than `enough`;
   * on a failure, those read so far and the failure's message.
   */
  allMatching(
    query: { q: string; type: string; permission: string },
    enough: number,
  ): Promise<{ found: RequestableResource[]; failure?: string }>;
}

async function resolveLinked(
  api: AccessApi,
  link: DeepLink['entities'][number],
): Promise<LinkedResource> {
  const key = normalizeRef(link.ref);
  if (!key)
    return {
      problem: `"${link.ref}" is not an entity reference like resource:default/orders-db.`,
    };
  const { name } = parseEntityRef(link.ref.trim(), {
    defaultNamespace: 'default',
  });
  let match: RequestableResource | undefined;
  try {
    let cursor: string | undefined;
    for (let page = 0; page < DEEP_LINK_PAGES && !match; page++) {
      const res = await api.getResources({ q: name, cursor, limit: 200 });
      match = res.items.find(r => normalizeRef(r.entityRef) === key);
      cursor = res.nextCursor;
      if (!cursor) break;
    }
  } catch (e) {
    // Keep the link's intent; the preview checks it against the backend.
    return {
      item: { entityRef: link.ref.trim(), permissions: link.permissions },
      problem: `Could not load the details of ${link.ref} (${
        (e as Error).message
      }); preview to check it.`,
    };
  }
  if (!match)
    return {
      problem: `No resource "${link.ref}" that you can request: it is not in the catalog, or no access flow lets you request it.`,
    };
  const offered = match.permissions.map(p => p.permission);
  const refused = link.permissions.filter(p => !offered.includes(p));
  let permissions = link.permissions.filter(p => offered.includes(p));
  if (!link.permissions.length && offered.length === 1) permissions = offered;
  return {
    item: { entityRef: match.entityRef, resource: match, permissions },
    problem: refused.length
      ? `You cannot request ${refused
          .map(p => `"${p}"`)
          .join(', ')} on ${displayName({
          entityRef: match.entityRef,
          resource: match,
        })}; it offers ${offered.join(', ')}.`
      : undefined,
  };
}

async function allMatching(
  api: AccessApi,
  query: { q: string; type: string; permission: string },
  enough: number,
): Promise<{ found: RequestableResource[]; failure?: string }> {
  const found: RequestableResource[] = [];
  try {
    let cursor: string | undefined;
    for (let page = 0; page < ALL_MATCHES_MAX_PAGES; page++) {
      const res = await api.getResources({
        q: query.q.trim() || undefined,
        type: query.type || undefined,
        permission: query.permission,
        cursor,
        limit: 200,
      });
      found.push(...res.items);
      cursor = res.nextCursor;
      if (!cursor || found.length > enough) break;
    }
  } catch (e) {
    return { found, failure: (e as Error).message };
  }
  return { found };
}

/** {@link ResourceLookup} on the access backend. */
export function useResourceLookup(): ResourceLookup {
  const api = useApi(accessApiRef);
  return useMemo(
    () => ({
      resolveLinked: link => resolveLinked(api, link),
      allMatching: (query, enough) => allMatching(api, query, enough),
    }),
    [api],
  );
}
