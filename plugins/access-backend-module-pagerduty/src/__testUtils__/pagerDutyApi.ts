import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { Entity } from '@backstage/catalog-model';
import { AccessCheckContext } from '@jit-access/plugin-access-node';
import { PagerDutyClient } from '../client/PagerDutyClient';

/** Base URL and token of the mocked PagerDuty API. */
export const BASE_URL = 'https://pagerduty.test';
export const TOKEN = 'pd-test-token-9f8e7d';
/** PagerDuty's OAuth token endpoint, and the Scoped OAuth app it knows. */
export const TOKEN_URL = 'https://identity.pagerduty.test/oauth/token';
export const OAUTH_APP = {
  clientId: 'pd-client-7c1',
  clientSecret: 'pd-client-secret-55aa',
  subDomain: 'acme',
};

export const FIXED_END = '2026-11-25T18:00:00Z';

/** The PagerDuty data the msw handlers serve; tests change it freely. */
export interface ApiState {
  users: { id: string; name: string; email: string }[];
  schedules: { id: string; name: string }[];
  services: {
    id: string;
    name: string;
    escalation_policy: { id: string; summary: string };
    /** Events API integrations; their keys are what `pagerduty.com/integration-key` holds. */
    integrations?: { id: string; integration_key: string }[];
  }[];
  oncalls: {
    user: { id: string };
    schedule: { id: string; summary: string } | null;
    escalation_policy: { id: string; summary: string };
    escalation_level: number;
    start: string | null;
    end: string | null;
  }[];
  incidents: {
    id: string;
    incident_number: number;
    title: string;
    status: string;
    service: { id: string; summary: string };
    /** Who it is assigned to while open; PagerDuty lists none once it is resolved. */
    assignments: { assignee: { id: string } }[];
    /** ISO time; without it, opened just now. */
    created_at?: string;
    /** User ids who acknowledged it (its log, and who last changed it while acknowledged). */
    acknowledgers?: string[];
    /** The user id who resolved it, and when (ISO; default now); only when resolved. */
    resolver?: string;
    resolved_at?: string;
  }[];
  /** The most items one page holds (PagerDuty may give fewer than asked for). */
  pageSize: number;
  /** OAuth access tokens the API takes (besides TOKEN), and how long new ones last. */
  accessTokens: string[];
  tokenLifetimeSeconds: number;
  /** Every token request (its form fields). */
  tokenRequests: Record<string, string>[];
  /** Every request the handlers saw. */
  requests: { method: string; url: URL; headers: Headers }[];
}

const PROD = { id: 'PEPPROD', summary: 'Production' };
const DATA = { id: 'PEPDATA', summary: 'Databases' };
const ORDERS = { id: 'PEPORDR', summary: 'Orders' };

export function initialState(): ApiState {
  return {
    users: [
      { id: 'PALICE1', name: 'Alice Anderson', email: 'alice@acme.example' },
      { id: 'PBOB001', name: 'Bob Brown', email: 'bob@acme.example' },
      { id: 'PDANA01', name: 'Dana Diaz', email: 'dana@acme.example' },
      { id: 'PSAM001', name: 'Sam Singh', email: 'sam@acme.example' },
      // a query for sam@acme.example finds this one too; it is not sam
      { id: 'PSAM002', name: 'Sam Other', email: 'sam@acme.example.org' },
    ],
    schedules: [
      { id: 'PSRE001', name: 'SRE Primary' },
      { id: 'PDBA001', name: 'DBA' },
      { id: 'PDBA002', name: 'DBA Backup' },
    ],
    services: [
      {
        id: 'PABC123',
        name: 'Orders database (prod)',
        escalation_policy: PROD,
        integrations: [
          {
            id: 'PINT123',
            integration_key: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6',
          },
        ],
      },
      { id: 'PDEF456', name: 'Analytics database', escalation_policy: DATA },
      { id: 'PORD001', name: 'Orders service', escalation_policy: ORDERS },
    ],
    oncalls: [
      {
        user: { id: 'PSAM001' },
        schedule: { id: 'PSRE001', summary: 'SRE Primary' },
        escalation_policy: PROD,
        escalation_level: 1,
        start: '2026-11-25T10:00:00Z',
        end: FIXED_END,
      },
      {
        user: { id: 'PDANA01' },
        schedule: { id: 'PDBA001', summary: 'DBA' },
        escalation_policy: DATA,
        escalation_level: 1,
        start: '2026-11-25T10:00:00Z',
        end: FIXED_END,
      },
      {
        user: { id: 'PDANA01' },
        schedule: { id: 'PDBA001', summary: 'DBA' },
        escalation_policy: PROD,
        escalation_level: 2,
        start: '2026-11-25T10:00:00Z',
        end: FIXED_END,
      },
    ],
    incidents: [
      {
        id: 'PINC042',
        incident_number: 1042,
        title: 'Orders API: checkout failing with 5xx',
        status: 'acknowledged',
        service: { id: 'PORD001', summary: 'Orders service' },
        assignments: [{ assignee: { id: 'PBOB001' } }],
        acknowledgers: ['PBOB001'],
      },
      {
        id: 'PINC043',
        incident_number: 1043,
        title: 'Analytics lag',
        status: 'triggered',
        service: { id: 'PDEF456', summary: 'Analytics database' },
        assignments: [{ assignee: { id: 'PDANA01' } }],
      },
    ],
    pageSize: 100,
    accessTokens: [],
    tokenLifetimeSeconds: 3600,
    tokenRequests: [],
    requests: [],
  };
}

/** msw handlers answering like PagerDuty from `state`. */
export function pagerDutyHandlers(state: ApiState) {
  const seen = (request: Request) => {
    const url = new URL(request.url);
    state.requests.push({
      method: request.method,
      url,
      headers: request.headers,
    });
    return url.searchParams;
  };
  const page = (params: URLSearchParams, key: string, items: unknown[]) => {
    const limit = Math.min(Number(params.get('limit') ?? 25), state.pageSize);
    const offset = Number(params.get('offset') ?? 0);
    return HttpResponse.json({
      [key]: items.slice(offset, offset + limit),
      limit,
      offset,
      more: offset + limit < items.length,
      total: null,
    });
  };
  const filter = (params: URLSearchParams, name: string, value?: string) => {
    const wanted = params.getAll(`${name}[]`);
    return (
      wanted.length === 0 || (value !== undefined && wanted.includes(value))
    );
  };
  const matches = (query: string | null, ...fields: string[]) =>
    !query || fields.some(f => f.toLowerCase().includes(query.toLowerCase()));

  return [
    http.post(TOKEN_URL, async ({ request }) => {
      const form = Object.fromEntries(
        new URLSearchParams(await request.text()),
      );
      state.tokenRequests.push(form);
      if (
        form.client_id !== OAUTH_APP.clientId ||
        form.client_secret !== OAUTH_APP.clientSecret
      ) {
        return HttpResponse.json(
          {
            error: 'invalid_client',
            error_description: 'Client authentication failed',
          },
          { status: 401 },
        );
      }
      const accessToken = `pd-access-${state.tokenRequests.length}`;
      state.accessTokens.push(accessToken);
      return HttpResponse.json({
        access_token: accessToken,
        token_type: 'bearer',
        scope: form.scope,
        expires_in: state.tokenLifetimeSeconds,
      });
    }),
    // like PagerDuty: a call without a key or token it takes is 401, before anything else
    http.all(`${BASE_URL}/*`, ({ request }) => {
      const auth = request.headers.get('authorization') ?? '';
      const bearer = /^Bearer (.+)$/.exec(auth)?.[1];
      if (
        auth === `Token token=${TOKEN}` ||
        (bearer && state.accessTokens.includes(bearer))
      ) {
        return undefined;
      }
      seen(request);
      return HttpResponse.json(
        { error: { message: 'Unauthorized', code: 2006 } },
        { status: 401 },
      );
    }),
    http.get(`${BASE_URL}/users`, ({ request }) => {
      const params = seen(request);
      const q = params.get('query');
      return page(
        params,
        'users',
        state.users.filter(u => matches(q, u.name, u.email)),
      );
    }),
    http.get(`${BASE_URL}/schedules`, ({ request }) => {
      const params = seen(request);
      const q = params.get('query');
      return page(
        params,
        'schedules',
        state.schedules
          .filter(s => matches(q, s.name))
          .map(s => ({ ...s, summary: s.name })),
      );
    }),
    http.get(`${BASE_URL}/services`, ({ request }) => {
      const params = seen(request);
      const q = params.get('query');
      const full = params.getAll('include[]').includes('integrations');
      return page(
        params,
        'services',
        state.services
          // as PagerDuty's own plugin relies on: the search also finds integration keys
          .filter(
            s =>
              matches(q, s.name) ||
              (s.integrations ?? []).some(i => i.integration_key === q),
          )
          .map(s => renderService(s, full)),
      );
    }),
    http.get(`${BASE_URL}/services/:id`, ({ request, params: p }) => {
      const params = seen(request);
      const service = state.services.find(s => s.id === p.id);
      const full = params.getAll('include[]').includes('integrations');
      return service
        ? HttpResponse.json({ service: renderService(service, full) })
        : HttpResponse.json(
            { error: { message: 'Not Found', code: 2100 } },
            { status: 404 },
          );
    }),
    http.get(`${BASE_URL}/oncalls`, ({ request }) => {
      const params = seen(request);
      return page(
        params,
        'oncalls',
        state.oncalls.filter(
          o =>
            filter(params, 'user_ids', o.user.id) &&
            filter(params, 'schedule_ids', o.schedule?.id) &&
            filter(params, 'escalation_policy_ids', o.escalation_policy.id),
        ),
      );
    }),
    http.get(`${BASE_URL}/incidents`, ({ request }) => {
      const params = seen(request);
      const dateRange = params.get('date_range');
      if (dateRange !== null && dateRange !== 'all') {
        return HttpResponse.json(
          { error: { message: 'Invalid Input Provided', code: 2001 } },
          { status: 400 },
        );
      }
      // PagerDuty's default window: incidents opened in the last 30 days
      const since = Date.now() - 30 * 24 * 3600_000;
      const userIds = params.getAll('user_ids[]');
      const listed = state.incidents.map(renderIncident).filter(
        i =>
          // resolved incidents are assigned to nobody, so user_ids[] never lists them
          (userIds.length === 0 ||
            i.assignments.some(a => userIds.includes(a.assignee.id))) &&
          filter(params, 'statuses', i.status) &&
          filter(params, 'service_ids', i.service.id) &&
          (dateRange === 'all' ||
            !i.created_at ||
            Date.parse(i.created_at) >= since),
      );
      if (params.get('sort_by') === 'resolved_at:desc') {
        listed.sort(
          (a, b) =>
            Date.parse(b.resolved_at ?? '') - Date.parse(a.resolved_at ?? ''),
        );
      }
      return page(params, 'incidents', listed);
    }),
    http.get(
      `${BASE_URL}/incidents/:id/log_entries`,
      ({ request, params: p }) => {
        const params = seen(request);
        const incident = state.incidents.find(i => i.id === p.id);
        if (!incident) {
          return HttpResponse.json(
            { error: { message: 'Not Found', code: 2100 } },
            { status: 404 },
          );
        }
        return page(params, 'log_entries', logOf(incident));
      },
    ),
  ];
}

type ApiIncident = ApiState['incidents'][number];

/**
 * A service as PagerDuty shows it: integrations as references, or in full (with their
 * keys) only with `include[]=integrations`.
 */
function renderService(s: ApiState['services'][number], full: boolean) {
  return {
    ...s,
    summary: s.name,
    integrations: (s.integrations ?? []).map(i =>
      full
        ? { ...i, type: 'generic_events_api_inbound_integration' }
        : {
            id: i.id,
            type: 'generic_events_api_inbound_integration_reference',
          },
    ),
  };
}

const userAgent = (id: string) => ({
  id,
  type: 'user_reference',
  summary: id,
});

/** An incident as `GET /incidents` shows it. */
function renderIncident(i: ApiIncident) {
  const { acknowledgers, resolver, resolved_at: resolvedAt, ...fields } = i;
  const resolved = i.status === 'resolved';
  const lastBy = resolved ? resolver : acknowledgers?.at(-1);
  return {
    ...fields,
    assignments: resolved ? [] : i.assignments,
    resolved_at: resolved ? resolvedAt ?? new Date().toISOString() : null,
    last_status_change_by: lastBy
      ? userAgent(lastBy)
      : { ...i.service, type: 'service_reference' },
  };
}

/** Its log, oldest first: triggered by its service, then acknowledged, then resolved. */
function logOf(i: ApiIncident) {
  const at = i.created_at ?? new Date().toISOString();
  const entry = (type: string, agent: object, n: number) => ({
    id: `L${i.id}${n}`,
    type,
    summary: type,
    created_at: at,
    agent,
    incident: { id: i.id, type: 'incident_reference' },
  });
  return [
    entry('trigger_log_entry', { ...i.service, type: 'service_reference' }, 0),
    ...(i.acknowledgers ?? []).map((id, n) =>
      entry('acknowledge_log_entry', userAgent(id), n + 1),
    ),
    ...(i.status === 'resolved' && i.resolver
      ? [entry('resolve_log_entry', userAgent(i.resolver), 99)]
      : []),
  ];
}

/**
 * An msw server serving `state` (reset before each test), with hooks registered.
 * Unhandled requests fail the test.
 */
export function setupPagerDutyApi() {
  const api = { state: initialState() };
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
  beforeEach(() => {
    api.state = initialState();
    server.resetHandlers(...pagerDutyHandlers(api.state));
  });
  afterAll(() => server.close());
  return Object.assign(api, { server });
}

/** A client with small waits, so failure tests are quick; timeouts are set by the tests about them. */
export function testClient(
  overrides: Partial<ConstructorParameters<typeof PagerDutyClient>[0]> = {},
) {
  return new PagerDutyClient({
    apiToken: TOKEN,
    apiBaseUrl: BASE_URL,
    requestTimeoutMs: 5000,
    maxRetryWaitMs: 20,
    retryBackoffMs: 5,
    ...overrides,
  });
}

export function entity(kind: string, name: string, serviceId?: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: {
      name,
      namespace: 'default',
      annotations: serviceId
        ? { 'pagerduty.com/service-id': serviceId }
        : undefined,
    },
  };
}

/** The context of a request by `email` (`undefined`: no e-mail) for these entities. */
export function checkContext(
  email: string | undefined,
  entities: Entity[] = [entity('Resource', 'orders-db', 'PABC123')],
  signal: AbortSignal = new AbortController().signal,
): AccessCheckContext {
  const name = email?.split('@')[0] ?? 'nomail';
  return {
    requestId: 'req-1',
    requester: { ref: `user:default/${name}`, email },
    resources: entities.map(e => ({
      entityRef: `${e.kind.toLowerCase()}:default/${e.metadata.name}`,
      permissions: ['read'],
      entity: e,
    })),
    flow: { id: 'oncall', title: 'On-call access' },
    justification: 'incident',
    durationSeconds: 3600,
    signal,
  };
}
