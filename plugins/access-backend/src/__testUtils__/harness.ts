import {
  coreServices,
  createServiceFactory,
  ServiceFactory,
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
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import {
  accessAdminPermission,
  accessAuditReadPermission,
} from '@jit-access/plugin-access-common';
import { Knex } from 'knex';
import { Server } from 'http';
import request from 'supertest';
import accessPlugin from '../index';
import { accessClockServiceRef } from '../clock';

/** The engines every database test runs on. PostgreSQL runs when its connection string is set. */
export const DATABASE_IDS = ['POSTGRES_15', 'SQLITE_3'] as const;

let warnedNoPostgres = false;

/**
 * The test databases. Without PostgreSQL its runs would silently drop out: under CI that is
 * an error (as scripts/test.sh treats it), elsewhere a warning.
 */
export function createTestDatabases() {
  const databases = TestDatabases.create({ ids: [...DATABASE_IDS] });
  if (!databases.supports('POSTGRES_15')) {
    const missing =
      'BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING is not set (scripts/test.sh sets it when 127.0.0.1:5432 answers)';
    if (process.env.CI === 'true') {
      throw new Error(`CI needs PostgreSQL for the database tests: ${missing}`);
    }
    if (!warnedNoPostgres) {
      warnedNoPostgres = true;
      // eslint-disable-next-line no-console
      console.warn(
        `WARNING: ${missing}. The PostgreSQL runs of these database tests are SKIPPED; only SQLite runs.`,
      );
    }
  }
  return databases;
}

function user(
  name: string,
  groups: string[],
  email = `${name}@example.com`,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default' },
    spec: {
      profile: { email, displayName: name[0].toUpperCase() + name.slice(1) },
      memberOf: groups,
    },
    relations: groups.map(g => ({
      type: 'memberOf',
      targetRef: `group:default/${g}`,
    })),
  };
}

function group(name: string, members: string[]): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace: 'default' },
    spec: { type: 'team', children: [] },
    relations: members.map(m => ({
      type: 'hasMember',
      targetRef: `user:default/${m}`,
    })),
  };
}

/** A Resource entity; its title is the upper-cased name unless given. */
export function resource(
  name: string,
  type: string,
  env: string,
  owner: string,
  title = name.toUpperCase(),
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      namespace: 'default',
      title,
      labels: { env },
    },
    spec: { type, owner: `group:default/${owner}` },
    relations: [{ type: 'ownedBy', targetRef: `group:default/${owner}` }],
  };
}

/** A small organisation: developers, DBAs, SREs, admins, and the things they ask access to. */
export const ENTITIES: Entity[] = [
  user('alice', ['engineering']),
  user('bob', ['engineering']),
  user('dana', ['dba']),
  user('erin', ['dba']),
  user('sam', ['sre']),
  user('pat', ['platform-admins']),
  user('olivia', ['payments']),
  group('engineering', ['alice', 'bob']),
  group('dba', ['dana', 'erin']),
  group('sre', ['sam']),
  group('payments', ['olivia']),
  group('platform-admins', ['pat']),
  resource('orders-db', 'database', 'prod', 'payments'),
  resource('orders-db-staging', 'database', 'staging', 'payments'),
  resource('analytics-db', 'database', 'prod', 'dba'),
  resource('prod-eks', 'kubernetes-cluster', 'prod', 'sre'),
  resource('aws-sandbox', 'cloud-account', 'dev', 'engineering'),
];

/** Entity refs of ENTITIES' resources. */
export const ORDERS = 'resource:default/orders-db';
export const STAGING = 'resource:default/orders-db-staging';
export const ANALYTICS = 'resource:default/analytics-db';
export const EKS = 'resource:default/prod-eks';
export const SANDBOX = 'resource:default/aws-sandbox';

/** Entity refs of ENTITIES' users. */
export const ALICE = 'user:default/alice';
export const BOB = 'user:default/bob';
export const DANA = 'user:default/dana';
export const ERIN = 'user:default/erin';
export const OLIVIA = 'user:default/olivia';

/** The catalog filter of production databases (orders-db and analytics-db). */
export const PROD_DATABASES = {
  kind: 'Resource',
  'spec.type': 'database',
  'metadata.labels.env': 'prod',
};

/** Flows in precedence order; tests rely on this order. */
export const FLOWS = [
  {
    id: 'staging-db',
    title: 'Staging databases',
    requesters: ['group:default/engineering'],
    resources: {
      filter: {
        kind: 'Resource',
        'spec.type': 'database',
        'metadata.labels.env': 'staging',
      },
      permissions: ['read', 'write'],
    },
    approval: { type: 'automatic' },
    duration: { default: '1h', max: '4h', extensions: 2 },
    justification: 'optional',
  },
  {
    id: 'prod-db',
    title: 'Production databases',
    requesters: ['group:default/engineering'],
    resources: {
      filter: { ...PROD_DATABASES },
      permissions: ['read', 'write'],
    },
    approval: {
      type: 'manual',
      approvers: ['owner', 'group:default/dba'],
      required: 1,
    },
    duration: { default: '1h', max: '8h', extensions: 1 },
    justification: 'required',
  },
  {
    id: 'prod-db-admin',
    title: 'Production database admin',
    requesters: ['group:default/engineering'],
    resources: {
      filter: { ...PROD_DATABASES },
      permissions: ['admin'],
    },
    approval: { type: 'manual', approvers: ['group:default/dba'], required: 2 },
    duration: { default: 'PT30M', max: { hours: 2 } },
    justification: 'required',
  },
  {
    id: 'cluster-breakglass',
    title: 'Cluster break-glass',
    requesters: ['group:default/sre'],
    resources: {
      filter: { kind: 'Resource', 'spec.type': 'kubernetes-cluster' },
      permissions: ['cluster-admin'],
    },
    approval: {
      type: 'breakglass',
      approvers: ['group:default/platform-admins'],
    },
    duration: { default: '1h', max: '2h' },
    justification: 'required',
  },
  {
    id: 'any-resource',
    title: 'Any resource, owner approves',
    requesters: ['*'],
    resources: {
      filter: [{ kind: 'Resource' }],
      permissions: ['read', 'write'],
    },
    approval: { type: 'manual', approvers: ['owner'] },
    duration: { default: '1h', max: '1d' },
    justification: 'required',
  },
];

export const BUNDLES = [
  {
    id: 'incident-kit',
    title: 'Incident kit',
    resources: [
      { entityRef: 'resource:default/orders-db', permissions: ['read'] },
      { entityRef: 'resource:default/prod-eks', permissions: ['read'] },
    ],
  },
];

/**
 * Tests submit far more often than a person would: the per-user limits are off unless a
 * test's `access.limits` says otherwise (service/submissionLimits.test.ts tests them).
 */
const NO_USER_LIMITS = {
  submissionsPerMinute: false,
  openPendingPerUser: false,
};

/** A clock the test moves by hand. */
export class TestClock {
  constructor(public ms = Date.parse('2026-11-25T10:00:00Z')) {}
  now = () => this.ms;
  advance(seconds: number) {
    this.ms += seconds * 1000;
  }
}

/** Recorded notifications and signals. */
export interface Sent {
  notifications: any[];
  signals: any[];
}

/** Admins are members of platform-admins, as in the example permission policy. */
const ADMINS = ['user:default/pat'];

export function permissionsFactory() {
  return mockServices.permissions.mock({
    authorize: async (requests: any[], options: any) => {
      const p = options.credentials.principal;
      return requests.map(r => {
        const adminOnly = [
          accessAdminPermission.name,
          accessAuditReadPermission.name,
        ].includes(r.permission.name);
        if (!adminOnly) return { result: AuthorizeResult.ALLOW };
        return {
          result:
            p.type === 'user' && ADMINS.includes(p.userEntityRef)
              ? AuthorizeResult.ALLOW
              : AuthorizeResult.DENY,
        };
      });
    },
  }).factory;
}

/**
 * A scheduler that records the plugin's tasks and runs them only when the test says so,
 * so a test decides exactly when expiry happens.
 */
export class ManualScheduler {
  readonly tasks = new Map<string, () => Promise<void>>();

  factory() {
    const record = (task: any) => {
      this.tasks.set(task.id, async () =>
        task.fn(new AbortController().signal),
      );
    };
    const run = (id: string) => this.run(id);
    const ids = () => [...this.tasks.keys()];
    return createServiceFactory({
      service: coreServices.scheduler,
      deps: {},
      factory: () =>
        ({
          async scheduleTask(task: any) {
            record(task);
          },
          createScheduledTaskRunner() {
            return { run: async (task: any) => record(task) };
          },
          async triggerTask(id: string) {
            await run(id);
          },
          async getScheduledTasks() {
            return ids().map(id => ({
              id,
              scope: 'global' as const,
              settings: { version: 2 },
            }));
          },
        } as any),
    });
  }

  async run(id: string) {
    const fn = this.tasks.get(id);
    if (!fn) throw new Error(`task ${id} was not scheduled`);
    await fn();
  }
}

export interface HarnessOptions {
  knex: Knex;
  access?: Record<string, unknown>;
  clock?: TestClock;
  /** Use wall-clock time (with the real scheduler). */
  realTime?: boolean;
  extraFeatures?: any[];
  extraConfig?: Record<string, unknown>;
  /** Replace the default (mock) auth / httpAuth / permissions. */
  services?: ServiceFactory[];
  scheduler?: ServiceFactory;
  /** Replace the in-memory catalog. */
  catalog?: ServiceFactory;
  /** The in-memory catalog's entities (default ENTITIES). */
  entities?: Entity[];
}

/** Starts the access plugin in a test backend on the given database. */
export interface AccessTestBackend {
  backend: { stop(): Promise<void> };
  server: Server;
  api: {
    get(path: string, who?: string): request.Test;
    post(path: string, body: unknown, who?: string): request.Test;
    put(path: string, who?: string): request.Test;
    delete(path: string, who?: string): request.Test;
  };
  clock: TestClock;
  sent: Sent;
  scheduler: ManualScheduler;
}

export async function startAccessBackend(
  options: HarnessOptions,
): Promise<AccessTestBackend> {
  const clock = options.clock ?? new TestClock();
  const scheduler = new ManualScheduler();
  const sent: Sent = { notifications: [], signals: [] };
  const features: any[] = [
    accessPlugin,
    mockServices.database.factory({ knex: options.knex }),
    options.catalog ??
      catalogServiceMock.factory({ entities: options.entities ?? ENTITIES }),
    mockServices.rootConfig.factory({
      data: {
        app: { baseUrl: 'http://localhost:3000' },
        access: {
          limits: NO_USER_LIMITS,
          ...(options.access ?? { flows: FLOWS, bundles: BUNDLES }),
        } as any,
        ...options.extraConfig,
      },
    }),
    createServiceFactory({
      service: accessClockServiceRef,
      deps: {},
      factory: () => ({ now: options.realTime ? () => Date.now() : clock.now }),
    }),
    createServiceFactory({
      service: notificationService,
      deps: {},
      factory: () => ({
        send: async (n: any) => void sent.notifications.push(n),
      }),
    }),
    createServiceFactory({
      service: signalsServiceRef,
      deps: {},
      factory: () => ({ publish: async (s: any) => void sent.signals.push(s) }),
    }),
    ...(options.services ?? [permissionsFactory()]),
    options.scheduler ?? scheduler.factory(),
    ...(options.extraFeatures ?? []),
  ];
  const backend = await startTestBackend({ features });
  const server = backend.server;
  const as = (ref: string) =>
    mockCredentials.user.header(`user:default/${ref}`);
  const api = {
    get: (path: string, who = 'alice') =>
      request(server).get(`/api/access${path}`).set('Authorization', as(who)),
    post: (path: string, body: unknown, who = 'alice') =>
      request(server)
        .post(`/api/access${path}`)
        .set('Authorization', as(who))
        .send(body as object),
    put: (path: string, who = 'alice') =>
      request(server).put(`/api/access${path}`).set('Authorization', as(who)),
    delete: (path: string, who = 'alice') =>
      request(server)
        .delete(`/api/access${path}`)
        .set('Authorization', as(who)),
  };
  return { backend, server, api, clock, sent, scheduler };
}
