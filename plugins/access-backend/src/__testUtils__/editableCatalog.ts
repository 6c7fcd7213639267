import { createServiceFactory } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  CatalogService,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';

/**
 * An in-memory catalog whose entities a test replaces while the backend runs, as when
 * someone leaves a group or an entity is deleted between two calls.
 */
export function editableCatalog(initial: Entity[]) {
  let current: CatalogService = catalogServiceMock({ entities: initial });
  let down = false;
  const live = new Proxy({} as CatalogService, {
    get(_target, prop) {
      const value = Reflect.get(current, prop);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        down
          ? Promise.reject(new Error('catalog down'))
          : value.apply(current, args);
    },
  });
  return {
    /** The catalog as the plugin sees it, for tests that wrap it further. */
    service: live,
    /** Replaces every entity; the plugin sees it once its directory cache (30 s) is past. */
    set(entities: Entity[]) {
      current = catalogServiceMock({ entities });
    },
    /** While down, every call fails as an unreachable catalog's would. */
    setDown(on: boolean) {
      down = on;
    },
    factory: createServiceFactory({
      service: catalogServiceRef,
      deps: {},
      factory: () => live,
    }),
  };
}

/** The entities with a user's group memberships replaced, on both the user and the groups. */
export function withMemberships(
  entities: Entity[],
  userRef: string,
  groups: string[],
): Entity[] {
  return entities.map(e => {
    const ref = `${e.kind.toLocaleLowerCase('en-US')}:${
      e.metadata.namespace ?? 'default'
    }/${e.metadata.name}`;
    if (ref === userRef) {
      return {
        ...e,
        relations: [
          ...(e.relations ?? []).filter(r => r.type !== 'memberOf'),
          ...groups.map(g => ({ type: 'memberOf', targetRef: g })),
        ],
      };
    }
    if (e.kind !== 'Group') return e;
    const others = (e.relations ?? []).filter(
      r => !(r.type === 'hasMember' && r.targetRef === userRef),
    );
    return {
      ...e,
      relations: groups.includes(ref)
        ? [...others, { type: 'hasMember', targetRef: userRef }]
        : others,
    };
  });
}
