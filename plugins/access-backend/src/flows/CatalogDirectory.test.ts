import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity, parseEntityRef } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { CatalogDirectory, LOOKUP_CACHE } from './CatalogDirectory';

/** A catalog where every ref names an entity, except for users, who see no `secret-*`. */
function everythingCatalog() {
  const calls: string[] = [];
  const catalog = catalogServiceMock.mock({
    getEntityByRef: (async (ref: string, options: any) => {
      calls.push(ref);
      const { kind, namespace, name } = parseEntityRef(ref as string);
      if (
        name.startsWith('secret-') &&
        options?.credentials?.principal?.type === 'user'
      )
        return undefined;
      if (name.startsWith('missing-')) return undefined;
      return {
        apiVersion: 'backstage.io/v1alpha1',
        kind,
        metadata: { name, namespace },
      } as Entity;
    }) as any,
  });
  return { catalog, calls };
}

function directory(catalog: any, clock: { ms: number }) {
  return new CatalogDirectory(catalog, mockServices.auth(), () => clock.ms);
}

describe('CatalogDirectory look-up cache', () => {
  it('keeps nothing for refs the catalog does not know (4,000 made-up refs)', async () => {
    const { catalog } = everythingCatalog();
    const dir = directory(catalog, { ms: 0 });
    for (let i = 0; i < 4000; i++) {
      await expect(
        dir.getEntity(`resource:default/missing-${i}`),
      ).resolves.toBeUndefined();
    }
    expect(dir.cacheSize).toBe(0);
  });

  it('holds at most its maximum of entities, and forgets them once expired', async () => {
    const { catalog, calls } = everythingCatalog();
    const clock = { ms: 0 };
    const dir = directory(catalog, clock);
    const total = LOOKUP_CACHE.maxEntries * 2 + 10;
    for (let i = 0; i < total; i++) {
      await dir.getEntity(`resource:default/made-up-${i}`);
    }
    expect(dir.cacheSize).toBe(LOOKUP_CACHE.maxEntries);

    // Still a cache: a recent entry is answered without a catalog call.
    const before = calls.length;
    await dir.getEntity(`resource:default/made-up-${total - 1}`);
    expect(calls.length).toBe(before);

    // Once the entries are older than the TTL, the next look-up sweeps them out.
    clock.ms += LOOKUP_CACHE.ttlMs + 1;
    await dir.getEntity('resource:default/one-more');
    expect(dir.cacheSize).toBe(1);
  });

  it("does not answer a caller from an entry read with the plugin's own credentials", async () => {
    const { catalog } = everythingCatalog();
    const dir = directory(catalog, { ms: 0 });
    const ref = 'resource:default/secret-db';
    // The plugin itself reads it (e.g. to find approvers) and caches it ...
    await expect(dir.getEntity(ref)).resolves.toMatchObject({
      metadata: { name: 'secret-db' },
    });
    // ... but a user who may not read it in the catalog does not get it.
    const alice = mockCredentials.user('user:default/alice');
    await expect(dir.getEntity(ref, alice)).resolves.toBeUndefined();
    // and a caller's read is not handed to the next caller either
    await expect(
      dir.getEntity(
        'resource:default/shared-db',
        mockCredentials.user('user:default/bob'),
      ),
    ).resolves.toBeDefined();
    await expect(
      dir.getEntity('resource:default/secret-db', alice),
    ).resolves.toBeUndefined();
  });
});
