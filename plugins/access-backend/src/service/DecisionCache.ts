/**
 * Remembers a user's permission decisions for a few seconds. Every API call asks whether
 * the caller is an admin (and often one more permission); with the permission backend a
 * network hop away that doubled the cost of a call. A change to a user's permissions takes
 * effect within `ttlMs`.
 */
export class DecisionCache {
  private readonly entries = new Map<
    string,
    { at: number; allowed: Set<string> }
  >();

  constructor(
    private readonly options: {
      ttlMs: number;
      maxEntries: number;
      now?: () => number;
    },
  ) {}

  private now() {
    return (this.options.now ?? Date.now)();
  }

  /** The allowed names among `asked`, from the cache or from `decide`. */
  async get(
    user: string,
    asked: string[],
    decide: () => Promise<Set<string>>,
  ): Promise<Set<string>> {
    const key = `${user}\n${asked.join('\n')}`;
    const hit = this.entries.get(key);
    if (hit && this.now() - hit.at < this.options.ttlMs) return hit.allowed;
    const allowed = await decide();
    this.entries.delete(key);
    this.entries.set(key, { at: this.now(), allowed });
    // Maps keep insertion order: the first key is the oldest.
    if (this.entries.size > this.options.maxEntries) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    return allowed;
  }
}
