import { LoggerService } from '@backstage/backend-plugin-api';
import { AnswerCache } from './answerCache';
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
import {
  PagerDutyError,
  PagerDutyIncident,
  PagerDutyIncidentStatus,
  PagerDutyOnCall,
  PagerDutyService,
  PagerDutySchedule,
  PagerDutyUser,
} from './types';

export * from './types';

/**
 * The default PagerDuty REST API base URL.
 * @public
 */
export const DEFAULT_PAGERDUTY_API_BASE_URL = 'https://api.pagerduty.com';

/**
 * Options of {@link PagerDutyClient}.
 * @public
 */
export interface PagerDutyClientOptions {
  apiToken: string;
  /** Defaults to `https://api.pagerduty.com`. */
  apiBaseUrl?: string;
  logger?: LoggerService;
  /** Timeout of each HTTP request, in milliseconds (default 5000). */
  requestTimeoutMs?: number;
  /** Longest wait before retrying a 429, whatever `Retry-After` says (default 2000 ms). */
  maxRetryWaitMs?: number;
  /** Base backoff before retrying a 5xx or a network error (default 250 ms, doubled each time). */
  retryBackoffMs?: number;
  /** How long user, schedule and service look-ups are cached (default 5 minutes). */
  cacheTtlMs?: number;
  /**
   * How long on-call and incident answers are reused for the same question (default
   * 30 s; 0 turns it off). Re-verification always asks afresh.
   */
  answerCacheTtlMs?: number;
  /** The most look-ups, and the most answers, kept (default 1000 each). */
  cacheMaxEntries?: number;
  /** The largest answer body read, in bytes (default 1 MB); a larger one is an error. */
  maxResponseBytes?: number;
  /** The most pages a list call follows (default 20, of 100 items each). */
  maxPages?: number;
  /** For tests. */
  fetch?: typeof fetch;
  /** For tests: the clock of the caches, in milliseconds. */
  now?: () => number;
}

/** Retries of a 429 answer before giving up. */
const MAX_RATE_LIMIT_RETRIES = 3;
/** Retries of a 5xx answer (or a network error) before giving up. */
const MAX_SERVER_ERROR_RETRIES = 2;
const PAGE_LIMIT = 100;

type Query = Record<string, string | string[] | undefined>;

/**
 * Options of a call: the caller's deadline, and whether a kept answer will do.
 * @public
 */
export interface PagerDutyCallOptions {
  signal?: AbortSignal;
  /** Ask PagerDuty now, not a kept answer (re-verification). */
  fresh?: boolean;
}

/** A cache key part: the sorted ids, or `*` for no filter. */
const ids = (values?: string[]) =>
  values ? [...values].sort().join(',') : '*';

/**
 * A small client of the PagerDuty REST API v2 for what the access checks need.
 *
 * User, schedule and service look-ups are cached (5 minutes by default); on-call and
 * incident answers are reused for 30 s by default (unless asked `fresh`), and callers
 * asking the same at once share one call. Every call takes an optional AbortSignal (the
 * check's deadline) on top of a per-request timeout. Bodies over `maxResponseBytes` and
 * redirects are errors: the token is only ever sent to `apiBaseUrl`.
 * @public
 */
export class PagerDutyClient {
  private readonly apiToken: string;
  private readonly baseUrl: string;
  private readonly logger?: LoggerService;
  private readonly requestTimeoutMs: number;
  private readonly maxRetryWaitMs: number;
  private readonly retryBackoffMs: number;
  private readonly maxPages: number;
  private readonly maxResponseBytes: number;
  private readonly fetchImpl: typeof fetch;
  private readonly lookups: AnswerCache;
  private readonly answers: AnswerCache;

  constructor(options: PagerDutyClientOptions) {
    if (!options.apiToken) {
      throw new Error('The PagerDuty client needs pagerDuty.apiToken');
    }
    this.apiToken = options.apiToken;
    this.baseUrl = (
      options.apiBaseUrl || DEFAULT_PAGERDUTY_API_BASE_URL
    ).replace(/\/+$/, '');
    this.logger = options.logger;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 5000;
    this.maxRetryWaitMs = options.maxRetryWaitMs ?? 2000;
    this.retryBackoffMs = options.retryBackoffMs ?? 250;
    this.maxPages = options.maxPages ?? 20;
    this.maxResponseBytes = options.maxResponseBytes ?? 1024 * 1024;
    this.fetchImpl = options.fetch ?? ((...args) => fetch(...args));
    const maxEntries = options.cacheMaxEntries ?? 1000;
    this.lookups = new AnswerCache({
      ttlMs: options.cacheTtlMs ?? 5 * 60_000,
      maxEntries,
      now: options.now,
    });
    this.answers = new AnswerCache({
      ttlMs: options.answerCacheTtlMs ?? 30_000,
      maxEntries,
      now: options.now,
    });
  }

  /** How many look-ups and answers are kept now (for tests and metrics). */
  cacheSize(): number {
    return this.lookups.size + this.answers.size;
  }

  /** Replaces the API token in a text, should it ever appear there. */
  redact(text: string): string {
    return text.split(this.apiToken).join('***');
  }

  /**
   * The PagerDuty user with exactly this e-mail address (case-insensitive), or undefined.
   */
  async findUserByEmail(
    email: string,
    options?: { signal?: AbortSignal },
  ): Promise<PagerDutyUser | undefined> {
    const wanted = email.trim().toLowerCase();
    return this.shared(
      this.lookups,
      `user:${wanted}`,
      '/users',
      async signal => {
        const users = await this.list<PagerDutyUser>(
          '/users',
          { query: email.trim() },
          'users',
          signal,
        );
        return users.find(
          u => typeof u?.email === 'string' && u.email.toLowerCase() === wanted,
        );
      },
      options,
    );
  }

  /** The on-call entries of these users right now, optionally narrowed down. */
  async listOnCalls(
    filter: {
      userIds: string[];
      scheduleIds?: string[];
      escalationPolicyIds?: string[];
    },
    options?: PagerDutyCallOptions,
  ): Promise<PagerDutyOnCall[]> {
    const key = `oncalls:${ids(filter.userIds)}|${ids(
      filter.scheduleIds,
    )}|${ids(filter.escalationPolicyIds)}`;
    return this.shared(
      this.answers,
      key,
      '/oncalls',
      async signal => {
        const entries = await this.list<PagerDutyOnCall>(
          '/oncalls',
          {
            'user_ids[]': filter.userIds,
            'schedule_ids[]': filter.scheduleIds,
            'escalation_policy_ids[]': filter.escalationPolicyIds,
          },
          'oncalls',
          signal,
        );
        for (const e of entries) {
          if (
            !e ||
            typeof e.escalation_level !== 'number' ||
            typeof e.escalation_policy?.id !== 'string'
          ) {
            throw new PagerDutyError(
              'PagerDuty sent a malformed answer to GET /oncalls (an entry without escalation policy or level)',
            );
          }
        }
        return entries;
      },
      options,
    );
  }

  /**
   * Finds schedules by their exact, case-sensitive names (`name` or `summary`).
   * Names without a schedule are listed in `unknown`.
   */
  async findScheduleIdsByNames(
    names: string[],
    options?: { signal?: AbortSignal },
  ): Promise<{ schedules: PagerDutySchedule[]; unknown: string[] }> {
    const schedules: PagerDutySchedule[] = [];
    const unknown: string[] = [];
    for (const name of names) {
      const found = await this.shared(
        this.lookups,
        `schedule:${name}`,
        '/schedules',
        async signal => {
          const listed = await this.list<{
            id: string;
            name?: string;
            summary?: string;
          }>('/schedules', { query: name }, 'schedules', signal);
          return listed
            .filter(
              s =>
                typeof s?.id === 'string' &&
                (s.name === name || s.summary === name),
            )
            .map(s => ({ id: s.id, name }));
        },
        options,
        // an unknown name is asked again next time: it may have been created since
        v => v.length > 0,
      );
      if (found.length === 0) {
        unknown.push(name);
      } else {
        schedules.push(...found);
      }
    }
    return { schedules, unknown };
  }

  /** A service with its escalation policy. Throws a PagerDutyError (status 404) when unknown. */
  async getService(
    id: string,
    options?: { signal?: AbortSignal },
  ): Promise<PagerDutyService> {
    const path = `/services/${encodeURIComponent(id)}`;
    return this.shared(
      this.lookups,
      `service:${id}`,
      path,
      async signal => {
        let body: any;
        try {
          body = await this.getJson(path, {}, signal);
        } catch (e) {
          if (e instanceof PagerDutyError && e.status === 404) {
            throw new PagerDutyError(`PagerDuty has no service ${id}`, 404);
          }
          throw e;
        }
        const service = body?.service;
        if (
          typeof service?.id !== 'string' ||
          typeof service?.escalation_policy?.id !== 'string'
        ) {
          throw new PagerDutyError(
            'PagerDuty sent a malformed answer to GET /services/{id} (no service with an escalation policy)',
          );
        }
        return {
          id: service.id,
          name: String(service.name ?? service.summary ?? service.id),
          escalation_policy: service.escalation_policy,
        };
      },
      options,
    );
  }

  /**
   * Incidents assigned to these users in these statuses, optionally on these services.
   * Open incidents (triggered, acknowledged) count however long ago they were opened, so
   * they are asked for with `date_range=all` (PagerDuty otherwise lists only incidents
   * opened in the last 30 days); resolved ones only within PagerDuty's default window, so
   * that an incident resolved long ago does not count.
   */
  async listIncidents(
    filter: {
      userIds: string[];
      statuses: PagerDutyIncidentStatus[];
      serviceIds?: string[];
    },
    options?: PagerDutyCallOptions,
  ): Promise<PagerDutyIncident[]> {
    const key = `incidents:${ids(filter.userIds)}|${ids(filter.statuses)}|${ids(
      filter.serviceIds,
    )}`;
    return this.shared(
      this.answers,
      key,
      '/incidents',
      signal => this.loadIncidents(filter, signal),
      options,
    );
  }

  private async loadIncidents(
    filter: {
      userIds: string[];
      statuses: PagerDutyIncidentStatus[];
      serviceIds?: string[];
    },
    signal: AbortSignal,
  ): Promise<PagerDutyIncident[]> {
    const open = filter.statuses.filter(s => s !== 'resolved');
    const queries: Query[] = [];
    if (open.length > 0) {
      queries.push({ 'statuses[]': open, date_range: 'all' });
    }
    if (filter.statuses.includes('resolved')) {
      queries.push({ 'statuses[]': ['resolved'] });
    }
    const incidents = (
      await Promise.all(
        queries.map(query =>
          this.list<PagerDutyIncident>(
            '/incidents',
            {
              'user_ids[]': filter.userIds,
              'service_ids[]': filter.serviceIds,
              ...query,
            },
            'incidents',
            signal,
          ),
        ),
      )
    ).flat();
    for (const i of incidents) {
      if (!i || typeof i.id !== 'string' || typeof i.status !== 'string') {
        throw new PagerDutyError(
          'PagerDuty sent a malformed answer to GET /incidents (an incident without id or status)',
        );
      }
    }
    return incidents;
  }

  /** `load` through a cache, shared with concurrent callers; `path` names it in errors. */
  private shared<T>(
    cache: AnswerCache,
    key: string,
    path: string,
    load: (signal: AbortSignal) => Promise<T>,
    options: PagerDutyCallOptions | undefined,
    keep?: (value: T) => boolean,
  ): Promise<T> {
    return cache.get(key, load, {
      signal: options?.signal,
      fresh: options?.fresh,
      keep,
      aborted: () =>
        new PagerDutyError(
          `PagerDuty did not answer GET ${path} before the check timed out`,
        ),
    });
  }

  /** Follows `offset`/`limit`/`more` pagination, at most `maxPages` pages. */
  private async list<T>(
    path: string,
    query: Query,
    key: string,
    signal?: AbortSignal,
  ): Promise<T[]> {
    const items: T[] = [];
    let offset = 0;
    for (let page = 0; page < this.maxPages; page++) {
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
    this.logger?.warn(
      `PagerDuty GET ${path} has more than ${this.maxPages} pages; using the first ${items.length} items`,
    );
    return items;
  }

  private async getJson(
    path: string,
    query: Query,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const url = new URL(`${this.baseUrl}${path}`);
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
              this.requestTimeoutMs,
            )}`,
      );
    const afterTries = () => `after ${tries} ${plural(tries, 'try', 'tries')}`;
    // A network error and a 5xx are tried again, a few times, after a doubling wait.
    const retriedServerError = async (problem: string): Promise<boolean> => {
      if (serverErrorRetries >= MAX_SERVER_ERROR_RETRIES) return false;
      serverErrorRetries++;
      this.logger?.debug(`PagerDuty ${what} ${problem}; retrying`);
      await this.sleep(
        this.retryBackoffMs * 2 ** (serverErrorRetries - 1),
        signal,
        timedOut,
      );
      return true;
    };

    for (;;) {
      tries++;
      const timeout = AbortSignal.timeout(this.requestTimeoutMs);
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;

      let res: Response;
      let text: string | undefined;
      try {
        res = await this.fetchImpl(url, {
          headers: {
            Authorization: `Token token=${this.apiToken}`,
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
        text = await readTextWithin(res, this.maxResponseBytes);
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
          `PagerDuty sent more than ${this.maxResponseBytes} bytes in answer to ${what} (pagerDuty.maxResponseBytes)`,
          res.status,
        );
      }
      if (res.status === 429) {
        if (rateLimitRetries < MAX_RATE_LIMIT_RETRIES) {
          rateLimitRetries++;
          const wait = Math.min(
            parseRetryAfter(res.headers.get('retry-after'), Date.now()) ??
              this.retryBackoffMs,
            this.maxRetryWaitMs,
          );
          this.logger?.debug(
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
