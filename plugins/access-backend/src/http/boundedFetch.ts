/**
 * Outbound HTTP calls to endpoints we do not control (webhook check, webhook provisioner,
 * outbound webhooks): never follow a redirect, never read more of an answer than allowed.
 */

/** Default cap of an answer's body: 1 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

/** Appended to the message about a 3xx answer. */
export const REDIRECT_NOT_FOLLOWED = '(redirects are not followed)';

/** An answer's body was larger than the cap; the rest of it was not read. */
export class ResponseTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`answered with more than ${maxBytes} bytes`);
    this.name = 'ResponseTooLargeError';
  }
}

/** An answer whose body can only be read up to the cap. */
export interface BoundedResponse {
  readonly status: number;
  /** 2xx */
  readonly ok: boolean;
  /** 3xx: never followed. */
  readonly redirect: boolean;
  readonly headers: Headers;
  /** The whole body; {@link ResponseTooLargeError} when it is over the cap. */
  text(): Promise<string>;
  /** At most `maxBytes` of the body (and no more than the cap); `complete` when that was all. */
  textAtMost(maxBytes: number): Promise<{ text: string; complete: boolean }>;
  /** Drops the body unread. */
  discard(): Promise<void>;
}

/**
 * `fetch` with `redirect: 'manual'` (so configured credentials never go to where a 3xx
 * points) and a body that is read at most `maxResponseBytes` (default 1 MiB) far.
 */
export async function boundedFetch(
  url: string,
  init: Omit<RequestInit, 'redirect'> & { maxResponseBytes?: number },
  fetchImpl: typeof fetch = fetch,
): Promise<BoundedResponse> {
  const { maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES, ...rest } = init;
  const response = await fetchImpl(url, { ...rest, redirect: 'manual' });
  const discard = async () => {
    await response.body?.cancel().catch(() => undefined);
  };
  const read = async (limit: number) => {
    const declared = Number(response.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > limit) {
      await discard();
      return { bytes: new Uint8Array(), complete: false };
    }
    return readUpTo(response, limit);
  };
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return {
    status: response.status,
    ok: response.ok,
    redirect: response.status >= 300 && response.status < 400,
    headers: response.headers,
    async text() {
      const { bytes, complete } = await read(maxResponseBytes);
      if (!complete) throw new ResponseTooLargeError(maxResponseBytes);
      return decode(bytes);
    },
    async textAtMost(maxBytes) {
      const { bytes, complete } = await readUpTo(
        response,
        Math.min(maxBytes, maxResponseBytes),
      );
      return { text: decode(bytes), complete };
    },
    discard,
  };
}

/** Reads the body until it ends or passes `limit` bytes (then stops and cancels it). */
async function readUpTo(
  response: Response,
  limit: number,
): Promise<{ bytes: Uint8Array; complete: boolean }> {
  if (!response.body) return { bytes: new Uint8Array(), complete: true };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { bytes: Buffer.concat(chunks), complete: true };
    chunks.push(value);
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return {
        bytes: Buffer.concat(chunks).subarray(0, limit),
        complete: false,
      };
    }
  }
}
