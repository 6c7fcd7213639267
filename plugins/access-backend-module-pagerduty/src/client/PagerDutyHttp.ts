import { LoggerService } from '@backstage/backend-plugin-api';
import {
  describeNetworkError,
  errorMessageOf,
  formatSeconds,
  isRedirect,
  parseRetryAfter,
  plural,
  redirectError,
} from './httpHelpers';
import { readTextWithin } from './responseBody';
import { PagerDutyCredentials } from './PagerDutyCredentials';
import { PagerDutyError } from './types';

/** Retries of a 429 answer before giving up. */
const MAX_RATE_LIMIT_RETRIES = 3;
/** Retries of a 5xx answer (or a network error) before giving up. */
const MAX_SERVER_ERROR_RETRIES = 2;
const PAGE_LIMIT = 100;

/** Query parameters; an array is sent as repeated `name[]=value`. */
export type PagerDutyQuery = Record<string, string | string[] | undefined>;

/** How {@link PagerDutyHttp} reaches PagerDuty. */
export interface PagerDutyHttpOptions {
  credentials: PagerDutyCredentials;
  baseUrl: string;
  logger?: LoggerService;
  requestTimeoutMs: number;
  maxRetryWaitMs: number;
  retryBackoffMs: number;
  maxPages: number;
  maxResponseBytes: number;
  fetch: typeof fetch;
}

/**
 * GET calls to the PagerDuty REST API v2: the token, retries of 429 (after `Retry-After`)
 * and of 5xx, per-request timeouts, bounded bodies, no redirects, and `offset`/`limit`/
 * `more` pagination. Errors are {@link PagerDutyError}s without the token.
 */
export class PagerDutyHttp {
  constructor(private readonly options: PagerDutyHttpOptions) {}

  /** Replaces the credentials in a text, should they ever appear there. */
  redact(text: string): string {
    return this.options.credentials.redact(text);
  }

  /** Follows `offset`/`limit`/`more` pagination, at most `maxPages` pages. */
  async list<T>(
    path: string,
    query: PagerDutyQuery,
    key: string,
    signal?: AbortSignal,
  ): Promise<T[]> {
    const items: T[] = [];
    let offset = 0;
    for (let page = 0; page < this.options.maxPages; page++) {
      const body: any = await this.getJson(
        path,
        { ...query, limit: String(PAGE_LIMIT), offset: String(offset) },
        signal,
      );
      const pageItems = body?.[key];
      if (!Array.isArray(pageItems)) {
        throw new PagerDutyError(
          `PagerDuty sent a malformed answer to GET ${path} (no ${key} list)`,
        );
      }
      items.push(...pageItems);
      if (body.more !== true || pageItems.length === 0) {
        return items;
      }
      offset += pageItems.length;
    }
    this.options.logger?.warn(
      `PagerDuty GET ${path} has more than ${this.options.maxPages} pages; using the first ${items.length} items`,
    );
    return items;
  }

  async getJson(
    path: string,
    query: PagerDutyQuery,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const url = new URL(`${this.options.baseUrl}${path}`);
    for (const [name, value] of Object.entries(query)) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) {
        url.searchParams.append(name, v);
      }
    }
    const what = `GET ${path}`;
    let tries = 0;
    let rateLimitRetries = 0;
    let serverErrorRetries = 0;
    const timedOut = () =>
      new PagerDutyError(
        signal?.aborted
          ? `PagerDuty did not answer ${what} before the check timed out`
          : `PagerDuty did not answer ${what} within ${formatSeconds(
              this.options.requestTimeoutMs,
            )}`,
      );
    const afterTries = () => `after ${tries} ${plural(tries, 'try', 'tries')}`;
    // A network error and a 5xx are tried again, a few times, after a doubling wait.
    const retriedServerError = async (problem: string): Promise<boolean> => {
      if (serverErrorRetries >= MAX_SERVER_ERROR_RETRIES) return false;
      serverErrorRetries++;
      this.options.logger?.debug(`PagerDuty ${what} ${problem}; retrying`);
      await this.sleep(
        this.options.retryBackoffMs * 2 ** (serverErrorRetries - 1),
        signal,
        timedOut,
      );
      return true;
    };

    let reauthorized = false;
    for (;;) {
      tries++;
      const authorization = await this.options.credentials.authorization();
      const timeout = AbortSignal.timeout(this.options.requestTimeoutMs);
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;

      let res: Response;
      let text: string | undefined;
      try {
        res = await this.options.fetch(url, {
          headers: {
            Authorization: authorization,
            Accept: 'application/vnd.pagerduty+json;version=2',
          },
          // a redirect would carry the token elsewhere: refused below
          redirect: 'manual',
          signal: combined,
        });
        if (isRedirect(res)) {
          await res.body?.cancel().catch(() => {});
          throw redirectError(what, res);
        }
        text = await readTextWithin(res, this.options.maxResponseBytes);
      } catch (e) {
        if (e instanceof PagerDutyError) throw e;
        if (combined.aborted) {
          throw timedOut();
        }
        const reason = this.redact(describeNetworkError(e));
        if (await retriedServerError(`failed (${reason})`)) continue;
        throw new PagerDutyError(
          `PagerDuty could not be reached: ${reason} ${afterTries()}`,
        );
      }

      if (text === undefined) {
        throw new PagerDutyError(
          `PagerDuty sent more than ${this.options.maxResponseBytes} bytes in answer to ${what} (pagerDuty.maxResponseBytes)`,
          res.status,
        );
      }
      // an OAuth token PagerDuty no longer takes (revoked, rotated) is renewed once
      if (
        res.status === 401 &&
        !reauthorized &&
        this.options.credentials.refused()
      ) {
        reauthorized = true;
        continue;
      }
      if (res.status === 429) {
        if (rateLimitRetries < MAX_RATE_LIMIT_RETRIES) {
          rateLimitRetries++;
          const wait = Math.min(
            parseRetryAfter(res.headers.get('retry-after'), Date.now()) ??
              this.options.retryBackoffMs,
            this.options.maxRetryWaitMs,
          );
          this.options.logger?.debug(
            `PagerDuty ${what} rate limited; retrying in ${wait} ms`,
          );
          await this.sleep(wait, signal, timedOut);
          continue;
        }
        throw new PagerDutyError(
          `PagerDuty did not answer: 429 (rate limited) after ${tries} tries`,
          429,
        );
      }
      if (res.status >= 500) {
        if (await retriedServerError(`answered ${res.status}`)) continue;
        throw new PagerDutyError(
          `PagerDuty did not answer: ${res.status} ${afterTries()}`,
          res.status,
        );
      }
      if (!res.ok) {
        const message = errorMessageOf(text);
        throw new PagerDutyError(
          this.redact(
            `PagerDuty answered ${res.status} to ${what}${
              message ? `: ${message}` : ''
            }`,
          ),
          res.status,
        );
      }
      try {
        return JSON.parse(text);
      } catch {
        throw new PagerDutyError(
          `PagerDuty sent malformed JSON in answer to ${what}`,
          res.status,
        );
      }
    }
  }

  private sleep(
    ms: number,
    signal: AbortSignal | undefined,
    timedOut: () => Error,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(timedOut());
        return;
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      function onAbort() {
        clearTimeout(timer);
        reject(timedOut());
      }
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
