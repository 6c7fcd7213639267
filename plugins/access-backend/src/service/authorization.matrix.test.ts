import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { accessProvisionersExtensionPoint } from '@jit-access/plugin-access-node';
import { createHash, randomBytes, randomUUID } from 'crypto';
import { Knex } from 'knex';
import { readFileSync } from 'fs';
import { resolve } from 'path';
import request from 'supertest';
import {
  AccessTestBackend,
  BUNDLES,
  FLOWS,
  startAccessBackend,
  TestClock,
} from '../__testUtils__/harness';
import {
  createOtherPlugin,
  staticPluginKeyStore,
} from '../__testUtils__/otherPlugin';

jest.setTimeout(120_000);

/**
 * Who may call what: every route × every kind of caller, against the real router, service
 * and database. Users come through mock auth (backend A); services through Backstage's real
 * static-token auth and permissions (backend B), which also runs a second backend plugin
 * calling with its plugin-to-plugin token. Both share one database, so B's services
 * see the requests A's users made. The table checked here is the one in docs/security.md.
 */

// Authorisation does not depend on the database engine: SQLite only.
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const CALLERS = [
  'anonymous',
  'unknown token',
  'requester',
  'other user',
  'approver',
  'other approver',
  'admin',
  'service',
  'service, create only',
  'service, no create',
  'service, other plugin',
  'backend plugin',
] as const;
type CallerId = (typeof CALLERS)[number];
type UserRole = 'requester' | 'other user' | 'approver' | 'other approver';

const TOKENS = {
  // Unrestricted within the plugin: every permission, access.admin and audit included.
  service: 'matrix-itsm-token-0123456789abcdefghij',
  'service, create only': 'matrix-create-only-token-0123456789ab',
  'service, no create': 'matrix-no-create-token-0123456789abcd',
  'service, other plugin': 'matrix-catalog-token-0123456789abcdef',
  'unknown token': 'matrix-not-configured-token-012345678',
};
const EXTERNAL_ACCESS = [
  {
    type: 'static',
    options: { token: TOKENS.service, subject: 'itsm' },
    accessRestrictions: [{ plugin: 'access' }],
  },
  {
    type: 'static',
    options: { token: TOKENS['service, create only'], subject: 'create-only' },
    accessRestrictions: [
      { plugin: 'access', permission: ['access.request.create'] },
    ],
  },
  {
    type: 'static',
    options: { token: TOKENS['service, no create'], subject: 'no-create' },
    // Admin and audit permissions on the token: services must still never be admins.
    accessRestrictions: [
      { plugin: 'access', permission: ['access.admin', 'access.audit.read'] },
    ],
  },
  {
    type: 'static',
    options: { token: TOKENS['service, other plugin'], subject: 'catalog' },
    accessRestrictions: [{ plugin: 'catalog' }],
  },
];

/** Another installed plugin: its token carries no restrictions and it is not allow-listed. */
const otherPlugin = createOtherPlugin('ticketing');

/** Access details name their grantee, so a leak to anyone else is visible in any body. */
const detailsProvisioner = createBackendModule({
  pluginId: 'access',
  moduleId: 'matrix-details',
  register(env) {
    env.registerInit({
      deps: { provisioners: accessProvisionersExtensionPoint },
      async init({ provisioners }) {
        provisioners.addProvisionerType({
          type: 'matrix-details',
          create: () => ({
            async grant(r) {
              return {
                accessDetails: { secret: `details-for:${r.requester}` },
              };
            },
            async revoke() {},
          }),
        });
      },
    });
  },
});

const ACCESS = {
  flows: FLOWS.map(f => {
    if (f.id === 'prod-db') return { ...f, provisioner: 'details' };
    // Reviewers who are not admins, so "approver" and "admin" are different people.
    if (f.id === 'cluster-breakglass')
      return {
        ...f,
        approval: { ...f.approval, approvers: ['group:default/dba'] },
      };
    return f;
  }),
  bundles: BUNDLES,
  provisioners: { details: { type: 'matrix-details' } },
  encryption: { key: randomBytes(32).toString('base64') },
  // Only the ITSM token may act for users; other services and plugins may not.
  onBehalfOf: { allowedServices: ['itsm'] },
};

/** The people in each role, relative to the request a row acts on. */
type Roles = Record<UserRole, string>;
const ALICE_ROLES: Roles = {
  requester: 'alice',
  'other user': 'bob',
  approver: 'dana', // dba: approves prod-db requests
  'other approver': 'sam', // owner of prod-eks: approves bob's any-resource request only
};

type Fixture =
  | 'none'
  | 'pending'
  | 'own pending'
  | 'break-glass'
  | 'granted'
  | 'extension'
  | 'ended'
  | 'by service';

interface Row {
  method: 'get' | 'post' | 'put' | 'delete';
  /** `{id}` is replaced by the fixture's id. */
  path: string;
  on: string;
  fixture: Fixture;
  body?: object;
  /** Changes state: every caller gets a fresh fixture. */
  mutates?: boolean;
  expected: Record<CallerId, number>;
}

/** Expected codes: `others` for every authenticated caller not listed. */
function codes(
  others: number,
  over: Partial<Record<CallerId, number>> = {},
): Record<CallerId, number> {
  const base = Object.fromEntries(CALLERS.map(c => [c, others])) as Record<
    CallerId,
    number
  >;
  return {
    ...base,
    anonymous: 401,
    'unknown token': 401,
    // The token does not reach this plugin at all.
    'service, other plugin': 403,
    ...over,
  };
}
const ORDERS = 'resource:default/orders-db';
const STAGING = 'resource:default/orders-db-staging';
const submitSelf = {
  resources: [{ entityRef: STAGING, permissions: ['read'] }],
  justification: 'matrix',
};
const submitForAlice = { ...submitSelf, requester: 'user:default/alice' };

const ROWS: Row[] = [
  {
    method: 'get',
    path: '/flows',
    on: '-',
    fixture: 'none',
    expected: codes(200),
  },
  {
    method: 'get',
    path: '/bundles',
    on: '-',
    fixture: 'none',
    expected: codes(200),
  },
  {
    method: 'get',
    path: '/resources',
    on: '-',
    fixture: 'none',
    expected: codes(200),
  },
  {
    method: 'post',
    path: '/requests/preview',
    on: 'for oneself',
    fixture: 'none',
    body: submitSelf,
    // A service must name the user (400); without the create permission: 403.
    expected: codes(200, {
      service: 400,
      'service, create only': 400,
      'service, no create': 403,
      'backend plugin': 400,
    }),
  },
  {
    method: 'post',
    path: '/requests/preview',
    on: 'on behalf of the requester',
    fixture: 'none',
    body: submitForAlice,
    expected: codes(403, { requester: 200, service: 200 }),
  },
  {
    method: 'post',
    path: '/requests',
    on: 'for oneself',
    fixture: 'none',
    body: submitSelf,
    expected: codes(201, {
      service: 400,
      'service, create only': 400,
      'service, no create': 403,
      'backend plugin': 400,
    }),
  },
  {
    method: 'post',
    path: '/requests',
    on: 'on behalf of the requester',
    fixture: 'none',
    body: submitForAlice,
    // Only a service in access.onBehalfOf.allowedServices holding access.request.create.onbehalf
    // (never another plugin unless listed); a user naming oneself is fine.
    expected: codes(403, { requester: 201, service: 201 }),
  },
  {
    method: 'get',
    path: '/requests',
    on: 'view=mine',
    fixture: 'none',
    expected: codes(200),
  },
  {
    method: 'get',
    path: '/requests?view=all',
    on: '-',
    fixture: 'none',
    expected: codes(403, { admin: 200 }),
  },
  {
    method: 'get',
    path: '/requests?view=all&requester=alice&flowId=prod-db',
    on: 'filtered',
    fixture: 'pending',
    // Filters change nothing about who may list everything.
    expected: codes(403, { admin: 200 }),
  },
  {
    method: 'get',
    path: '/requests/{id}',
    on: 'pending request',
    fixture: 'pending',
    expected: codes(403, { requester: 200, approver: 200, admin: 200 }),
  },
  {
    method: 'get',
    path: '/requests/{id}',
    on: 'submitted by the service',
    fixture: 'by service',
    expected: codes(403, {
      requester: 200,
      approver: 200,
      admin: 200,
      service: 200,
    }),
  },
  {
    method: 'get',
    path: '/requests/{id}',
    on: 'granted request',
    fixture: 'granted',
    expected: codes(403, { requester: 200, approver: 200, admin: 200 }),
  },
  {
    method: 'post',
    path: '/requests/{id}/approve',
    on: 'pending request',
    fixture: 'pending',
    body: {},
    mutates: true,
    // Admins decide break-glass reviews only.
    expected: codes(403, { approver: 200 }),
  },
  {
    method: 'post',
    path: '/requests/{id}/approve',
    on: 'own request; requester is an approver',
    fixture: 'own pending',
    body: {},
    mutates: true,
    expected: codes(403, { approver: 200 }),
  },
  {
    method: 'post',
    path: '/requests/{id}/approve',
    on: 'break-glass review',
    fixture: 'break-glass',
    body: { comment: 'ok' },
    mutates: true,
    expected: codes(403, { approver: 200, admin: 200 }),
  },
  {
    method: 'post',
    path: '/requests/{id}/approve',
    on: 'pending extension',
    fixture: 'extension',
    body: {},
    mutates: true,
    expected: codes(403, { approver: 200 }),
  },
  {
    method: 'post',
    path: '/requests/{id}/approve',
    on: 'granted request (nothing to decide)',
    fixture: 'granted',
    body: {},
    // 409 only for those who may see the request; others learn nothing of its state.
    expected: codes(403, { requester: 409, approver: 409, admin: 409 }),
  },
  {
    method: 'post',
    path: '/requests/{id}/reject',
    on: 'pending request',
    fixture: 'pending',
    body: { reason: 'no' },
    mutates: true,
    expected: codes(403, { approver: 200 }),
  },
  {
    method: 'post',
    path: '/requests/{id}/reject',
    on: 'own request; requester is an approver',
    fixture: 'own pending',
    body: { reason: 'no' },
    mutates: true,
    expected: codes(403, { approver: 200 }),
  },
  {
    method: 'post',
    path: '/requests/{id}/reject',
    on: 'break-glass review',
    fixture: 'break-glass',
    body: { reason: 'not an incident' },
    mutates: true,
    expected: codes(403, { approver: 200, admin: 200 }),
  },
  {
    method: 'post',
    path: '/requests/{id}/reject',
    on: 'granted request (nothing to decide)',
    fixture: 'granted',
    body: { reason: 'no' },
    expected: codes(403, { requester: 409, approver: 409, admin: 409 }),
  },
  {
    method: 'post',
    path: '/requests/{id}/cancel',
    on: 'pending request',
    fixture: 'pending',
    mutates: true,
    expected: codes(403, { requester: 200 }),
  },
  {
    method: 'post',
    path: '/requests/{id}/cancel',
    on: 'submitted by the service',
    fixture: 'by service',
    mutates: true,
    expected: codes(403, { requester: 200, service: 200 }),
  },
  {
    method: 'post',
    path: '/requests/{id}/revoke',
    on: 'granted request',
    fixture: 'granted',
    body: {},
    mutates: true,
    expected: codes(403, { requester: 200, approver: 200, admin: 200 }),
  },
  {
    method: 'post',
    path: '/requests/{id}/again',
    on: 'ended request',
    fixture: 'ended',
    body: { justification: 'again' },
    mutates: true,
    expected: codes(403, { requester: 201 }),
  },
  {
    method: 'post',
    path: '/requests/{id}/extend',
    on: 'granted request',
    fixture: 'granted',
    body: { durationSeconds: 3600, justification: 'more' },
    mutates: true,
    expected: codes(403, { requester: 200 }),
  },
  {
    method: 'put',
    path: '/requests/{id}/favorite',
    on: 'pending request',
    fixture: 'pending',
    mutates: true,
    expected: codes(403, { requester: 200 }),
  },
  {
    method: 'delete',
    path: '/requests/{id}/favorite',
    on: 'pending request',
    fixture: 'pending',
    mutates: true,
    expected: codes(403, { requester: 200 }),
  },
  {
    method: 'get',
    path: `/entity-access?entityRef=${ORDERS}`,
    on: '-',
    fixture: 'none',
    expected: codes(200),
  },
  {
    method: 'get',
    path: `/entity-access/history?entityRef=${ORDERS}`,
    on: 'entity owned by none of them',
    fixture: 'none',
    expected: codes(403, { admin: 200 }),
  },
  {
    method: 'get',
    path: '/entity-access/history?entityRef=resource:default/analytics-db',
    on: "entity owned by the approver's group",
    fixture: 'none',
    expected: codes(403, { approver: 200, admin: 200 }),
  },
  {
    method: 'get',
    path: '/audit',
    on: '-',
    fixture: 'none',
    // The unrestricted service token allows access.audit.read: still refused.
    expected: codes(403, { admin: 200 }),
  },
  {
    method: 'get',
    path: '/audit/verify',
    on: '-',
    fixture: 'none',
    expected: codes(403, { admin: 200 }),
  },
  // Unknown ids: 404 for everyone who may call the route at all.
  ...(
    [
      ['get', '/requests/{id}', undefined],
      ['post', '/requests/{id}/approve', {}],
      ['post', '/requests/{id}/reject', { reason: 'no' }],
      ['post', '/requests/{id}/cancel', undefined],
      ['post', '/requests/{id}/revoke', {}],
      ['post', '/requests/{id}/again', {}],
      ['post', '/requests/{id}/extend', { durationSeconds: 60 }],
      ['put', '/requests/{id}/favorite', undefined],
      ['delete', '/requests/{id}/favorite', undefined],
    ] as const
  ).map(
    ([method, path, body]): Row => ({
      method,
      path,
      on: 'unknown id',
      fixture: 'none',
      body,
      expected: codes(
        404,
        // "again" is a submission: the create permission is checked first.
        path.endsWith('/again') ? { 'service, no create': 403 } : {},
      ),
    }),
  ),
];

describe('authorisation matrix (SQLite)', () => {
  let a: AccessTestBackend;
  let b: AccessTestBackend;
  let knex: Knex;
  const checked: {
    endpoint: string;
    on: string;
    caller: CallerId;
    expected: number;
    got: number;
  }[] = [];

  beforeAll(async () => {
    knex = await databases.init('SQLITE_3');
    const clock = new TestClock();
    a = await startAccessBackend({
      knex,
      clock,
      access: ACCESS,
      extraFeatures: [detailsProvisioner],
    });
    b = await startAccessBackend({
      knex,
      clock,
      access: ACCESS,
      extraFeatures: [detailsProvisioner, otherPlugin.plugin],
      services: [
        authServiceFactory,
        httpAuthServiceFactory,
        permissionsServiceFactory,
      ],
      extraConfig: {
        permission: { enabled: false },
        backend: {
          baseUrl: 'http://localhost:7007',
          auth: {
            externalAccess: EXTERNAL_ACCESS,
            pluginKeyStore: staticPluginKeyStore(),
          },
        },
      },
    });
  });
  afterAll(async () => {
    await b?.backend.stop();
    await a?.backend.stop();
  });

  const asUser = (name: string) =>
    mockCredentials.user.header(`user:default/${name}`);

  /** Every row of every access_* table, hashed: a refused call must not change it. */
  async function snapshot(): Promise<string> {
    const tables = (
      await knex('sqlite_master')
        .where('type', 'table')
        .andWhere('name', 'like', 'access%')
        .orderBy('name')
        .pluck('name')
    ).filter((t: string) => t.startsWith('access_'));
    const hash = createHash('sha256');
    for (const t of tables)
      hash.update(t).update(JSON.stringify(await knex(t)));
    return hash.digest('hex');
  }

  /** Sends one call as one caller; users go to A, everything else to B. */
  async function send(
    caller: CallerId,
    roles: Roles,
    method: Row['method'],
    path: string,
    body?: object,
  ) {
    const user =
      caller === 'admin' ? 'pat' : roles[caller as UserRole] ?? undefined;
    const server = user ? a.server : b.server;
    let req = request(server)[method](`/api/access${path}`);
    if (user) req = req.set('Authorization', asUser(user));
    else if (caller === 'backend plugin')
      req = req.set('Authorization', `Bearer ${await otherPlugin.token()}`);
    else if (caller !== 'anonymous')
      req = req.set(
        'Authorization',
        `Bearer ${TOKENS[caller as keyof typeof TOKENS]}`,
      );
    return body === undefined ? req : req.send(body);
  }

  async function ok(res: request.Response, status = 201) {
    if (res.status !== status)
      throw new Error(`fixture: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** Creates the request a row acts on, in the state it needs; returns its id and roles. */
  async function fixture(kind: Fixture): Promise<{ id: string; roles: Roles }> {
    const submit = (who: string, entityRef: string, permission: string) =>
      a.api
        .post(
          '/requests',
          {
            resources: [{ entityRef, permissions: [permission] }],
            justification: 'matrix fixture',
          },
          who,
        )
        .then(r => ok(r))
        .then(body => body.items[0]);
    switch (kind) {
      case 'none':
        return { id: randomUUID(), roles: ALICE_ROLES };
      case 'pending': {
        const r = await submit('alice', ORDERS, 'read');
        expect(r.approvers).toEqual(
          expect.arrayContaining(['user:default/dana']),
        );
        expect(r.approvers).not.toContain('user:default/sam');
        expect(r.approvers).not.toContain('user:default/pat');
        return { id: r.id, roles: ALICE_ROLES };
      }
      case 'granted': {
        const { id } = await fixture('pending');
        await ok(await a.api.post(`/requests/${id}/approve`, {}, 'erin'), 200);
        return { id, roles: ALICE_ROLES };
      }
      case 'extension': {
        const { id } = await fixture('granted');
        const body = { durationSeconds: 3600, justification: 'more' };
        const res = await ok(
          await a.api.post(`/requests/${id}/extend`, body, 'alice'),
          200,
        );
        expect(res.extension.status).toBe('pending');
        return { id, roles: ALICE_ROLES };
      }
      case 'ended': {
        const { id } = await fixture('pending');
        await ok(await a.api.post(`/requests/${id}/cancel`, {}, 'alice'), 200);
        return { id, roles: ALICE_ROLES };
      }
      case 'own pending': {
        // Dana asks for a database her own group owns: she is one of its approvers.
        const r = await submit('dana', 'resource:default/analytics-db', 'read');
        expect(r.approvers).toEqual(['user:default/dana', 'user:default/erin']);
        return {
          id: r.id,
          roles: { ...ALICE_ROLES, requester: 'dana', approver: 'erin' },
        };
      }
      case 'break-glass': {
        const r = await submit(
          'sam',
          'resource:default/prod-eks',
          'cluster-admin',
        );
        expect(r).toMatchObject({
          status: 'granted',
          review: { status: 'pending' },
        });
        return {
          id: r.id,
          roles: {
            requester: 'sam',
            'other user': 'bob',
            approver: 'dana',
            'other approver': 'olivia', // approves prod-db requests on orders-db
          },
        };
      }
      case 'by service': {
        const res = await request(b.server)
          .post('/api/access/requests')
          .set('Authorization', `Bearer ${TOKENS.service}`)
          .send({
            ...submitForAlice,
            resources: [{ entityRef: ORDERS, permissions: ['read'] }],
          });
        const r = (await ok(res)).items[0];
        expect(r.createdBy).toBe('service:itsm');
        return { id: r.id, roles: ALICE_ROLES };
      }
      default:
        throw new Error(kind);
    }
  }

  it('answers every route for every caller as the table says', async () => {
    // "other approver" must really approve something else: sam approves bob's prod-eks request.
    const other = (
      await ok(
        await a.api.post(
          '/requests',
          {
            resources: [
              { entityRef: 'resource:default/prod-eks', permissions: ['read'] },
            ],
            justification: 'matrix',
          },
          'bob',
        ),
      )
    ).items[0];
    expect(other).toMatchObject({
      flowId: 'any-resource',
      approvers: ['user:default/sam'],
    });

    const shared = new Map<Fixture, { id: string; roles: Roles }>();
    const leaks: string[] = [];
    const changed: string[] = [];
    let detailsShown = 0;
    for (const row of ROWS) {
      for (const caller of CALLERS) {
        let fx = shared.get(row.fixture);
        if (!fx || row.mutates) {
          fx = await fixture(row.fixture);
          if (!row.mutates) shared.set(row.fixture, fx);
        }
        const before = row.method === 'get' ? undefined : await snapshot();
        const res = await send(
          caller,
          fx.roles,
          row.method,
          row.path.replace('{id}', fx.id),
          row.body,
        );
        if (before && res.status >= 300 && (await snapshot()) !== before) {
          changed.push(`${row.method} ${row.path} as ${caller}: ${res.status}`);
        }
        checked.push({
          endpoint: `${row.method.toUpperCase()} ${row.path}`,
          on: row.on,
          caller,
          expected: row.expected[caller],
          got: res.status,
        });
        // Access details go to their grantee only, in whatever response carries a request.
        const grantees = [
          ...(res.text ?? '').matchAll(/details-for:([^"\\]+)/g),
        ].map(m => m[1]);
        const me =
          caller === 'admin'
            ? 'user:default/pat'
            : `user:default/${fx.roles[caller as UserRole]}`;
        for (const g of grantees) {
          detailsShown++;
          if (g !== me)
            leaks.push(
              `${row.method} ${row.path} as ${caller}: details of ${g}`,
            );
        }
      }
    }

    // eslint-disable-next-line no-console
    console.log(
      `authorisation matrix: ${checked.length} calls\n${checked
        .map(c =>
          [
            c.endpoint.padEnd(45),
            c.on.padEnd(38),
            c.caller.padEnd(22),
            `expected ${c.expected}`,
            `got ${c.got}`,
            c.expected === c.got ? '' : '  <-- MISMATCH',
          ].join(' '),
        )
        .join('\n')}`,
    );
    expect(checked.filter(c => c.expected !== c.got)).toEqual([]);
    expect(leaks).toEqual([]);
    // The grantee did get their details, so the leak check above is not vacuous.
    expect(detailsShown).toBeGreaterThan(0);
    // Refused calls changed nothing in the database.
    expect(changed).toEqual([]);
    expect(checked).toHaveLength(ROWS.length * CALLERS.length);
  });

  it('lists only requests the caller may see, for every view', async () => {
    const views = ['mine', 'approvals', 'decided', 'favorites'];
    const users = ['alice', 'bob', 'dana', 'erin', 'sam', 'olivia', 'pat'];
    // Filters only narrow a view: naming someone else's requests shows no more of them.
    const filters: [string, (r: any) => boolean][] = [
      ['', () => true],
      ...users.map((u): [string, (r: any) => boolean] => [
        `&requester=${u}`,
        r => r.requester === `user:default/${u}`,
      ]),
      [
        `&entityRef=${ORDERS}`,
        r => r.resources.some((x: any) => x.entityRef === ORDERS),
      ],
      ['&flowId=prod-db', r => r.flowId === 'prod-db'],
    ];
    let seen = 0;
    let filteredSeen = 0;
    for (const name of users) {
      const me = `user:default/${name}`;
      for (const view of views) {
        let unfiltered: any[] = [];
        for (const [filter, matches] of view === 'favorites'
          ? filters.slice(0, 1)
          : filters) {
          const res = await a.api.get(
            `/requests?view=${view}&limit=200${filter}`,
            name,
          );
          expect(res.status).toBe(200);
          if (!filter) unfiltered = res.body.items;
          // Exactly the view's own requests that match.
          expect(res.body.items.map((r: any) => r.id)).toEqual(
            unfiltered.filter(matches).map(r => r.id),
          );
          for (const r of res.body.items) {
            if (filter) filteredSeen++;
            else seen++;
            const visible =
              name === 'pat' || // the admin
              r.requester === me ||
              r.createdBy === me ||
              r.approvers.includes(me);
            const wrong =
              !visible ||
              // No flow here allows self-approval: one's own requests never wait for oneself.
              (view === 'approvals' && r.requester === me) ||
              (view === 'mine' && r.requester !== me);
            expect(wrong ? `${name} sees ${r.id} in view=${view}` : 'ok').toBe(
              'ok',
            );
          }
        }
      }
    }
    for (const token of [
      TOKENS.service,
      TOKENS['service, create only'],
      await otherPlugin.token(),
    ]) {
      for (const view of views) {
        const res = await request(b.server)
          .get(`/api/access/requests?view=${view}`)
          .set('Authorization', `Bearer ${token}`);
        expect(res.status).toBe(200);
        // A service has no requests, approvals or stars of its own.
        expect(res.body.items).toEqual([]);
      }
    }
    expect(seen).toBeGreaterThan(10);
    expect(filteredSeen).toBeGreaterThan(10);
  });

  it('covers every route of the router', () => {
    const source = readFileSync(resolve(__dirname, 'router.ts'), 'utf8');
    const routes = [
      ...source.matchAll(/router\.(get|post|put|delete)\(\s*'([^']+)'/g),
    ].map(m => `${m[1].toUpperCase()} ${m[2].replace(':id', '{id}')}`);
    const covered = new Set(
      ROWS.map(r => `${r.method.toUpperCase()} ${r.path.split('?')[0]}`),
    );
    expect(routes.length).toBeGreaterThan(15);
    expect(routes.filter(r => !covered.has(r))).toEqual([]);
  });

  it('is the table in docs/security.md', () => {
    const docs = readFileSync(
      resolve(__dirname, '../../../../docs/security.md'),
      'utf8',
    );
    const section =
      /<!-- authz-matrix:begin -->([\s\S]*?)<!-- authz-matrix:end -->/.exec(
        docs,
      );
    expect(section).not.toBeNull();
    const cells = (line: string) =>
      line
        .trim()
        .replace(/^\||\|$/g, '')
        .split('|')
        .map(c => c.trim());
    const documented = section![1]
      .split('\n')
      .filter(l => l.trim().startsWith('|'))
      .slice(2) // header and separator
      .map(cells);
    const expected = ROWS.map(r => [
      `\`${r.method.toUpperCase()} ${r.path}\``,
      r.on,
      ...CALLERS.map(c => String(r.expected[c])),
    ]);
    if (JSON.stringify(documented) !== JSON.stringify(expected)) {
      // What to paste into docs/security.md (then run prettier on it).
      const header = ['endpoint', 'on', ...CALLERS];
      // eslint-disable-next-line no-console
      console.log(
        [header, header.map(() => '---'), ...expected]
          .map(r => `| ${r.join(' | ')} |`)
          .join('\n'),
      );
    }
    expect(documented).toEqual(expected);
  });
});
