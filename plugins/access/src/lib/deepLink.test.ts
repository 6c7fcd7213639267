import { linkedToResolve, parseDeepLink } from './deepLink';

describe('parseDeepLink', () => {
  it('applies one permission to every entity', () => {
    expect(
      parseDeepLink(
        '?entity=resource:default/a&entity=resource:default/b&permission=read',
      ),
    ).toEqual({
      entities: [
        { ref: 'resource:default/a', permissions: ['read'] },
        { ref: 'resource:default/b', permissions: ['read'] },
      ],
      bundleId: undefined,
    });
  });

  it('pairs as many permissions as entities in order', () => {
    expect(
      parseDeepLink(
        '?entity=resource:default/a&permission=read&entity=resource:default/b&permission=write',
      ).entities,
    ).toEqual([
      { ref: 'resource:default/a', permissions: ['read'] },
      { ref: 'resource:default/b', permissions: ['write'] },
    ]);
  });

  it('reads a bundle and ignores blank params', () => {
    expect(parseDeepLink('?bundle=kit&entity=&permission=')).toEqual({
      entities: [],
      bundleId: 'kit',
    });
  });
});

describe('linkedToResolve', () => {
  it('looks up a repeated entity once, with the permissions of every repeat', () => {
    const repeats = Array.from({ length: 1000 }, (_, i) => ({
      ref: i % 2 ? 'Resource:default/Orders-DB' : 'resource:default/orders-db',
      permissions: [i % 2 ? 'write' : 'read'],
    }));
    expect(linkedToResolve(repeats)).toEqual({
      entities: [
        { ref: 'resource:default/orders-db', permissions: ['read', 'write'] },
      ],
      leftOut: 0,
    });
  });

  it('keeps the first 50 distinct entities and counts the rest', () => {
    const many = Array.from({ length: 120 }, (_, i) => ({
      ref: `resource:default/db-${i}`,
      permissions: ['read'],
    }));
    const { entities, leftOut } = linkedToResolve(many);
    expect(entities.map(e => e.ref)).toEqual(many.slice(0, 50).map(e => e.ref));
    expect(leftOut).toBe(70);
  });
});
