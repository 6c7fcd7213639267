import { LRUCache } from 'lru-cache';

/** Options of {@link AnswerCache}. */
export interface AnswerCacheOptions {
  /** How long an answer is reused, in milliseconds; 0 keeps nothing. */
  ttlMs: number;
  /** The most answers kept; the least recently used go first. */
  maxEntries: number;
  /** For tests: the clock, in milliseconds. */
  now?: () => number;
}

/** What one caller of {@link AnswerCache.get} asks for. */
export interface AnswerRequest<T> {
  /** The caller's deadline: it stops waiting (the shared call goes on for others). */
  signal?: AbortSignal;
  /** Skip a kept answer (re-verification must see PagerDuty now); the new one is kept. */
  fresh?: boolean;
  /** Whether to keep this answer (default: anything but undefined). */
  keep?: (value: T) => boolean;
  /** The error for a caller whose signal aborted. */
  aborted: () => Error;
}

interface Shared {
  promise: Promise<unknown>;
  controller: AbortController;
  waiters: number;
}

/**
 * PagerDuty answers kept for a short while, at most `maxEntries` of them, and shared by
 * callers asking the same at once: a submission of 300 resources that runs 300 checks for
 * one requester makes one call, not 300, and so cannot use up the API quota. Failures
 * ("could not verify") are never kept. The shared call is cancelled once every caller
 * waiting for it has given up.
 */
export class AnswerCache {
  private readonly ttlMs: number;
  private readonly kept: LRUCache<string, { value: unknown }>;
  private readonly pending = new Map<string, Shared>();

  constructor(options: AnswerCacheOptions) {
    this.ttlMs = options.ttlMs;
    this.kept = new LRUCache({
      max: options.maxEntries,
      ttl: Math.max(options.ttlMs, 1),
      // exact expiry: read the clock on every look-up
      ttlResolution: 0,
      ...(options.now ? { perf: { now: options.now } } : {}),
    });
  }

  /** How many answers are kept now. */
  get size(): number {
    return this.kept.size;
  }

  /** The kept answer for `key`, or the one `load` gets (once for concurrent callers). */
  async get<T>(
    key: string,
    load: (signal: AbortSignal) => Promise<T>,
    request: AnswerRequest<T>,
  ): Promise<T> {
    if (!request.fresh) {
      const hit = this.kept.get(key);
      if (hit) return hit.value as T;
    }
    let shared = this.pending.get(key);
    if (!shared) {
      const controller = new AbortController();
      const keep = request.keep ?? ((v: T) => v !== undefined);
      const promise = load(controller.signal).then(value => {
        if (this.ttlMs > 0 && keep(value)) this.kept.set(key, { value });
        return value;
      });
      const entry: Shared = { promise, controller, waiters: 0 };
      const done = () => {
        if (this.pending.get(key) === entry) this.pending.delete(key);
      };
      promise.then(done, done);
      this.pending.set(key, entry);
      shared = entry;
    }
    return this.wait(shared, request.signal, request.aborted) as Promise<T>;
  }

  private wait(
    shared: Shared,
    signal: AbortSignal | undefined,
    aborted: () => Error,
  ): Promise<unknown> {
    shared.waiters++;
    const leave = () => {
      shared.waiters--;
      if (shared.waiters === 0) shared.controller.abort();
    };
    if (!signal) return shared.promise;
    if (signal.aborted) {
      leave();
      return Promise.reject(aborted());
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        leave();
        reject(aborted());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      shared.promise
        .then(resolve, reject)
        .finally(() => signal.removeEventListener('abort', onAbort));
    });
  }
}
