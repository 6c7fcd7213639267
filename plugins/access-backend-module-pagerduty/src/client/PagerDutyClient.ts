import { LoggerService } from '@backstage/backend-plugin-api';
import { AnswerCache } from './answerCache';
import { PagerDutyAuth, pagerDutyCredentials } from './PagerDutyCredentials';
import { PagerDutyHttp, PagerDutyQuery } from './PagerDutyHttp';
import {
  PagerDutyError,
  PagerDutyIncident,
  PagerDutyIncidentStatus,
  PagerDutyLogEntry,
  PagerDutyOnCall,
  PagerDutyService,
  PagerDutySchedule,
  PagerDutyUser,
} from './types';

export * from './types';
export type { PagerDutyAuth } from './PagerDutyCredentials';

/**
 * The default PagerDuty REST API base URL.
 * @public
 */
export const DEFAULT_PAGERDUTY_API_BASE_URL = 'https://api.pagerduty.com';

/**
 * Options of {@link PagerDutyClient}.
 * @public
 */
export type PagerDutyClientOptions = PagerDutyAuth & {
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
  /** For tests: the clock of the caches and of OAuth token renewal, in milliseconds. */
  now?: () => number;
};

/**
 * Options of a call: the caller's deadline, and whether a kept answer will do.
 * @public
 */
export interface PagerDutyCallOptions {
  signal?: AbortSignal;
  /** Ask PagerDuty now, not a kept answer (re-verification). */
  fresh?: boolean;
}

/** A service from an answer to `call`; without id or escalation policy it is malformed. */
function serviceOf(raw: any, call: string): PagerDutyService {
  if (
    typeof raw?.id !== 'string' ||
    typeof raw?.escalation_policy?.id !== 'string'
  ) {
    throw new PagerDutyError(
      `PagerDuty sent a malformed answer to ${call} (no service with an escalation policy)`,
    );
  }
  return {
    id: raw.id,
    name: String(raw.name ?? raw.summary ?? raw.id),
    escalation_policy: raw.escalation_policy,
  };
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
  private readonly http: PagerDutyHttp;
  private readonly lookups: AnswerCache;
  private readonly answers: AnswerCache;

  constructor(options: PagerDutyClientOptions) {
    let auth: PagerDutyAuth;
    if ('apiToken' in options && options.apiToken) {
      auth = { apiToken: options.apiToken };
    } else if ('oauth' in options && options.oauth) {
      auth = { oauth: options.oauth };
    } else {
      throw new Error(
        'The PagerDuty client needs pagerDuty.apiToken or pagerDuty.oauth',
      );
    }
    const fetchImpl = options.fetch ?? ((...args) => fetch(...args));
    const requestTimeoutMs = options.requestTimeoutMs ?? 5000;
    const maxResponseBytes = options.maxResponseBytes ?? 1024 * 1024;
    this.http = new PagerDutyHttp({
      credentials: pagerDutyCredentials(auth, {
        fetch: fetchImpl,
        requestTimeoutMs,
        maxResponseBytes,
        now: options.now,
      }),
      baseUrl: (options.apiBaseUrl || DEFAULT_PAGERDUTY_API_BASE_URL).replace(
        /\/+$/,
        '',
      ),
      logger: options.logger,
      requestTimeoutMs,
      maxRetryWaitMs: options.maxRetryWaitMs ?? 2000,
      retryBackoffMs: options.retryBackoffMs ?? 250,
      maxPages: options.maxPages ?? 20,
      maxResponseBytes,
      fetch: fetchImpl,
    });
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
    return this.http.redact(text);
  }

  /**
   * The PagerDuty user with exactly this e-mail address (case-insensitive), or undefined.
   */
  async findUserByEmail(
    email: string,
    options?: PagerDutyCallOptions,
  ): Promise<PagerDutyUser | undefined> {
    const wanted = email.trim().toLowerCase();
    return this.shared(
      this.lookups,
      `user:${wanted}`,
      '/users',
      async signal => {
        const users = await this.http.list<PagerDutyUser>(
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
        const entries = await this.http.list<PagerDutyOnCall>(
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
    options?: PagerDutyCallOptions,
  ): Promise<{ schedules: PagerDutySchedule[]; unknown: string[] }> {
    const schedules: PagerDutySchedule[] = [];
    const unknown: string[] = [];
    for (const name of names) {
      const found = await this.shared(
        this.lookups,
        `schedule:${name}`,
        '/schedules',
        async signal => {
          const listed = await this.http.list<{
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
    options?: PagerDutyCallOptions,
  ): Promise<PagerDutyService> {
    const path = `/services/${encodeURIComponent(id)}`;
    return this.shared(
      this.lookups,
      `service:${id}`,
      path,
      async signal => {
        let body: any;
        try {
          body = await this.http.getJson(path, {}, signal);
        } catch (e) {
          if (e instanceof PagerDutyError && e.status === 404) {
            throw new PagerDutyError(`PagerDuty has no service ${id}`, 404);
          }
          throw e;
        }
        return serviceOf(body?.service, 'GET /services/{id}');
      },
      options,
    );
  }

  /**
   * The service an Events API integration key belongs to (the `pagerduty.com/integration-key`
   * annotation), or undefined. PagerDuty's search narrows the list; only a service whose
   * own integration carries exactly this key counts.
   */
  async findServiceByIntegrationKey(
    integrationKey: string,
    options?: PagerDutyCallOptions,
  ): Promise<PagerDutyService | undefined> {
    return this.shared(
      this.lookups,
      `integration:${integrationKey}`,
      '/services',
      async signal => {
        const services = await this.http.list<any>(
          '/services',
          { query: integrationKey, 'include[]': ['integrations'] },
          'services',
          signal,
        );
        const service = services.find(
          s =>
            Array.isArray(s?.integrations) &&
            s.integrations.some(
              (i: any) => i?.integration_key === integrationKey,
            ),
        );
        return service ? serviceOf(service, 'GET /services') : undefined;
      },
      options,
      // an unknown key is asked again next time: the integration may be added since
      v => v !== undefined,
    );
  }

  /**
   * Open incidents (triggered, acknowledged) assigned to these users, optionally on these
   * services. They count however long ago they were opened, so they are asked for with
   * `date_range=all` (PagerDuty otherwise lists only incidents opened in the last month).
   * Resolved incidents are assigned to nobody, so PagerDuty never lists them for
   * `user_ids[]`: see {@link PagerDutyClient.listResolvedIncidents}.
   */
  async listIncidents(
    filter: {
      userIds: string[];
      statuses: Exclude<PagerDutyIncidentStatus, 'resolved'>[];
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
      signal =>
        this.loadIncidents(
          {
            'user_ids[]': filter.userIds,
            'statuses[]': filter.statuses,
            'service_ids[]': filter.serviceIds,
            date_range: 'all',
          },
          signal,
        ),
      options,
    );
  }

  /**
   * Incidents resolved in PagerDuty's default window (opened in the last month), newest
   * resolution first, optionally on these services. Who acknowledged or resolved one is
   * in its log ({@link PagerDutyClient.listIncidentLogEntries}).
   */
  async listResolvedIncidents(
    filter: { serviceIds?: string[] },
    options?: PagerDutyCallOptions,
  ): Promise<PagerDutyIncident[]> {
    return this.shared(
      this.answers,
      `resolved:${ids(filter.serviceIds)}`,
      '/incidents',
      signal =>
        this.loadIncidents(
          {
            'statuses[]': ['resolved'],
            'service_ids[]': filter.serviceIds,
            sort_by: 'resolved_at:desc',
          },
          signal,
        ),
      options,
    );
  }

  /** An incident's log: who triggered, acknowledged, reassigned or resolved it, and when. */
  async listIncidentLogEntries(
    incidentId: string,
    options?: PagerDutyCallOptions,
  ): Promise<PagerDutyLogEntry[]> {
    const path = `/incidents/${encodeURIComponent(incidentId)}/log_entries`;
    return this.shared(
      this.answers,
      `log:${incidentId}`,
      path,
      async signal => {
        const entries = await this.http.list<PagerDutyLogEntry>(
          path,
          {},
          'log_entries',
          signal,
        );
        for (const e of entries) {
          if (!e || typeof e.type !== 'string') {
            throw new PagerDutyError(
              `PagerDuty sent a malformed answer to GET /incidents/{id}/log_entries (an entry without type)`,
            );
          }
        }
        return entries;
      },
      options,
    );
  }

  private async loadIncidents(
    query: PagerDutyQuery,
    signal: AbortSignal,
  ): Promise<PagerDutyIncident[]> {
    const incidents = await this.http.list<PagerDutyIncident>(
      '/incidents',
      query,
      'incidents',
      signal,
    );
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
}
