/*
 * One backend replica for the replicas test, run as its own process by
 * `node --require @backstage/cli/config/nodeTransform.cjs replica.ts` (the transpiler
 * `backstage-cli package start` uses). A real `createBackend()` from
 * @backstage/backend-defaults with the real access plugin, the real database service on the
 * shared PostgreSQL database, the real scheduler and HTTP server. Test-only replacements:
 * the catalog (in memory), auth (Backstage's mock tokens, so the parent can call as any
 * user), permissions, notifications and signals.
 *
 * Settings come as JSON in the environment (see ReplicaSettings); the process tells its
 * parent `{ type: 'ready' }` over IPC once it serves requests.
 */
import { createBackend } from '@backstage/backend-defaults';
import { createHash } from 'crypto';
import {
  BackstageCredentials,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import {
  accessAdminPermission,
  accessAuditReadPermission,
} from '@jit-access/plugin-access-common';
import accessPlugin from '../../index';
import { ADMIN, ENTITIES, FLOWS, REPLICA_ENV, ReplicaSettings } from './world';

const settings: ReplicaSettings = JSON.parse(process.env[REPLICA_ENV] ?? '');

const ADMIN_ONLY = [accessAdminPermission.name, accessAuditReadPermission.name];

/** Everyone may request; only ADMIN administers. */
const permissions = createServiceFactory({
  service: coreServices.permissions,
  deps: {},
  factory: () => ({
    async authorize(
      requests: any[],
      options: { credentials: BackstageCredentials },
    ) {
      const p = options.credentials.principal as { userEntityRef?: string };
      return requests.map(r => ({
        result:
          !ADMIN_ONLY.includes(r.permission.name) || p.userEntityRef === ADMIN
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
      })) as any;
    },
    async authorizeConditional(requests: any[]) {
      return requests.map(() => ({ result: AuthorizeResult.ALLOW })) as any;
    },
  }),
});

const backend = createBackend();
backend.add(
  mockServices.rootConfig.factory({
    data: {
      app: { baseUrl: 'http://localhost:3000' },
      backend: {
        baseUrl: `http://127.0.0.1:${settings.port}`,
        listen: { host: '127.0.0.1', port: settings.port },
        database: {
          client: 'pg',
          connection: settings.pgConnection,
          prefix: settings.pgPrefix,
        },
      },
      access: {
        flows: FLOWS,
        provisioners: {
          rec: {
            type: 'webhook',
            url: settings.receiverUrl,
            secret: settings.webhookSecret,
            timeout: '3s',
            retries: 3,
            // Which replica called: the test tells crash-orphaned grants from others.
            headers: { 'X-Replica': settings.name },
          },
        },
        expiry: { frequency: settings.expiryFrequency },
        // The load drives six requesters far past the 30 submissions a minute a user may
        // make; the throttle has its own tests, here it would only thin out the races and
        // refuse the probes that check every replica still serves.
        limits: { submissionsPerMinute: false },
        encryption: { key: settings.encryptionKey },
        // Replicas run as production: the audit key is required too, the same on each.
        audit: {
          key: createHash('sha256')
            .update(`audit ${settings.encryptionKey}`)
            .digest('base64'),
        },
      },
    },
  }),
);
backend.add(mockServices.auth.factory());
backend.add(mockServices.httpAuth.factory());
backend.add(mockServices.userInfo.factory());
backend.add(permissions);
backend.add(catalogServiceMock.factory({ entities: ENTITIES }));
backend.add(
  createServiceFactory({
    service: notificationService,
    deps: {},
    factory: () => ({ send: async () => {} }),
  }),
);
backend.add(
  createServiceFactory({
    service: signalsServiceRef,
    deps: {},
    factory: () => ({ publish: async () => {} }),
  }),
);
backend.add(accessPlugin);

// Never outlive the test that started this process.
process.on('disconnect', () => process.exit(0));

backend.start().then(
  () => process.send?.({ type: 'ready', name: settings.name }),
  e => {
    // eslint-disable-next-line no-console
    console.error(`replica ${settings.name} failed to start`, e);
    process.exit(1);
  },
);
