/**
 * Runs fn over items with at most `limit` calls in flight, keeping the order of results.
 * A pool, not batches: one slow call does not hold up the others.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

/** Runs a task once a slot is free; see {@link limiter}. */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/**
 * At most `limit` tasks given to the returned function run at once; the others wait in
 * order. For work that arrives from several places (a submission's checks, then grants).
 */
export function limiter(limit: number): Limiter {
  let running = 0;
  const queue: Array<() => void> = [];
  return async task => {
    if (running >= limit) await new Promise<void>(go => queue.push(go));
    else running++;
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next task, or free it.
      const next = queue.shift();
      if (next) next();
      else running--;
    }
  };
}

/** Rejects with `message` when the promise has not settled within `ms`. */
export async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  message: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
