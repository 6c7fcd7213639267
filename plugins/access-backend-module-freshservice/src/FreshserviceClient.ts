/**
 * Options of {@link FreshserviceClient}.
 * @public
 */
export interface FreshserviceClientOptions {
  /** e.g. `https://acme.freshservice.com`. */
  baseUrl: string;
  /** A Freshservice API key (sent as the Basic auth user name, with `X` as password). */
  apiKey: string;
  /** Limit of one HTTP call, answer included. Default 10 s. */
  timeoutMs?: number;
  /** Most 429 answers waited out per call (by their `Retry-After`). Default 3. */
  maxRateLimitRetries?: number;
  /** A `Retry-After` longer than this fails the call instead of waiting. Default 60 s. */
  maxRetryAfterMs?: number;
  fetch?: typeof fetch;
}

/**
 * A failed Freshservice call. `permanent` when trying again cannot help (400, 404, 405,
 * 409, 415, 422: the ticket is gone or refuses the change).
 * @public
 */
export class FreshserviceError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly permanent = false,
  ) {
    super(message);
    this.name = 'FreshserviceError';
  }
}

/** Largest answer read; Freshservice's answers to these calls are a few KiB. */
const MAX_RESPONSE_BYTES = 256 * 1024;
const PERMANENT = [400, 404, 405, 409, 415, 422];

async function readBounded(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_RESPONSE_BYTES) {
      await reader.cancel();
      throw new FreshserviceError(
        `HTTP ${response.status}: answered with more than ${MAX_RESPONSE_BYTES} bytes`,
        response.status,
      );
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Freshservice's `{ description, errors: [{ field, message, code }] }`, short. */
function describeError(text: string): string {
  try {
    const body = JSON.parse(text);
    if (Array.isArray(body?.errors)) {
      const errors = body.errors
        .slice(0, 5)
        .map(
          (e: any) =>
            `${String(e?.field ?? '')}: ${String(e?.message ?? '')} (${String(
              e?.code ?? '',
            )})`,
        )
        .join('; ');
      return `${String(body.description ?? 'error')}: ${errors}`.slice(0, 500);
    }
    if (typeof body?.message === 'string')
      return `${body.code ? `${body.code}: ` : ''}${body.message}`.slice(
        0,
        500,
      );
  } catch {
    // not JSON
  }
  return text.slice(0, 200);
}

function parseRetryAfter(
  value: string | null,
  now: number,
): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The Freshservice REST API v2 calls the module makes: add a note to a ticket and change a
 * ticket's status. Every answer is bounded and checked; 429 is waited out by its
 * `Retry-After` (a few times, briefly), anything else that is not 2xx is an error.
 * @public
 */
export class FreshserviceClient {
  private readonly baseUrl: string;
  private readonly authorization: string;
  private readonly timeoutMs: number;
  private readonly maxRateLimitRetries: number;
  private readonly maxRetryAfterMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: FreshserviceClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.authorization = `Basic ${Buffer.from(`${options.apiKey}:X`).toString(
      'base64',
    )}`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxRateLimitRetries = options.maxRateLimitRetries ?? 3;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.fetchImpl = options.fetch ?? ((...args) => fetch(...args));
  }

  /** `POST /api/v2/tickets/{id}/notes`; answers the new conversation's id. */
  async addNote(
    ticketId: number,
    note: { body: string; private: boolean },
    signal?: AbortSignal,
  ): Promise<{ id: number }> {
    const body = await this.call(
      'POST',
      `/api/v2/tickets/${ticketId}/notes`,
      { body: note.body, private: note.private },
      201,
      signal,
    );
    const id = body?.conversation?.id;
    if (!Number.isInteger(id)) {
      throw new FreshserviceError(
        `POST /api/v2/tickets/${ticketId}/notes: the answer has no conversation.id`,
      );
    }
    return { id };
  }

  /** `PUT /api/v2/tickets/{id}` with `{ status }` (4 Resolved, 5 Closed, ...). */
  async setStatus(
    ticketId: number,
    status: number,
    signal?: AbortSignal,
  ): Promise<void> {
    const body = await this.call(
      'PUT',
      `/api/v2/tickets/${ticketId}`,
      { status },
      200,
      signal,
    );
    if (body?.ticket?.id !== ticketId) {
      throw new FreshserviceError(
        `PUT /api/v2/tickets/${ticketId}: the answer is not this ticket`,
      );
    }
  }

  private async call(
    method: string,
    path: string,
    payload: unknown,
    expected: number,
    signal?: AbortSignal,
  ): Promise<any> {
    for (let attempt = 0; ; attempt++) {
      const timeout = AbortSignal.timeout(this.timeoutMs);
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
      let response: Response;
      let text: string;
      try {
        response = await this.fetchImpl(`${this.baseUrl}${path}`, {
          method,
          headers: {
            authorization: this.authorization,
            'content-type': 'application/json',
            accept: 'application/json',
          },
          body: JSON.stringify(payload),
          redirect: 'manual',
          signal: combined,
        });
        text = await readBounded(response);
      } catch (e) {
        if (e instanceof FreshserviceError) throw e;
        const err = e as Error;
        throw new FreshserviceError(
          `${method} ${path}: ${
            timeout.aborted
              ? `no answer within ${this.timeoutMs} ms`
              : err.message
          }`,
        );
      }
      if (response.status === 429) {
        const wait = parseRetryAfter(
          response.headers.get('retry-after'),
          Date.now(),
        );
        if (
          attempt < this.maxRateLimitRetries &&
          wait !== undefined &&
          wait <= this.maxRetryAfterMs
        ) {
          await sleep(wait, signal);
          continue;
        }
        throw new FreshserviceError(
          `${method} ${path}: HTTP 429 (rate limited${
            wait !== undefined ? `, retry after ${Math.ceil(wait / 1000)}s` : ''
          })`,
          429,
        );
      }
      if (response.status !== expected) {
        const permanent = PERMANENT.includes(response.status);
        throw new FreshserviceError(
          `${method} ${path}: HTTP ${response.status}${
            response.status >= 300 && response.status < 400
              ? ' (redirects are not followed)'
              : `: ${describeError(text)}`
          }`,
          response.status,
          permanent,
        );
      }
      try {
        return JSON.parse(text);
      } catch {
        throw new FreshserviceError(
          `${method} ${path}: HTTP ${response.status} with a body that is not JSON`,
          response.status,
        );
      }
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new FreshserviceError('aborted while waiting out a 429'));
      return;
    }
    let timer: NodeJS.Timeout | undefined = undefined;
    const onAbort = () => {
      clearTimeout(timer);
      reject(new FreshserviceError('aborted while waiting out a 429'));
    };
    timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
