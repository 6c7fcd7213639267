import { BoundedCache } from '../BoundedCache';

/**
 * Remembers a user's permission decisions for a few seconds. Every API call asks whether
 * the caller is an admin (and often one more permission); with the permission backend a
 * network hop away that doubled the cost of a call. A change to a user's permissions takes
 * effect within `ttlMs`.
 */
export class DecisionCache {
  private readonly entries: BoundedCache<Set<string>>;

  constructor(options: {
    ttlMs: number;
    maxEntries: number;
    now?: () => number;
  }) {
    this.entries = new BoundedCache({
      ttlMs: options.ttlMs,
      maxEntries: options.maxEntries,
      now: options.now ?? Date.now,
    });
  }

  /** The allowed names among `asked`, from the cache or from `decide`. */
  async get(
    user: string,
    asked: string[],
    decide: () => Promise<Set<string>>,
  ): Promise<Set<string>> {
    const key = `${user}\n${asked.join('\n')}`;
    const hit = this.entries.get(key);
    if (hit) return hit;
    const allowed = await decide();
    this.entries.set(key, allowed);
    return allowed;
  }
}
