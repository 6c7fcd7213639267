// @ts-check
'use strict';

/**
 * A small local stand-in for the PagerDuty REST API v2: just what the JIT Access PagerDuty
 * checks read (users, schedules, on-calls, services, incidents), PagerDuty-shaped, with
 * `offset`/`limit`/`more` pagination and `query` filtering. Plain JavaScript on node's
 * `http` module so it runs on a bare Node 22 without a build.
 */

const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');

/**
 * @typedef {string | { id: string }} Ref
 *
 * @typedef {object} FakeUser
 * @property {string} id
 * @property {string} name
 * @property {string} email
 *
 * @typedef {object} FakeNamed
 * @property {string} id
 * @property {string} name
 *
 * @typedef {object} FakeService
 * @property {string} id
 * @property {string} name
 * @property {Ref} escalation_policy
 * @property {{ id: string, integration_key: string, name?: string }[]} [integrations]
 *   Events API integrations (their keys are what `pagerduty.com/integration-key` holds)
 *
 * @typedef {object} FakeOnCall
 * @property {Ref} user
 * @property {Ref | null} [schedule]
 * @property {Ref} escalation_policy
 * @property {number} [escalation_level]
 * @property {string | null} [start] ISO time, `now`, or relative like `-1h`, `+8h`, `+30m`, `-2d`
 * @property {string | null} [end] as `start`; null or absent: no end
 *
 * @typedef {object} FakeIncident
 * @property {string} id
 * @property {number} [incident_number]
 * @property {string} title
 * @property {'triggered' | 'acknowledged' | 'resolved'} status
 * @property {Ref} service
 * @property {Ref[]} [assignees] user ids
 * @property {{ assignee: Ref }[]} [assignments] PagerDuty's own shape, instead of `assignees`
 * @property {string} [created_at] as on-call `start`
 * @property {string} [urgency]
 * @property {Ref[]} [acknowledged_by] users who acknowledged it (its log)
 * @property {string} [acknowledged_at] when, as `created_at`; default: when it was created
 * @property {Ref} [resolved_by] the user who resolved it (when `status` is resolved)
 * @property {string} [resolved_at] as `created_at`; default: when it was created
 *
 * @typedef {object} FakePagerDutyData
 * @property {string} [apiToken] when set, only this token is accepted
 * @property {FakeOAuthApp[]} [oauthApps] Scoped OAuth apps `POST /oauth/token` knows
 * @property {FakeUser[]} [users]
 * @property {FakeNamed[]} [schedules]
 * @property {FakeNamed[]} [escalation_policies]
 * @property {FakeService[]} [services]
 * @property {FakeOnCall[]} [oncalls]
 * @property {FakeIncident[]} [incidents]
 *
 * @typedef {object} FakeOAuthApp
 * @property {string} clientId
 * @property {string} clientSecret
 * @property {string} subDomain
 * @property {string} [region] default `us`
 *
 * @typedef {object} StartOptions
 * @property {number} [port] default 0 (any free port)
 * @property {string} [host] default 127.0.0.1
 * @property {FakePagerDutyData} [data]
 * @property {string} [dataFile] a YAML (or JSON) file with the data
 *
 * @typedef {object} FakePagerDuty
 * @property {string} url
 * @property {number} port
 * @property {() => Promise<void>} close
 * @property {(list: FakeOnCall[]) => void} setOnCalls
 * @property {(list: FakeIncident[]) => void} setIncidents
 * @property {() => void} reset
 */

const LIST_KEYS = /** @type {const} */ ([
  'users',
  'schedules',
  'escalation_policies',
  'services',
  'oncalls',
  'incidents',
]);

const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 100;
/** What `GET /incidents` covers without `since`/`until` or `date_range=all`. */
const INCIDENT_WINDOW_MS = 30 * 86400e3;

/**
 * Validates data read from a file or given in code, and copies it.
 * @param {unknown} raw
 * @param {string} source
 * @returns {FakePagerDutyData}
 */
function normalizeData(raw, source) {
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new Error(
      `${source}: the data must be a mapping (users, oncalls, …)`,
    );
  }
  const data = /** @type {Record<string, unknown>} */ (
    JSON.parse(JSON.stringify(raw))
  );
  for (const key of LIST_KEYS) {
    if (data[key] !== undefined && !Array.isArray(data[key])) {
      throw new Error(`${source}: ${key} must be a list`);
    }
  }
  if (data.apiToken !== undefined && typeof data.apiToken !== 'string') {
    throw new Error(`${source}: apiToken must be a string`);
  }
  if (data.oauthApps !== undefined && !Array.isArray(data.oauthApps)) {
    throw new Error(`${source}: oauthApps must be a list`);
  }
  // bad times are reported now rather than on every request
  const times = /** @type {[string, string[]][]} */ ([
    ['oncalls', ['start', 'end']],
    ['incidents', ['created_at', 'resolved_at', 'acknowledged_at']],
  ]);
  for (const [key, fields] of times) {
    const list = /** @type {Record<string, unknown>[] | undefined} */ (
      data[key]
    );
    (list ?? []).forEach((item, i) => {
      if (!item || typeof item !== 'object') {
        throw new Error(`${source}: ${key}[${i}] must be a mapping`);
      }
      for (const field of fields) {
        try {
          resolveTime(item[field], Date.now());
        } catch (e) {
          throw new Error(
            `${source}: ${key}[${i}].${field}: ${
              e instanceof Error ? e.message : e
            }`,
          );
        }
      }
    });
  }
  return /** @type {FakePagerDutyData} */ (data);
}

/**
 * @param {string} file
 * @returns {FakePagerDutyData}
 */
function readDataFile(file) {
  const text = fs.readFileSync(file, 'utf8');
  return normalizeData(YAML.parse(text), file);
}

/**
 * `now`, `-1h`, `+8h`, `+30m`, `-2d`, `+90s`, `+1w` relative to `now`, or an absolute time.
 * @param {unknown} value
 * @param {number} now
 * @returns {string | null}
 */
function resolveTime(value, now) {
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) return iso(value);
  const text = String(value).trim();
  if (text === 'now') return iso(new Date(now));
  const m = /^([+-])\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/.exec(text);
  if (m) {
    /** @type {Record<string, number>} */
    const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };
    const ms = Number(m[2]) * unit[m[3]] * (m[1] === '-' ? -1 : 1);
    return iso(new Date(now + ms));
  }
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) {
    throw new Error(`not a time: "${text}" (use ISO, "now", or e.g. -1h, +8h)`);
  }
  return iso(date);
}

/**
 * ISO time to the second, as PagerDuty writes it: `2026-11-25T18:00:00Z`.
 * @param {Date} date
 */
function iso(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * @param {Ref | null | undefined} ref
 * @returns {string | undefined}
 */
function idOf(ref) {
  if (ref === null || ref === undefined) return undefined;
  return typeof ref === 'string' ? ref : ref.id;
}

/**
 * Array query parameters, as PagerDuty takes them: `user_ids[]=A&user_ids[]=B`
 * (`user_ids=A` works too).
 * @param {URLSearchParams} params
 * @param {string} name
 * @returns {string[] | undefined}
 */
function arrayParam(params, name) {
  const values = [...params.getAll(`${name}[]`), ...params.getAll(name)];
  return values.length ? values : undefined;
}

/**
 * @param {http.ServerResponse} res
 * @param {number} status
 * @param {unknown} [body]
 */
function send(res, status, body) {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res
    .writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
    })
    .end(text);
}

/**
 * @param {http.ServerResponse} res
 * @param {number} status
 * @param {string} message
 * @param {number} code
 */
function sendError(res, status, message, code) {
  send(res, status, { error: { message, code } });
}

/**
 * @param {http.IncomingMessage} req
 * @returns {Promise<unknown>}
 */
function readJsonBody(req) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    req.on('data', chunk => chunks.push(chunk));
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(text.trim() ? JSON.parse(text) : undefined);
      } catch {
        reject(new Error('the body is not JSON'));
      }
    });
  });
}

/**
 * Starts the fake PagerDuty API.
 * @param {StartOptions} [options]
 * @returns {Promise<FakePagerDuty>}
 */
async function startFakePagerDuty(options = {}) {
  const { port = 0, host = '127.0.0.1', dataFile } = options;
  const initial = dataFile
    ? readDataFile(path.resolve(dataFile))
    : normalizeData(options.data ?? {}, 'data');

  /** @type {FakePagerDutyData} */
  let state = normalizeData(initial, 'data');
  /** OAuth access tokens issued, with when they expire. */
  const accessTokens = new Map();
  let tokenCount = 0;
  /** The next API calls answered 429 (as PagerDuty's rate limit), and their Retry-After. */
  let rateLimited = { requests: 0, retryAfter: 1 };
  let baseUrl = '';

  /** @param {string} id */
  const userById = id => (state.users ?? []).find(u => u.id === id);

  /**
   * @param {string} type e.g. `user`
   * @param {string} collection e.g. `users`
   * @param {string | undefined} id
   * @param {string | undefined} name
   */
  const reference = (type, collection, id, name) => ({
    id,
    type: `${type}_reference`,
    summary: name ?? id,
    self: `${baseUrl}/${collection}/${id}`,
    html_url: `${baseUrl}/${collection}/${id}`,
  });

  /** @param {Ref | null | undefined} ref */
  const userRef = ref => {
    const id = idOf(ref);
    return reference('user', 'users', id, id && userById(id)?.name);
  };
  /** @param {Ref | null | undefined} ref */
  const scheduleRef = ref => {
    const id = idOf(ref);
    if (!id) return null;
    const name = (state.schedules ?? []).find(s => s.id === id)?.name;
    return reference('schedule', 'schedules', id, name);
  };
  /** @param {Ref | null | undefined} ref */
  const policyRef = ref => {
    const id = idOf(ref);
    const name = (state.escalation_policies ?? []).find(p => p.id === id)?.name;
    return reference('escalation_policy', 'escalation_policies', id, name);
  };
  /** @param {Ref | null | undefined} ref */
  const serviceRef = ref => {
    const id = idOf(ref);
    const name = (state.services ?? []).find(s => s.id === id)?.name;
    return reference('service', 'services', id, name);
  };

  /** @param {FakeUser} u */
  const renderUser = u => ({
    id: u.id,
    type: 'user',
    summary: u.name,
    name: u.name,
    email: u.email,
    role: 'user',
    time_zone: 'UTC',
    self: `${baseUrl}/users/${u.id}`,
    html_url: `${baseUrl}/users/${u.id}`,
  });
  /** @param {FakeNamed} s */
  const renderSchedule = s => ({
    id: s.id,
    type: 'schedule',
    summary: s.name,
    name: s.name,
    time_zone: 'UTC',
    self: `${baseUrl}/schedules/${s.id}`,
    html_url: `${baseUrl}/schedules/${s.id}`,
  });
  /** @param {FakeNamed} p */
  const renderPolicy = p => ({
    id: p.id,
    type: 'escalation_policy',
    summary: p.name,
    name: p.name,
    self: `${baseUrl}/escalation_policies/${p.id}`,
    html_url: `${baseUrl}/escalation_policies/${p.id}`,
  });
  /**
   * A service; its integrations are references unless asked for in full
   * (`include[]=integrations`), which shows their keys.
   * @param {FakeService} s
   * @param {boolean} [fullIntegrations]
   */
  const renderService = (s, fullIntegrations = false) => ({
    id: s.id,
    type: 'service',
    summary: s.name,
    name: s.name,
    status: 'active',
    escalation_policy: policyRef(s.escalation_policy),
    integrations: (s.integrations ?? []).map(i => {
      const type = 'generic_events_api_inbound_integration';
      const self = `${baseUrl}/services/${s.id}/integrations/${i.id}`;
      const summary = i.name ?? 'Events API v2';
      return fullIntegrations
        ? {
            id: i.id,
            type,
            summary,
            name: summary,
            self,
            html_url: self,
            service: serviceRef(s.id),
            integration_key: i.integration_key,
          }
        : {
            id: i.id,
            type: `${type}_reference`,
            summary,
            self,
            html_url: self,
          };
    }),
    self: `${baseUrl}/services/${s.id}`,
    html_url: `${baseUrl}/services/${s.id}`,
  });
  const includes = (
    /** @type {URLSearchParams} */ params,
    /** @type {string} */ what,
  ) => params.getAll('include[]').includes(what);
  /**
   * @param {FakeOnCall} o
   * @param {number} now
   */
  const renderOnCall = (o, now) => ({
    escalation_policy: policyRef(o.escalation_policy),
    escalation_level: o.escalation_level ?? 1,
    schedule: scheduleRef(o.schedule),
    user: userRef(o.user),
    start: resolveTime(o.start, now),
    end: resolveTime(o.end, now),
  });
  /** @param {FakeIncident} i */
  const assigneeIds = i =>
    /** @type {string[]} */ (
      (i.assignees ?? (i.assignments ?? []).map(a => a?.assignee))
        .map(idOf)
        .filter(Boolean)
    );
  /**
   * @param {FakeIncident} i
   * @param {number} index
   * @param {number} now
   */
  const renderIncident = (i, index, now) => {
    const number = i.incident_number ?? index + 1;
    const createdAt = resolveTime(i.created_at ?? '-15m', now);
    const resolved = i.status === 'resolved';
    const resolvedAt = resolved
      ? resolveTime(i.resolved_at ?? null, now) ?? createdAt
      : null;
    const acknowledgers = (i.acknowledged_by ?? []).map(idOf);
    // who last changed its status: the resolver, the last acknowledger, or its service
    let lastBy;
    if (resolved) lastBy = idOf(i.resolved_by);
    else if (i.status === 'acknowledged') lastBy = acknowledgers.at(-1);
    return {
      id: i.id,
      type: 'incident',
      summary: `[#${number}] ${i.title}`,
      incident_number: number,
      title: i.title,
      status: i.status,
      urgency: i.urgency ?? 'high',
      created_at: createdAt,
      resolved_at: resolvedAt,
      last_status_change_at: resolvedAt ?? createdAt,
      last_status_change_by: lastBy ? userRef(lastBy) : serviceRef(i.service),
      service: serviceRef(i.service),
      // PagerDuty drops the assignments of resolved incidents
      assignments: resolved
        ? []
        : assigneeIds(i).map(id => ({
            at: createdAt,
            assignee: userRef(id),
          })),
      self: `${baseUrl}/incidents/${i.id}`,
      html_url: `${baseUrl}/incidents/${i.id}`,
    };
  };

  /**
   * An incident's log, oldest first: triggered by its service, acknowledged, resolved.
   * @param {FakeIncident} i
   * @param {number} index
   * @param {number} now
   */
  const renderLog = (i, index, now) => {
    const incident = renderIncident(i, index, now);
    /**
     * @param {string} type
     * @param {unknown} agent
     * @param {string | null} at
     * @param {number} n
     */
    const entry = (type, agent, at, n) => ({
      id: `R${i.id}${n}`,
      type,
      summary: `${type.replace(/_log_entry$/, '')} of incident #${
        incident.incident_number
      }`,
      self: `${baseUrl}/log_entries/R${i.id}${n}`,
      html_url: null,
      created_at: at,
      agent,
      channel: { type: agent === incident.service ? 'api' : 'web_ui' },
      service: incident.service,
      incident: {
        id: i.id,
        type: 'incident_reference',
        self: incident.self,
        html_url: incident.html_url,
      },
      teams: [],
    });
    return [
      entry('trigger_log_entry', incident.service, incident.created_at, 0),
      ...(i.acknowledged_by ?? []).map((ref, n) =>
        entry(
          'acknowledge_log_entry',
          userRef(idOf(ref)),
          resolveTime(i.acknowledged_at ?? null, now) ?? incident.created_at,
          n + 1,
        ),
      ),
      ...(incident.status === 'resolved' && i.resolved_by
        ? [
            entry(
              'resolve_log_entry',
              userRef(idOf(i.resolved_by)),
              incident.resolved_at,
              99,
            ),
          ]
        : []),
    ];
  };

  /**
   * Sends one page of a list, PagerDuty-style.
   * @param {http.ServerResponse} res
   * @param {URLSearchParams} params
   * @param {string} key
   * @param {unknown[]} items
   */
  const sendPage = (res, params, key, items) => {
    const rawLimit = Number(params.get('limit') ?? DEFAULT_LIMIT);
    const rawOffset = Number(params.get('offset') ?? 0);
    const limit = Number.isInteger(rawLimit)
      ? Math.min(Math.max(rawLimit, 1), MAX_LIMIT)
      : DEFAULT_LIMIT;
    const offset = Number.isInteger(rawOffset) ? Math.max(rawOffset, 0) : 0;
    send(res, 200, {
      [key]: items.slice(offset, offset + limit),
      limit,
      offset,
      more: offset + limit < items.length,
      // PagerDuty counts only when asked: `total` is null unless `total=true`
      total: params.get('total') === 'true' ? items.length : null,
    });
  };

  /**
   * @param {string | null} query
   * @param {...(string | undefined)} fields
   */
  const matchesQuery = (query, ...fields) =>
    !query ||
    fields.some(f => f && f.toLowerCase().includes(query.toLowerCase()));

  /**
   * @param {http.IncomingMessage} req
   * @param {http.ServerResponse} res
   */
  const handleApi = (req, res) => {
    const url = new URL(req.url ?? '/', baseUrl);
    const params = url.searchParams;
    const now = Date.now();

    const header = req.headers.authorization ?? '';
    const apiKey = /^Token token=(.+)$/.exec(header)?.[1];
    const bearer = /^Bearer (.+)$/.exec(header)?.[1];
    const issued = bearer ? accessTokens.get(bearer) : undefined;
    if (
      !(apiKey && (!state.apiToken || apiKey === state.apiToken)) &&
      !(issued !== undefined && issued > now)
    ) {
      sendError(res, 401, 'Unauthorized', 2006);
      return;
    }
    if (rateLimited.requests > 0) {
      rateLimited.requests -= 1;
      res.setHeader('Retry-After', String(rateLimited.retryAfter));
      sendError(res, 429, 'Rate Limit Exceeded', 2020);
      return;
    }
    if (req.method !== 'GET') {
      sendError(res, 405, 'Method Not Allowed', 2100);
      return;
    }
    const query = params.get('query');

    if (url.pathname === '/users') {
      const users = (state.users ?? []).filter(u =>
        matchesQuery(query, u.name, u.email),
      );
      sendPage(res, params, 'users', users.map(renderUser));
      return;
    }
    if (url.pathname === '/schedules') {
      const schedules = (state.schedules ?? []).filter(s =>
        matchesQuery(query, s.name),
      );
      sendPage(res, params, 'schedules', schedules.map(renderSchedule));
      return;
    }
    if (url.pathname === '/escalation_policies') {
      const policies = (state.escalation_policies ?? []).filter(p =>
        matchesQuery(query, p.name),
      );
      sendPage(res, params, 'escalation_policies', policies.map(renderPolicy));
      return;
    }
    if (url.pathname === '/services') {
      // as PagerDuty's own Backstage plugin relies on: the search finds integration keys too
      const services = (state.services ?? []).filter(
        s =>
          matchesQuery(query, s.name) ||
          (s.integrations ?? []).some(i => i.integration_key === query),
      );
      const full = includes(params, 'integrations');
      sendPage(
        res,
        params,
        'services',
        services.map(s => renderService(s, full)),
      );
      return;
    }
    const serviceMatch = /^\/services\/([^/]+)$/.exec(url.pathname);
    if (serviceMatch) {
      const id = decodeURIComponent(serviceMatch[1]);
      const service = (state.services ?? []).find(s => s.id === id);
      if (!service) {
        sendError(res, 404, 'Not Found', 2100);
        return;
      }
      send(res, 200, {
        service: renderService(service, includes(params, 'integrations')),
      });
      return;
    }
    if (url.pathname === '/oncalls') {
      const userIds = arrayParam(params, 'user_ids');
      const scheduleIds = arrayParam(params, 'schedule_ids');
      const policyIds = arrayParam(params, 'escalation_policy_ids');
      const since = Date.parse(params.get('since') ?? '') || now;
      const until = Date.parse(params.get('until') ?? '') || since;
      const oncalls = (state.oncalls ?? [])
        .map(o => renderOnCall(o, now))
        .filter(
          o =>
            (!userIds || userIds.includes(String(o.user.id))) &&
            (!scheduleIds ||
              (o.schedule !== null &&
                scheduleIds.includes(String(o.schedule.id)))) &&
            (!policyIds ||
              policyIds.includes(String(o.escalation_policy.id))) &&
            (o.start === null || Date.parse(o.start) <= until) &&
            (o.end === null || Date.parse(o.end) > since),
        );
      sendPage(res, params, 'oncalls', oncalls);
      return;
    }
    if (url.pathname === '/incidents') {
      const userIds = arrayParam(params, 'user_ids');
      const statuses = arrayParam(params, 'statuses');
      const serviceIds = arrayParam(params, 'service_ids');
      // Like PagerDuty: only incidents opened between `since` and `until` (by default the
      // last 30 days), unless `date_range=all`, its only value.
      const dateRange = params.get('date_range');
      if (dateRange !== null && dateRange !== 'all') {
        sendError(res, 400, 'Invalid Input Provided', 2001);
        return;
      }
      const until = Date.parse(params.get('until') ?? '') || now;
      const since =
        Date.parse(params.get('since') ?? '') || until - INCIDENT_WINDOW_MS;
      const incidents = (state.incidents ?? [])
        .map((i, index) => renderIncident(i, index, now))
        .filter(
          i =>
            // resolved incidents are assigned to nobody: user_ids[] never lists them
            (!userIds ||
              i.assignments.some(a =>
                userIds.includes(String(a.assignee.id)),
              )) &&
            (!statuses || statuses.includes(i.status)) &&
            (!serviceIds || serviceIds.includes(String(i.service.id))),
        )
        .filter(i => {
          if (dateRange === 'all') return true;
          const created = Date.parse(i.created_at ?? '');
          // an incident without a time (none is made here) is not left out
          return (
            Number.isNaN(created) || (created >= since && created <= until)
          );
        });
      const sortBy = params.get('sort_by');
      if (sortBy) {
        const m =
          /^(incident_number|created_at|resolved_at)(?::(asc|desc))?$/.exec(
            sortBy,
          );
        if (!m) {
          sendError(res, 400, 'Invalid Input Provided', 2001);
          return;
        }
        const field =
          /** @type {'incident_number' | 'created_at' | 'resolved_at'} */ (
            m[1]
          );
        const key = (/** @type {Record<string, unknown>} */ i) =>
          field === 'incident_number'
            ? Number(i[field])
            : Date.parse(String(i[field] ?? '')) || 0;
        incidents.sort((a, b) =>
          m[2] === 'desc' ? key(b) - key(a) : key(a) - key(b),
        );
      }
      sendPage(res, params, 'incidents', incidents);
      return;
    }
    const logMatch = /^\/incidents\/([^/]+)\/log_entries$/.exec(url.pathname);
    if (logMatch) {
      const id = decodeURIComponent(logMatch[1]);
      const index = (state.incidents ?? []).findIndex(i => i.id === id);
      if (index < 0) {
        sendError(res, 404, 'Not Found', 2100);
        return;
      }
      const incident = /** @type {FakeIncident} */ (state.incidents?.[index]);
      sendPage(res, params, 'log_entries', renderLog(incident, index, now));
      return;
    }
    sendError(res, 404, 'Not Found', 2100);
  };

  /** @param {FakeOnCall[]} list */
  const setOnCalls = list => {
    if (!Array.isArray(list)) throw new Error('on-calls must be a list');
    state = {
      ...state,
      oncalls: normalizeData({ oncalls: list }, 'oncalls').oncalls,
    };
  };
  /** @param {FakeIncident[]} list */
  const setIncidents = list => {
    if (!Array.isArray(list)) throw new Error('incidents must be a list');
    state = {
      ...state,
      incidents: normalizeData({ incidents: list }, 'incidents').incidents,
    };
  };
  const reset = () => {
    state = dataFile
      ? readDataFile(path.resolve(dataFile))
      : normalizeData(initial, 'data');
  };

  /**
   * `PUT /__admin/oncalls`, `PUT /__admin/incidents` (the JSON body, a list, replaces it)
   * and `POST /__admin/reset`.
   * @param {http.IncomingMessage} req
   * @param {http.ServerResponse} res
   */
  const handleAdmin = async (req, res) => {
    const pathname = new URL(req.url ?? '/', baseUrl).pathname;
    try {
      if (req.method === 'PUT' && pathname === '/__admin/ratelimit') {
        const body = /** @type {Record<string, unknown>} */ (
          (await readJsonBody(req)) ?? {}
        );
        const requests = Number(body.requests ?? 1);
        const retryAfter = Number(body.retryAfter ?? 1);
        if (!Number.isInteger(requests) || requests < 0 || !(retryAfter >= 0)) {
          sendError(
            res,
            400,
            'the body must be { requests: whole number, retryAfter: seconds }',
            2001,
          );
          return;
        }
        rateLimited = { requests, retryAfter };
        send(res, 200, rateLimited);
        return;
      }
      if (req.method === 'POST' && pathname === '/__admin/reset') {
        reset();
        send(res, 204);
        return;
      }
      if (
        req.method === 'PUT' &&
        (pathname === '/__admin/oncalls' || pathname === '/__admin/incidents')
      ) {
        const key = pathname === '/__admin/oncalls' ? 'oncalls' : 'incidents';
        const body = await readJsonBody(req);
        /** @type {unknown} */
        const list =
          body && typeof body === 'object' && !Array.isArray(body)
            ? /** @type {Record<string, unknown>} */ (body)[key]
            : body;
        if (!Array.isArray(list)) {
          sendError(res, 400, `the body must be a JSON list of ${key}`, 2001);
          return;
        }
        if (key === 'oncalls') setOnCalls(list);
        else setIncidents(list);
        send(res, 200, { [key]: list.length });
        return;
      }
      sendError(res, 404, 'Not Found', 2100);
    } catch (e) {
      sendError(res, 400, e instanceof Error ? e.message : String(e), 2001);
    }
  };

  /**
   * PagerDuty's OAuth token endpoint (identity.pagerduty.com/oauth/token), client
   * credentials grant: the scope must name the app's account as `as_account-<region>.<subDomain>`.
   * @param {http.IncomingMessage} req
   * @param {http.ServerResponse} res
   */
  const handleToken = async (req, res) => {
    /** @type {string} */
    const text = await new Promise((resolve, reject) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', chunk => {
        body += chunk;
      });
      req.on('end', () => resolve(body));
      req.on('error', reject);
    });
    const form = new URLSearchParams(text);
    const app = (state.oauthApps ?? []).find(
      a =>
        a.clientId === form.get('client_id') &&
        a.clientSecret === form.get('client_secret'),
    );
    if (form.get('grant_type') !== 'client_credentials') {
      send(res, 400, { error: 'unsupported_grant_type' });
      return;
    }
    if (!app) {
      send(res, 401, {
        error: 'invalid_client',
        error_description: 'Client authentication failed',
      });
      return;
    }
    const scopes = (form.get('scope') ?? '').split(/\s+/).filter(Boolean);
    const account = `as_account-${app.region ?? 'us'}.${app.subDomain}`;
    if (!scopes.includes(account)) {
      send(res, 400, {
        error: 'invalid_scope',
        error_description: `the scope must include ${account}`,
      });
      return;
    }
    tokenCount += 1;
    const token = `pd-oauth-${tokenCount}-${Math.random()
      .toString(36)
      .slice(2)}`;
    const expiresIn = 3600;
    accessTokens.set(token, Date.now() + expiresIn * 1000);
    send(res, 200, {
      access_token: token,
      token_type: 'bearer',
      scope: scopes.join(' '),
      expires_in: expiresIn,
    });
  };

  const server = http.createServer((req, res) => {
    try {
      if ((req.url ?? '').startsWith('/__admin/')) {
        handleAdmin(req, res);
      } else if (req.method === 'POST' && req.url === '/oauth/token') {
        handleToken(req, res).catch(e =>
          sendError(res, 500, e instanceof Error ? e.message : String(e), 2000),
        );
      } else {
        handleApi(req, res);
      }
    } catch (e) {
      sendError(res, 500, e instanceof Error ? e.message : String(e), 2000);
    }
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(undefined);
    });
  });
  const address = server.address();
  const actualPort =
    address && typeof address === 'object' ? address.port : port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  baseUrl = `http://${urlHost}:${actualPort}`;

  return {
    url: baseUrl,
    port: actualPort,
    close: () =>
      new Promise((resolve, reject) => {
        server.close(err => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
    setOnCalls,
    setIncidents,
    reset,
  };
}

module.exports = { startFakePagerDuty, resolveTime };
