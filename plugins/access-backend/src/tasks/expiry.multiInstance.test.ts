import { createBackendModule } from '@backstage/backend-plugin-api';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { TestDatabaseId } from '@backstage/backend-test-utils';
import { accessProvisionersExtensionPoint } from '@jit-access/plugin-access-node';
import {
  createTestDatabases,
  FLOWS,
  startAccessBackend,
} from '../__testUtils__/harness';

jest.setTimeout(90_000);

const databases = createTestDatabases();
// Two backends sharing one database is what production replicas do; that needs PostgreSQL.
const pgIds = databases
  .eachSupportedId()
  .filter(([id]) => id.startsWith('POSTGRES')) as [TestDatabaseId][];

/** Counts provisioner calls across both backends (they run in this one process). */
const calls = {
  grant: new Map<string, number>(),
  revoke: new Map<string, number>(),
};
const bump = (m: Map<string, number>, id: string) =>
  m.set(id, (m.get(id) ?? 0) + 1);

const recordingProvisioner = createBackendModule({
  pluginId: 'access',
  moduleId: 'recording-provisioner',
  register(env) {
    env.registerInit({
      deps: { provisioners: accessProvisionersExtensionPoint },
      async init({ provisioners }) {
        provisioners.addProvisionerType({
          type: 'recording',
          create: () => ({
            async grant(r) {
              bump(calls.grant, r.requestId);
              return {};
            },
            async revoke(r) {
              // Slow enough that overlapping runs would show up as double calls.
              await new Promise(resolve => setTimeout(resolve, 20));
              bump(calls.revoke, r.requestId);
            },
          }),
        });
      },
    });
  },
});

(pgIds.length
  ? describe.each(pgIds)
  : describe.skip.each([['POSTGRES_15' as TestDatabaseId]]))(
  'expiry with two backends on one %s',
  databaseId => {
    it('ends every grant once, within 15 s of expiresAt, on the real scheduler', async () => {
      const knex = await databases.init(databaseId);
      const access = {
        flows: [
          {
            ...FLOWS[0],
            provisioner: 'rec',
            duration: { default: '3s', max: '1h' },
          },
        ],
        provisioners: { rec: { type: 'recording' } },
        // No expiry frequency: the 15 s promise is about the default.
      };
      const start = () =>
        startAccessBackend({
          knex,
          access,
          scheduler: schedulerServiceFactory,
          realTime: true,
          extraFeatures: [recordingProvisioner],
        });
      const a = await start();
      const b = await start();
      try {
        const ids: string[] = [];
        for (let i = 0; i < 20; i++) {
          const h = i % 2 ? a : b;
          const res = await h.api.post(
            '/requests',
            {
              resources: [
                {
                  entityRef: 'resource:default/orders-db-staging',
                  permissions: ['read'],
                },
              ],
            },
            i % 3 ? 'alice' : 'bob',
          );
          expect(res.status).toBe(201);
          expect(res.body.items[0].status).toBe('granted');
          ids.push(res.body.items[0].id);
        }
        const deadline = Date.now() + 30_000;
        let ended: any[] = [];
        while (Date.now() < deadline) {
          ended = await knex('access_requests')
            .whereIn('id', ids)
            .where('status', 'expired');
          if (ended.length === ids.length) break;
          await new Promise(resolve => setTimeout(resolve, 500));
        }
        expect(ended).toHaveLength(ids.length);
        const lags = ended.map(r => Number(r.ended_at) - Number(r.expires_at));
        expect(Math.max(...lags)).toBeLessThan(15_000);
        expect(Math.min(...lags)).toBeGreaterThanOrEqual(0);
        // exactly one end per grant, in the table, the audit trail and the provisioner
        const audits = await knex('access_audit')
          .whereIn('request_id', ids)
          .where('action', 'access-expired');
        expect(audits).toHaveLength(ids.length);
        for (const id of ids) {
          expect(calls.grant.get(id)).toBe(1);
          expect(calls.revoke.get(id)).toBe(1);
        }
        // eslint-disable-next-line no-console
        console.log(
          `two-backend expiry: ${
            ids.length
          } grants ended, lag ms min ${Math.min(...lags)} max ${Math.max(
            ...lags,
          )}`,
        );
      } finally {
        await a.backend.stop();
        await b.backend.stop();
      }
    });
  },
);
