/**
 * A map that forgets entries after `ttlMs` and holds at most `maxEntries`, dropping the
 * oldest first. Keys are often chosen by callers (entity refs in a query string), so
 * neither the number of distinct keys nor time may make it grow.
 */
export class BoundedCache<V> {
  // A Map iterates in insertion order, and `set` re-inserts: the first entry is the oldest.
  private readonly entries = new Map<string, { at: number; value: V }>();

  constructor(
    private readonly options: {
      ttlMs: number;
      maxEntries: number;
      now: () => number;
    },
  ) {}

  /** How many entries are held (expired ones included until the next write sweeps them). */
  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (this.expired(hit.at)) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { at: this.options.now(), value });
    for (const [k, e] of this.entries) {
      if (this.entries.size <= this.options.maxEntries && !this.expired(e.at))
        break;
      this.entries.delete(k);
    }
  }

  /** Removes the entry, but only while it still holds `value` (a newer one is kept). */
  deleteIf(key: string, value: V): void {
    if (this.entries.get(key)?.value === value) this.entries.delete(key);
  }

  private expired(at: number) {
    return this.options.now() - at >= this.options.ttlMs;
  }
}
