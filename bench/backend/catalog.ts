/*
 * An in-process catalog for the benchmark: serves the generated entities of
 * bench/lib/entities.cjs from memory, with the subset of the catalog API the access plugin
 * uses (getEntityByRef, getEntitiesByRefs, getEntities, queryEntities). Ingesting 10,000
 * entities into the real catalog takes minutes, too long for `yarn bench --quick`; this
 * stand-in answers in microseconds, so the figures measure the access plugin, not the
 * catalog (a real catalog adds its own query time to submit and resource search).
 */
import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { generateEntities } = require('../lib/entities.cjs');

type Filter = Record<string, string | string[]>;

interface Indexed {
  entity: Entity;
  ref: string;
  flat: Map<string, Set<string>>;
  nameLower: string;
}

/** Dotted, lower-cased keys to lower-cased values, as the catalog's search table has them. */
function flatten(entity: Entity): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (key: string, value: unknown) => {
    const k = key.toLowerCase();
    let set = out.get(k);
    if (!set) out.set(k, (set = new Set()));
    set.add(String(value).toLowerCase());
  };
  const walk = (prefix: string, value: unknown) => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) value.forEach(v => walk(prefix, v));
    else if (typeof value === 'object') {
      for (const [k, v] of Object.entries(value as object))
        walk(prefix ? `${prefix}.${k}` : k, v);
    } else add(prefix, value);
  };
  const { relations, ...rest } = entity;
  walk('', rest);
  for (const r of relations ?? []) add(`relations.${r.type}`, r.targetRef);
  return out;
}

function matches(flat: Map<string, Set<string>>, filter: Filter): boolean {
  return Object.entries(filter).every(([key, expected]) => {
    const actual = flat.get(key.toLowerCase());
    if (!actual) return false;
    const wanted = Array.isArray(expected) ? expected : [expected];
    return wanted.some(w => actual.has(String(w).toLowerCase()));
  });
}

export class BenchCatalog {
  readonly calls: Record<string, number> = {};
  private readonly byRef = new Map<string, Indexed>();
  private readonly byEmail = new Map<string, Indexed>();
  /** In metadata.name order, as queryEntities returns them. */
  private readonly sorted: Indexed[];

  constructor(entities: Entity[]) {
    const all = entities.map(entity => {
      const ref = stringifyEntityRef(entity).toLowerCase();
      return {
        entity,
        ref,
        flat: flatten(entity),
        nameLower: entity.metadata.name.toLowerCase(),
      };
    });
    for (const e of all) {
      this.byRef.set(e.ref, e);
      const email = (e.entity.spec as any)?.profile?.email;
      if (email) this.byEmail.set(String(email).toLowerCase(), e);
    }
    this.sorted = all.sort((a, b) =>
      a.nameLower < b.nameLower ? -1 : a.nameLower > b.nameLower ? 1 : 0,
    );
  }

  get size() {
    return this.sorted.length;
  }

  private count(name: string) {
    this.calls[name] = (this.calls[name] ?? 0) + 1;
  }

  private lookup(
    ref: string | { kind: string; namespace: string; name: string },
  ) {
    const s = typeof ref === 'string' ? ref : stringifyEntityRef(ref);
    try {
      return this.byRef.get(
        stringifyEntityRef(parseEntityRef(s)).toLowerCase(),
      );
    } catch {
      return undefined;
    }
  }

  async getEntityByRef(ref: any): Promise<Entity | undefined> {
    this.count('getEntityByRef');
    return this.lookup(ref)?.entity;
  }

  async getEntitiesByRefs(request: { entityRefs: string[] }) {
    this.count('getEntitiesByRefs');
    return { items: request.entityRefs.map(r => this.lookup(r)?.entity) };
  }

  async getEntities(request?: { filter?: Filter | Filter[]; limit?: number }) {
    this.count('getEntities');
    const filters = request?.filter ? [request.filter].flat() : [];
    // Fast path for the e-mail lookup the access plugin does.
    if (filters.length === 1 && Object.keys(filters[0]).length === 2) {
      const email = filters[0]['spec.profile.email'];
      if (typeof email === 'string') {
        const hit = this.byEmail.get(email.toLowerCase());
        return {
          items: hit && matches(hit.flat, filters[0]) ? [hit.entity] : [],
        };
      }
    }
    let items = this.sorted
      .filter(e => !filters.length || filters.some(f => matches(e.flat, f)))
      .map(e => e.entity);
    if (request?.limit !== undefined) items = items.slice(0, request.limit);
    return { items };
  }

  async queryEntities(request: any) {
    this.count('queryEntities');
    let q = request ?? {};
    let offset: number = q.offset ?? 0;
    if (q.cursor) {
      const c = JSON.parse(Buffer.from(q.cursor, 'base64').toString('utf8'));
      offset = c.offset;
      q = { ...c.query, limit: q.limit ?? c.query.limit };
    }
    const filters: Filter[] = q.filter ? [q.filter].flat() : [];
    const term: string | undefined = q.fullTextFilter?.term
      ?.trim()
      .toLowerCase();
    const fields: string[] = (
      q.fullTextFilter?.fields ?? ['metadata.name']
    ).map((f: string) => f.toLowerCase());
    const limit: number = q.limit ?? 20;
    const matched: Entity[] = [];
    let total = 0;
    for (const e of this.sorted) {
      if (filters.length && !filters.some(f => matches(e.flat, f))) continue;
      if (term) {
        let hit = false;
        for (const f of fields) {
          for (const v of e.flat.get(f) ?? []) {
            if (v.includes(term)) {
              hit = true;
              break;
            }
          }
          if (hit) break;
        }
        if (!hit) continue;
      }
      if (total >= offset && matched.length < limit) matched.push(e.entity);
      total++;
      // Like the catalog with totalItems: 'exclude', stop once we know there is a next page.
      if (matched.length === limit && total > offset + limit) break;
    }
    const more = total > offset + matched.length;
    const { cursor: _c, ...query } = q;
    return {
      items: matched,
      totalItems: 0,
      pageInfo: more
        ? {
            nextCursor: Buffer.from(
              JSON.stringify({ offset: offset + matched.length, query }),
            ).toString('base64'),
          }
        : {},
    };
  }
}

function unsupported(name: string) {
  return async () => {
    throw new Error(`bench catalog: ${name} is not supported`);
  };
}

/** The size comes from BENCH_CATALOG_ENTITIES (default 10,000). */
export const benchCatalog = new BenchCatalog(
  generateEntities(Number(process.env.BENCH_CATALOG_ENTITIES ?? 10000)),
);

export const benchCatalogServiceFactory = createServiceFactory({
  service: catalogServiceRef,
  deps: {},
  factory: () =>
    ({
      getEntityByRef: (ref: any) => benchCatalog.getEntityByRef(ref),
      getEntitiesByRefs: (r: any) => benchCatalog.getEntitiesByRefs(r),
      getEntities: (r: any) => benchCatalog.getEntities(r),
      queryEntities: (r: any) => benchCatalog.queryEntities(r),
      getEntityAncestors: unsupported('getEntityAncestors'),
      removeEntityByUid: unsupported('removeEntityByUid'),
      refreshEntity: unsupported('refreshEntity'),
      getEntityFacets: unsupported('getEntityFacets'),
      getLocations: unsupported('getLocations'),
      queryLocations: unsupported('queryLocations'),
      getLocationById: unsupported('getLocationById'),
      getLocationByRef: unsupported('getLocationByRef'),
      addLocation: unsupported('addLocation'),
      removeLocationById: unsupported('removeLocationById'),
      updateLocation: unsupported('updateLocation'),
      getLocationByEntity: unsupported('getLocationByEntity'),
      validateEntity: unsupported('validateEntity'),
      analyzeLocation: unsupported('analyzeLocation'),
    } as any),
});
