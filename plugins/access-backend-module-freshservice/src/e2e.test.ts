import { readFileSync } from 'node:fs';
import path from 'node:path';
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import {
  FakeFreshservice,
  startFakeFreshservice,
} from '@jit-access/fake-freshservice';
// The end-to-end test runs the real access plugin with this module.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import accessPlugin, {
  accessClockServiceRef,
} from '@jit-access/plugin-access-backend';
import request from 'supertest';
import { accessModuleFreshservice } from './module';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const ROOT = path.resolve(__dirname, '../../..');
const WORKFLOW = JSON.parse(
  readFileSync(path.join(ROOT, 'examples/freshservice-workflow.json'), 'utf8'),
);
const TOKEN = 'freshservice-workflow-static-token-0123456789';
const API_KEY = 'fs-e2e-api-key';
const TICKET = 1042;

const entities: Entity[] = [
  ...[
    ['alice', 'engineering'],
    ['dana', 'dba'],
  ].map(([name, group]) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default' },
    spec: { profile: { email: `${name}@example.com` }, memberOf: [group] },
    relations: [{ type: 'memberOf', targetRef: `group:default/${group}` }],
  })),
  ...[
    ['engineering', 'alice'],
    ['dba', 'dana'],
  ].map(([name, member]) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace: 'default' },
    spec: { type: 'team', children: [] },
    relations: [{ type: 'hasMember', targetRef: `user:default/${member}` }],
  })),
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name: 'orders-db', namespace: 'default' },
    spec: { type: 'database', owner: 'group:default/dba' },
    relations: [{ type: 'ownedBy', targetRef: 'group:default/dba' }],
  },
];

const ACCESS = {
  limits: { submissionsPerMinute: false, openPendingPerUser: false },
  onBehalfOf: { allowedServices: ['freshservice-workflow'] },
  flows: [
    {
      id: 'prod-db',
      title: 'Production databases',
      requesters: ['group:default/engineering'],
      resources: {
        filter: { kind: 'Resource', 'spec.type': 'database' },
        permissions: ['read'],
      },
      approval: { type: 'manual', approvers: ['group:default/dba'] },
      duration: { default: '1h', max: '8h' },
      justification: 'required',
    },
  ],
};

/** Runs the plugin's scheduled tasks only when the test says so. */
class ManualScheduler {
  readonly tasks = new Map<string, () => Promise<void>>();
  factory() {
    const record = (task: any) =>
      this.tasks.set(task.id, () => task.fn(new AbortController().signal));
    return createServiceFactory({
      service: coreServices.scheduler,
      deps: {},
      factory: () =>
        ({
          scheduleTask: async (task: any) => void record(task),
          createScheduledTaskRunner: () => ({
            run: async (task: any) => void record(task),
          }),
          triggerTask: async (id: string) => this.run(id),
          getScheduledTasks: async () => [],
        } as any),
    });
  }
  async run(id: string) {
    await this.tasks.get(id)!();
  }
}

/**
 * The web request node of examples/freshservice-workflow.json as Freshservice sends it:
 * method, URL, headers and body with the placeholders put in as they are.
 */
function workflowCall(baseUrl: string, ticket: Record<string, string>) {
  const node = WORKFLOW.workflow.nodes.find(
    (n: any) => n.type === 'web_request',
  ).request;
  const fill = (template: string) =>
    template
      .replace('<BACKSTAGE_URL>', baseUrl)
      .replace('<BACKSTAGE_ACCESS_TOKEN>', TOKEN)
      .replace(/\{\{([a-z_.]+)\}\}/g, (_, name: string) => {
        if (!(name in ticket)) throw new Error(`no value for {{${name}}}`);
        return ticket[name];
      });
  const headers: Record<string, string> = {
    'Content-Type': node.content_type,
  };
  for (const h of node.headers) headers[h.key] = fill(h.value);
  return {
    method: node.method as string,
    url: fill(node.url),
    headers,
    body: fill(node.body),
  };
}

describe.each(databases.eachSupportedId())(
  'Freshservice round trip on %s',
  databaseId => {
    let fake: FakeFreshservice;
    let users: Awaited<ReturnType<typeof startTestBackend>>;
    let services: Awaited<ReturnType<typeof startTestBackend>>;
    const clock = { ms: Date.parse('2026-11-25T10:00:00Z') };
    const scheduler = new ManualScheduler();

    beforeAll(async () => {
      fake = await startFakeFreshservice({
        apiKey: API_KEY,
        tickets: [{ id: TICKET, subject: 'Read access to orders-db' }],
      });
      const knex = await databases.init(databaseId);
      const common = (extra: object) => [
        accessPlugin,
        accessModuleFreshservice,
        mockServices.database.factory({ knex }),
        catalogServiceMock.factory({ entities }),
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'https://backstage.example.com' },
            access: ACCESS,
            freshservice: {
              baseUrl: fake.url,
              apiKey: API_KEY,
              services: ['freshservice-workflow'],
            },
            ...extra,
          },
        }),
        createServiceFactory({
          service: accessClockServiceRef,
          deps: {},
          factory: () => ({ now: () => clock.ms }),
        }),
        createServiceFactory({
          service: notificationService,
          deps: {},
          factory: () => ({ send: async () => {} }),
        }),
        createServiceFactory({
          service: signalsServiceRef,
          deps: {},
          factory: () => ({ publish: async () => {} }),
        }),
        scheduler.factory(),
      ];
      // Two replicas on one database, as in production: people sign in to one (mock
      // user auth), Freshservice calls the other with its static token (Backstage's auth).
      users = await startTestBackend({ features: common({}) });
      services = await startTestBackend({
        features: [
          ...common({
            permission: { enabled: false },
            backend: {
              baseUrl: 'http://localhost:7007',
              auth: {
                externalAccess: [
                  {
                    type: 'static',
                    options: { token: TOKEN, subject: 'freshservice-workflow' },
                    accessRestrictions: [{ plugin: 'access' }],
                  },
                ],
              },
            },
          }),
          authServiceFactory,
          httpAuthServiceFactory,
          permissionsServiceFactory,
        ],
      });
    });
    afterAll(async () => {
      await services?.stop();
      await users?.stop();
      await fake?.close();
    });

    /**
     * Runs the delivery task until `check` passes: the replica that made a change starts
     * delivering at once, so an event may be in flight on the other one.
     */
    const deliver = async (check: () => void = () => {}) => {
      const until = Date.now() + 15_000;
      for (;;) {
        await scheduler.run('access-webhooks');
        try {
          check();
          return;
        } catch (e) {
          if (Date.now() > until) throw e;
          await new Promise(r => setTimeout(r, 50));
        }
      }
    };
    const notes = () =>
      fake.ticket(TICKET)!.conversations.map(c => c.body_text.split('\n')[0]);

    it('files the request from the workflow call, and writes every step back to the ticket', async () => {
      const call = workflowCall('', {
        'ticket.id': String(TICKET),
        'ticket.requester.email': 'alice@example.com',
        'ticket.cf_access_resource': 'resource:default/orders-db',
        'ticket.cf_access_permission': 'read',
        'ticket.cf_access_duration_seconds': '7200',
        'ticket.cf_access_reason': 'Read access to orders-db for INC-7',
      });
      expect(call.method).toBe('POST');
      expect(call.url).toBe('/api/access/requests');
      expect(call.headers).toEqual({
        'Content-Type': 'application/json',
        Authorization: `Bearer ${TOKEN}`,
        'Idempotency-Key': `freshservice-ticket-${TICKET}`,
      });
      const send = () =>
        request(services.server)
          .post(call.url)
          .set(call.headers)
          .send(call.body);
      const filed = await send();
      expect(filed.status).toBe(201);
      const [req] = filed.body.items;
      expect(req).toMatchObject({
        requester: 'user:default/alice',
        createdBy: 'service:freshservice-workflow',
        status: 'pending',
        durationSeconds: 7200,
        justification: `[Freshservice #${TICKET}] Read access to orders-db for INC-7`,
      });
      // Freshservice retries a web request that timed out: the same ticket files nothing new.
      const again = await send();
      expect(again.status).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body.items[0].id).toBe(req.id);

      await deliver(() => expect(notes()).toEqual(['Access request filed']));

      // Freshservice is busy for a moment: the 429 is waited out by its Retry-After.
      fake.rateLimit(1, 1);
      await request(users.server)
        .post(`/api/access/requests/${req.id}/approve`)
        .set('Authorization', mockCredentials.user.header('user:default/dana'))
        .send({ comment: 'ok for INC-7' })
        .expect(200);
      await deliver(() =>
        expect(notes()).toEqual([
          'Access request filed',
          'Access request approved',
          'Access granted',
        ]),
      );
      const conversations = fake.ticket(TICKET)!.conversations;
      expect(conversations[1].body).toContain('By user:default/dana');
      expect(conversations[1].body).toContain('Comment: ok for INC-7');
      expect(conversations[2].body).toContain('Until 2026-11-25T12:00:00.000Z');
      expect(conversations[2].body).toContain(
        `href="https://backstage.example.com/access/requests/${req.id}"`,
      );
      expect(conversations.every(c => c.private === false)).toBe(true);
      expect(fake.ticket(TICKET)!.status).toBe(2);

      // Two hours later access runs out.
      clock.ms += 2 * 3600_000 + 1000;
      await scheduler.run('access-expiry');
      await deliver(() =>
        expect(notes()).toEqual([
          'Access request filed',
          'Access request approved',
          'Access granted',
          'Access expired and was removed',
        ]),
      );
      expect(fake.ticket(TICKET)!.status).toBe(4);
      const calls = fake.calls().map(c => `${c.method} ${c.path} ${c.status}`);
      expect(calls).toContain(`PUT /api/v2/tickets/${TICKET} 200`);
      expect(calls.filter(c => c.endsWith(' 429'))).toHaveLength(1);
      expect(
        (
          await request(users.server)
            .get(`/api/access/requests/${req.id}`)
            .set(
              'Authorization',
              mockCredentials.user.header('user:default/alice'),
            )
        ).body.status,
      ).toBe('expired');
    });

    it('leaves tickets alone for requests filed by anyone else', async () => {
      const before = fake.calls().length;
      const res = await request(users.server)
        .post('/api/access/requests')
        .set('Authorization', mockCredentials.user.header('user:default/alice'))
        .send({
          resources: [
            { entityRef: 'resource:default/orders-db', permissions: ['read'] },
          ],
          justification: `[Freshservice #${TICKET}] not really`,
        });
      expect(res.status).toBe(201);
      await deliver();
      await new Promise(r => setTimeout(r, 200));
      await deliver();
      expect(fake.calls().length).toBe(before);
    });
  },
);
