import {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  getCompoundEntityRef,
  parseEntityRef,
  RELATION_HAS_MEMBER,
  RELATION_MEMBER_OF,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, ServiceUnavailableError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { BoundedCache } from '../BoundedCache';

/** A person as the access backend needs to know them. */
export interface DirectoryUser {
  ref: string;
  email?: string;
  displayName?: string;
  /** Groups the user is a direct member of. */
  groups: string[];
}

/**
 * The look-up cache: an entry lives 30 s (group and owner changes show within that) and at
 * most 5,000 are held, a few MB at most whatever refs callers make up.
 */
export const LOOKUP_CACHE = { ttlMs: 30_000, maxEntries: 5_000 };

/**
 * Reads users, groups and entities from the catalog, with a short, bounded cache so that a
 * burst of requests does not become a burst of catalog calls. Reads for the plugin's own
 * decisions (approvers, owners, flow matching) use the plugin's credentials; reads that show
 * entities to a caller pass the caller's credentials, so the catalog's permission policy
 * decides what they see.
 */
export class CatalogDirectory {
  private readonly cache: BoundedCache<Promise<Entity | undefined>>;

  private readonly catalog: CatalogService;

  constructor(
    catalog: CatalogService,
    private readonly auth: AuthService,
    now: () => number = Date.now,
  ) {
    this.catalog = answerUnavailableWhenDown(catalog);
    this.cache = new BoundedCache({ ...LOOKUP_CACHE, now });
  }

  /** Entries held by the look-up cache (for tests and diagnostics). */
  get cacheSize(): number {
    return this.cache.size;
  }

  private async credentials(onBehalfOf?: BackstageCredentials) {
    return {
      credentials: onBehalfOf ?? (await this.auth.getOwnServiceCredentials()),
    };
  }

  /**
   * Fetches one entity (cached). With `onBehalfOf`, the catalog answers as it would that
   * caller (an entity they may not read is `undefined`), and the entry is that caller's own.
   */
  async getEntity(
    ref: string,
    onBehalfOf?: BackstageCredentials,
  ): Promise<Entity | undefined> {
    const key = cacheKey(ref, onBehalfOf);
    const hit = this.cache.get(key);
    if (hit) return hit;
    const value = this.credentials(onBehalfOf).then(o =>
      this.catalog.getEntityByRef(ref, o),
    );
    this.cache.set(key, value);
    // Misses are not kept: anyone can ask for any number of refs that do not exist.
    const forget = () => this.cache.deleteIf(key, value);
    value.then(e => e || forget(), forget);
    return value;
  }

  /**
   * Fetches many entities in one catalog call, in the order asked; missing ones are
   * undefined. With `onBehalfOf`, those that caller may not read are undefined too.
   */
  async getEntities(
    refs: string[],
    onBehalfOf?: BackstageCredentials,
  ): Promise<(Entity | undefined)[]> {
    if (refs.length === 0) return [];
    const { items } = await this.catalog.getEntitiesByRefs(
      { entityRefs: refs },
      await this.credentials(onBehalfOf),
    );
    items.forEach((e, i) => {
      if (e) this.cache.set(cacheKey(refs[i], onBehalfOf), Promise.resolve(e));
    });
    return items;
  }

  /**
   * One page of entities matching any of the filters (and the search term), in name order,
   * as `onBehalfOf` may read them. The query is always built here from the filters, never
   * taken from a client; `offset` says where the page starts.
   */
  async queryEntities(options: {
    filters: Record<string, string | string[]>[];
    term?: string;
    offset: number;
    limit: number;
    onBehalfOf: BackstageCredentials;
  }): Promise<{ items: Entity[]; more: boolean }> {
    const res = await this.catalog.queryEntities(
      {
        filter: options.filters,
        limit: options.limit,
        offset: options.offset || undefined,
        orderFields: { field: 'metadata.name', order: 'asc' },
        totalItems: 'exclude',
        ...(options.term
          ? {
              fullTextFilter: {
                term: options.term,
                fields: [
                  'metadata.name',
                  'metadata.title',
                  'metadata.description',
                ],
              },
            }
          : {}),
      },
      await this.credentials(options.onBehalfOf),
    );
    return { items: res.items, more: !!res.pageInfo.nextCursor };
  }

  /** Finds a user by entity ref (`user:default/alice`, `alice`) or by e-mail. */
  async findUser(refOrEmail: string): Promise<DirectoryUser | undefined> {
    let entity: Entity | undefined;
    if (refOrEmail.includes('@') && !refOrEmail.includes(':')) {
      const { items } = await this.catalog.getEntities(
        { filter: { kind: 'user', 'spec.profile.email': refOrEmail } },
        await this.credentials(),
      );
      entity = items[0];
    } else {
      let ref: string;
      try {
        ref = stringifyEntityRef(
          parseEntityRef(refOrEmail, {
            defaultKind: 'user',
            defaultNamespace: 'default',
          }),
        );
      } catch {
        return undefined;
      }
      if (!ref.startsWith('user:')) return undefined;
      entity = await this.getEntity(ref);
    }
    if (!entity || entity.kind.toLocaleLowerCase('en-US') !== 'user')
      return undefined;
    return toUser(entity);
  }

  /** The user entity refs a ref stands for: a user itself, or a group's direct members. */
  async expandToUsers(ref: string): Promise<string[]> {
    if (ref.startsWith('user:')) return [ref];
    const group = await this.getEntity(ref);
    if (!group) return [];
    return (group.relations ?? [])
      .filter(r => r.type === RELATION_HAS_MEMBER)
      .map(r => r.targetRef)
      .filter(r => r.startsWith('user:'));
  }
}

/**
 * Wraps the catalog so that an outage (network error, 5xx) becomes a 503 with a clear
 * message instead of a 500; errors about the caller's input (400, 404) pass through.
 */
const GUARDED = new Set([
  'getEntityByRef',
  'getEntitiesByRefs',
  'getEntities',
  'queryEntities',
]);

function answerUnavailableWhenDown(catalog: CatalogService): CatalogService {
  return new Proxy(catalog, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || !GUARDED.has(String(prop)))
        return value;
      return async (...args: unknown[]) => {
        try {
          return await value.apply(target, args);
        } catch (e) {
          const name = (e as Error)?.name;
          if (
            [
              'InputError',
              'NotFoundError',
              'NotAllowedError',
              'AuthenticationError',
            ].includes(name)
          )
            throw e;
          // The catalog refused the query itself (e.g. a cursor it does not know): the
          // caller's input, not an outage.
          const status = (e as { statusCode?: unknown })?.statusCode;
          if (status === 400) {
            throw new InputError(
              `The software catalog refused the query: ${
                (e as Error)?.message ?? e
              }`,
            );
          }
          throw new ServiceUnavailableError(
            `The software catalog did not answer (${
              (e as Error)?.message ?? e
            }); try again shortly`,
          );
        }
      };
    },
  });
}

/** The owner refs of an entity, from its relations (falling back to spec.owner). */
export function ownersOf(entity: Entity): string[] {
  const owners = (entity.relations ?? [])
    .filter(r => r.type === RELATION_OWNED_BY)
    .map(r => r.targetRef);
  if (owners.length) return owners;
  const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
  if (typeof owner === 'string' && owner) {
    try {
      return [
        stringifyEntityRef(
          parseEntityRef(owner, {
            defaultKind: 'group',
            defaultNamespace: entity.metadata.namespace ?? 'default',
          }),
        ),
      ];
    } catch {
      return [];
    }
  }
  return [];
}

/** Own reads and each caller's reads are kept apart: what one may see is not shown to another. */
function cacheKey(ref: string, onBehalfOf?: BackstageCredentials): string {
  const p = onBehalfOf?.principal as
    | { type: string; userEntityRef?: string; subject?: string }
    | undefined;
  const who = p ? `${p.type} ${p.userEntityRef ?? p.subject ?? ''}` : 'self';
  return `${who}\n${ref.toLocaleLowerCase('en-US')}`;
}

function toUser(entity: Entity): DirectoryUser {
  const profile = (
    entity.spec as
      | { profile?: { email?: string; displayName?: string } }
      | undefined
  )?.profile;
  return {
    ref: stringifyEntityRef(getCompoundEntityRef(entity)),
    email: profile?.email,
    displayName: profile?.displayName ?? entity.metadata.title,
    groups: (entity.relations ?? [])
      .filter(r => r.type === RELATION_MEMBER_OF)
      .map(r => r.targetRef),
  };
}
