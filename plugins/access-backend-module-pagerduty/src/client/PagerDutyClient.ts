import { LoggerService } from '@backstage/backend-plugin-api';

/** The default PagerDuty REST API base URL. */
export const DEFAULT_PAGERDUTY_API_BASE_URL = 'https://api.pagerduty.com';

/** A PagerDuty user, as `GET /users` lists it. */
export interface PagerDutyUser {
  id: string;
  email: string;
  name?: string;
  summary?: string;
}

/** A reference to another PagerDuty object (`{ id, summary }`). */
export interface PagerDutyReference {
  id: string;
  summary?: string;
}

/** One entry of `GET /oncalls`. */
export interface PagerDutyOnCall {
  escalation_level: number;
  /** `null` when the escalation rule targets the user directly. */
  schedule: PagerDutyReference | null;
  escalation_policy: PagerDutyReference;
  user?: PagerDutyReference;
  /** ISO timestamps; `null` for permanent on-call (a user target of an escalation rule). */
  start: string | null;
  end: string | null;
}

/** A PagerDuty service, as `GET /services/{id}` returns it. */
export interface PagerDutyService {
  id: string;
  name: string;
  escalation_policy: PagerDutyReference;
}

/** The statuses of a PagerDuty incident. */
export type PagerDutyIncidentStatus = 'triggered' | 'acknowledged' | 'resolved';

/** One entry of `GET /incidents`. */
export interface PagerDutyIncident {
  id: string;
  incident_number: number;
  title: string;
  status: PagerDutyIncidentStatus;
  service: PagerDutyReference;
  assignments?: { assignee: PagerDutyReference }[];
  html_url?: string;
}

/** A PagerDuty schedule found by its exact name. */
export interface PagerDutySchedule {
  id: string;
  name: string;
}

/**
 * Why a PagerDuty call did not give an answer. The message is short, meant for a check's
 * detail, and never contains the API token.
 */
export class PagerDutyError extends Error {
  /** The HTTP status of the last answer, when there was one. */
  readonly status?: number;

  constructor(message: string, status?: number) {
    super(message);
    this.name = 'PagerDutyError';
    this.status = status;
  }
}

/** Options of {@link PagerDutyClient}. */
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
 * A small client of the PagerDuty REST API v2 for what the access checks need.
 *
 * User, schedule and service look-ups are cached (5 minutes by default); on-call and
 * incident answers are never cached. Every call takes an optional AbortSignal (the
 * check's deadline) on top of a per-request timeout.
 */
export class PagerDutyClient {
  private readonly apiToken: string;
  private readonly baseUrl: string;
  private readonly logger?: LoggerService;
  private readonly requestTimeoutMs: number;
  private readonly maxRetryWaitMs: number;
  private readonly retryBackoffMs: number;
  private readonly cacheTtlMs: number;
  private readonly maxPages: number;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private readonly cache = new Map<
    string,
    { value: unknown; expires: number }
  >();

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
    this.cacheTtlMs = options.cacheTtlMs ?? 5 * 60_000;
    this.maxPages = options.maxPages ?? 20;
    this.fetchImpl = options.fetch ?? ((...args) => fetch(...args));
    this.now = options.now ?? Date.now;
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
    return this.cached(`user:${wanted}`, async () => {
      const users = await this.list<PagerDutyUser>(
        '/users',
        { query: email.trim() },
        'users',
        options?.signal,
      );
      return users.find(
        u => typeof u?.email === 'string' && u.email.toLowerCase() === wanted,
      );
    });
  }

  /** The on-call entries of these users right now, optionally narrowed down. */
  async listOnCalls(
    filter: {
      userIds: string[];
      scheduleIds?: string[];
      escalationPolicyIds?: string[];
    },
    options?: { signal?: AbortSignal },
  ): Promise<PagerDutyOnCall[]> {
    const entries = await this.list<PagerDutyOnCall>(
      '/oncalls',
      {
        'user_ids[]': filter.userIds,
        'schedule_ids[]': filter.scheduleIds,
        'escalation_policy_ids[]': filter.escalationPolicyIds,
      },
      'oncalls',
      options?.signal,
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
      const found = await this.cached(
        `schedule:${name}`,
        async () => {
          const listed = await this.list<{
            id: string;
            name?: string;
            summary?: string;
          }>('/schedules', { query: name }, 'schedules', options?.signal);
          return listed
            .filter(
              s =>
                typeof s?.id === 'string' &&
                (s.name === name || s.summary === name),
            )
            .map(s => ({ id: s.id, name }));
        },
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
    return this.cached(`service:${id}`, async () => {
      let body: any;
      try {
        body = await this.getJson(
          `/services/${encodeURIComponent(id)}`,
          {},
          options?.signal,
        );
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
    });
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
    options?: { signal?: AbortSignal },
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
            options?.signal,
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

  private async cached<T>(
    key: string,
    load: () => Promise<T>,
    shouldCache: (value: T) => boolean = v => v !== undefined,
  ): Promise<T> {
    const hit = this.cache.get(key);
    if (hit && hit.expires > this.now()) {
      return hit.value as T;
    }
    const value = await load();
    if (shouldCache(value)) {
      this.cache.set(key, { value, expires: this.now() + this.cacheTtlMs });
    }
    return value;
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

    for (;;) {
      tries++;
      const timeout = AbortSignal.timeout(this.requestTimeoutMs);
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
      const timedOut = () =>
        new PagerDutyError(
          signal?.aborted
            ? `PagerDuty did not answer ${what} before the check timed out`
            : `PagerDuty did not answer ${what} within ${formatSeconds(
                this.requestTimeoutMs,
              )}`,
        );

      let res: Response;
      let text: string;
      try {
        res = await this.fetchImpl(url, {
          headers: {
            Authorization: `Token token=${this.apiToken}`,
            Accept: 'application/vnd.pagerduty+json;version=2',
          },
          signal: combined,
        });
        text = await res.text();
      } catch (e) {
        if (combined.aborted) {
          throw timedOut();
        }
        // a network error: retried like a 5xx
        const reason = this.redact(describeNetworkError(e));
        if (serverErrorRetries < MAX_SERVER_ERROR_RETRIES) {
          serverErrorRetries++;
          this.logger?.debug(`PagerDuty ${what} failed (${reason}); retrying`);
          await this.sleep(
            this.retryBackoffMs * 2 ** (serverErrorRetries - 1),
            signal,
            timedOut,
          );
          continue;
        }
        throw new PagerDutyError(
          `PagerDuty could not be reached: ${reason} after ${tries} ${plural(
            tries,
            'try',
            'tries',
          )}`,
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
        if (serverErrorRetries < MAX_SERVER_ERROR_RETRIES) {
          serverErrorRetries++;
          this.logger?.debug(
            `PagerDuty ${what} answered ${res.status}; retrying`,
          );
          await this.sleep(
            this.retryBackoffMs * 2 ** (serverErrorRetries - 1),
            signal,
            timedOut,
          );
          continue;
        }
        throw new PagerDutyError(
          `PagerDuty did not answer: ${res.status} after ${tries} ${plural(
            tries,
            'try',
            'tries',
          )}`,
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

function plural(n: number, one: string, many: string) {
  return n === 1 ? one : many;
}

function formatSeconds(ms: number) {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds from now. */
function parseRetryAfter(
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
function errorMessageOf(text: string): string | undefined {
  try {
    const message = JSON.parse(text)?.error?.message;
    return typeof message === 'string' ? message.slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}

function describeNetworkError(e: unknown): string {
  const cause = (e as { cause?: { code?: unknown; message?: unknown } })?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return e instanceof Error ? e.message : String(e);
}
