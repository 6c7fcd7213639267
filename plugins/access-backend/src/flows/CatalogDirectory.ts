import { AuthService } from '@backstage/backend-plugin-api';
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

/** A person as the access backend needs to know them. */
export interface DirectoryUser {
  ref: string;
  email?: string;
  displayName?: string;
  /** Groups the user is a direct member of. */
  groups: string[];
}

const CACHE_MS = 30_000;

/**
 * Reads users, groups and entities from the catalog with the plugin's own credentials,
 * with a short cache so that a burst of requests does not become a burst of catalog calls.
 */
export class CatalogDirectory {
  private readonly cache = new Map<
    string,
    { at: number; value: Promise<Entity | undefined> }
  >();

  private readonly catalog: CatalogService;

  constructor(
    catalog: CatalogService,
    private readonly auth: AuthService,
    private readonly now: () => number = Date.now,
  ) {
    this.catalog = answerUnavailableWhenDown(catalog);
  }

  private async credentials() {
    return { credentials: await this.auth.getOwnServiceCredentials() };
  }

  /** Fetches one entity (cached). */
  async getEntity(ref: string): Promise<Entity | undefined> {
    const key = ref.toLocaleLowerCase('en-US');
    const hit = this.cache.get(key);
    if (hit && this.now() - hit.at < CACHE_MS) return hit.value;
    const value = this.credentials().then(o =>
      this.catalog.getEntityByRef(ref, o),
    );
    this.cache.set(key, { at: this.now(), value });
    value.catch(() => this.cache.delete(key));
    return value;
  }

  /** Fetches many entities in one catalog call, in the order asked; missing ones are undefined. */
  async getEntities(refs: string[]): Promise<(Entity | undefined)[]> {
    if (refs.length === 0) return [];
    const { items } = await this.catalog.getEntitiesByRefs(
      { entityRefs: refs },
      await this.credentials(),
    );
    items.forEach((e, i) => {
      if (e) {
        this.cache.set(refs[i].toLocaleLowerCase('en-US'), {
          at: this.now(),
          value: Promise.resolve(e),
        });
      }
    });
    return items;
  }

  /** One page of entities matching any of the filters (and the search term), in name order. */
  async queryEntities(options: {
    filters: Record<string, string | string[]>[];
    term?: string;
    cursor?: string;
    limit: number;
  }): Promise<{ items: Entity[]; nextCursor?: string }> {
    const request = options.cursor
      ? { cursor: options.cursor, limit: options.limit }
      : {
          filter: options.filters,
          limit: options.limit,
          orderFields: { field: 'metadata.name', order: 'asc' as const },
          totalItems: 'exclude' as const,
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
        };
    const res = await this.catalog.queryEntities(
      request,
      await this.credentials(),
    );
    return { items: res.items, nextCursor: res.pageInfo.nextCursor };
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
