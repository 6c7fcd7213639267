import { DecisionCache } from './DecisionCache';

describe('DecisionCache', () => {
  it('asks again once a decision is older than the TTL, so permission changes apply', async () => {
    let now = 0;
    const cache = new DecisionCache({
      ttlMs: 10_000,
      maxEntries: 10,
      now: () => now,
    });
    let admin = true;
    const decide = jest.fn(async () => new Set(admin ? ['access.admin'] : []));
    const ask = () => cache.get('user:default/pat', ['access.admin'], decide);

    expect(await ask()).toEqual(new Set(['access.admin']));
    admin = false; // removed from the admins
    now = 9_999;
    expect(await ask()).toEqual(new Set(['access.admin']));
    now = 10_000;
    expect(await ask()).toEqual(new Set());
    expect(decide).toHaveBeenCalledTimes(2);
  });

  it('keeps users and sets of permissions apart, and forgets the oldest beyond its size', async () => {
    const cache = new DecisionCache({ ttlMs: 10_000, maxEntries: 2 });
    const decide = jest.fn(async () => new Set<string>());
    await cache.get('user:default/a', ['p'], decide);
    await cache.get('user:default/b', ['p'], decide);
    await cache.get('user:default/b', ['p', 'q'], decide);
    expect(decide).toHaveBeenCalledTimes(3);
    await cache.get('user:default/b', ['p'], decide); // still there
    await cache.get('user:default/a', ['p'], decide); // evicted: asked again
    expect(decide).toHaveBeenCalledTimes(4);
  });
});
