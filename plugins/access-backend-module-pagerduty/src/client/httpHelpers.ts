import { PagerDutyError } from './types';

/** Small helpers of the PagerDuty client's HTTP calls. */

export function plural(n: number, one: string, many: string) {
  return n === 1 ? one : many;
}

export function formatSeconds(ms: number) {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds from now. */
export function parseRetryAfter(
  value: string | null,
  now: number,
): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) {
    return Number(value) * 1000;
  }
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The `error.message` of a PagerDuty error body, shortened. */
export function errorMessageOf(text: string): string | undefined {
  try {
    const message = JSON.parse(text)?.error?.message;
    return typeof message === 'string' ? message.slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}

export function isRedirect(res: Response): boolean {
  return (
    res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400)
  );
}

/** Names the status and the host it pointed to, never the whole address. */
export function redirectError(what: string, res: Response): PagerDutyError {
  let host = '';
  try {
    host = ` to ${new URL(res.headers.get('location') ?? '', res.url).host}`;
  } catch {
    // no usable Location
  }
  return new PagerDutyError(
    `PagerDuty answered ${what} with a redirect (${res.status}${host}), which is not followed: set pagerDuty.apiBaseUrl to the address that answers`,
    res.status,
  );
}

export function describeNetworkError(e: unknown): string {
  const cause = (e as { cause?: { code?: unknown; message?: unknown } })?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return e instanceof Error ? e.message : String(e);
}
