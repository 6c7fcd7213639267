import { createBackendModule } from '@backstage/backend-plugin-api';
import { accessProvisionersExtensionPoint } from '@jit-access/plugin-access-node';
import {
  ALICE,
  createTestDatabases,
  FLOWS,
  STAGING,
  startAccessBackend,
} from '../__testUtils__/harness';
import {
  EXPIRY_TASK_ID,
  PENDING_TIMEOUT_TASK_ID,
} from '../tasks/scheduleTasks';

jest.setTimeout(60_000);

const databases = createTestDatabases();

/** A provisioner whose behaviour each test sets. */
const behaviour = {
  grant: async (): Promise<void> => {},
  revoke: async (): Promise<void> => {},
  revokes: 0,
  extend: async (_expiresAt: string): Promise<void> => {},
};

const flakyProvisioner = createBackendModule({
  pluginId: 'access',
  moduleId: 'flaky-provisioner',
  register(env) {
    env.registerInit({
      deps: { provisioners: accessProvisionersExtensionPoint },
      async init({ provisioners }) {
        provisioners.addProvisionerType({
          type: 'flaky',
          create: () => ({
            async grant() {
              await behaviour.grant();
              return {};
            },
            async revoke() {
              behaviour.revokes++;
              await behaviour.revoke();
            },
            async extend(r) {
              await behaviour.extend(r.expiresAt);
            },
          }),
        });
      },
    });
  },
});

describe.each(databases.eachSupportedId())(
  'provisioner failures on %s',
  databaseId => {
    let h: Awaited<ReturnType<typeof startAccessBackend>>;
    const body = {
      resources: [{ entityRef: STAGING, permissions: ['read'] }],
      durationSeconds: 600,
    };

    beforeEach(async () => {
      behaviour.grant = async () => {};
      behaviour.revoke = async () => {};
      behaviour.revokes = 0;
      behaviour.extend = async () => {};
      h = await startAccessBackend({
        knex: await databases.init(databaseId),
        access: {
          flows: [{ ...FLOWS[0], provisioner: 'target' }],
          provisioners: { target: { type: 'flaky' } },
        },
        extraFeatures: [flakyProvisioner],
      });
    });
    afterEach(async () => {
      await h.backend.stop();
    });

    it('marks a request failed with the reason when the grant fails, and undoes any partial grant', async () => {
      behaviour.grant = async () => {
        throw new Error('connection refused');
      };
      const res = await h.api.post('/requests', body);
      expect(res.status).toBe(201);
      expect(res.body.items[0]).toMatchObject({
        status: 'failed',
        endReason: 'Provisioner "target" failed: connection refused',
      });
      expect(
        h.sent.notifications.some(n => n.recipients.entityRef === ALICE),
      ).toBe(true);
      // revoke is idempotent: it undoes whatever the failed grant did
      expect(behaviour.revokes).toBe(1);
      const audit = (
        await h.api.get(`/audit?requestId=${res.body.items[0].id}`, 'pat')
      ).body.items.map((e: any) => e.action);
      expect(audit.reverse()).toEqual([
        'request-submitted',
        'grant-failed',
        'grant-cleanup-done',
      ]);
    });

    it('keeps undoing a failed grant until the provisioner confirms', async () => {
      behaviour.grant = async () => {
        throw new Error('timeout after the role was created');
      };
      behaviour.revoke = async () => {
        throw new Error('target unreachable');
      };
      const r = (await h.api.post('/requests', body)).body.items[0];
      expect(r.status).toBe('failed');
      expect(behaviour.revokes).toBe(1);
      await h.scheduler.run(EXPIRY_TASK_ID);
      expect(behaviour.revokes).toBe(1); // within the backoff
      behaviour.revoke = async () => {};
      h.clock.advance(6);
      await h.scheduler.run(EXPIRY_TASK_ID);
      expect(behaviour.revokes).toBe(2);
      await h.scheduler.run(EXPIRY_TASK_ID);
      expect(behaviour.revokes).toBe(2); // done: never again
      const audit = (
        await h.api.get(`/audit?requestId=${r.id}`, 'pat')
      ).body.items
        .map((e: any) => e.action)
        .reverse();
      expect(audit).toEqual([
        'request-submitted',
        'grant-failed',
        'grant-cleanup-failed',
        'grant-cleanup-done',
      ]);
    });

    it('keeps access active and shows the error until the revocation succeeds, then retries with backoff', async () => {
      const [r] = (await h.api.post('/requests', body)).body.items;
      behaviour.revoke = async () => {
        throw new Error('target unreachable');
      };
      h.clock.advance(601);
      await h.scheduler.run(EXPIRY_TASK_ID);
      let cur = (await h.api.get(`/requests/${r.id}`)).body;
      expect(cur).toMatchObject({
        status: 'granted',
        lastError: 'target unreachable',
      });
      expect(cur.ending).toMatchObject({ as: 'expired', by: 'system' });
      expect(cur.endReason).toBeUndefined();
      // within the backoff nothing is retried
      await h.scheduler.run(EXPIRY_TASK_ID);
      expect(behaviour.revokes).toBe(1);
      // after it, the retry succeeds and the grant ends as expired
      behaviour.revoke = async () => {};
      h.clock.advance(6);
      await h.scheduler.run(EXPIRY_TASK_ID);
      cur = (await h.api.get(`/requests/${r.id}`)).body;
      expect(cur).toMatchObject({
        status: 'expired',
        endReason: 'Access expired',
      });
      expect(cur.lastError).toBeUndefined();
      expect(behaviour.revokes).toBe(2);
      const audit = (await h.api.get(`/audit?requestId=${r.id}`, 'pat')).body
        .items;
      expect(audit.map((e: any) => e.action).reverse()).toEqual([
        'request-submitted',
        'access-granted',
        'revoke-failed',
        'access-expired',
      ]);
      expect(
        audit.find((e: any) => e.action === 'revoke-failed').severity,
      ).toBe('high');
    });

    it('answers a revoke whose provisioner fails with the access still active and the revocation pending', async () => {
      const [r] = (await h.api.post('/requests', body)).body.items;
      behaviour.revoke = async () => {
        throw new Error('timeout');
      };
      const res = await h.api.post(`/requests/${r.id}/revoke`, {});
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'granted',
        lastError: 'timeout',
      });
      // the revocation is not lost: the expiry task finishes it once the target is back
      behaviour.revoke = async () => {};
      h.clock.advance(10);
      await h.scheduler.run(EXPIRY_TASK_ID);
      expect((await h.api.get(`/requests/${r.id}`)).body).toMatchObject({
        status: 'revoked',
        endReason: 'Revoked by the holder',
      });
    });

    it('finishes a grant the backend left in granting when it died', async () => {
      let release: () => void = () => {};
      behaviour.grant = () => new Promise<void>(resolve => (release = resolve));
      // The submission hangs in the provisioner, as if the process had died there.
      const pending = h.api.post('/requests', body).then(res => res);
      await new Promise(resolve => setTimeout(resolve, 300));
      const [row] = (await h.api.get('/requests?view=mine')).body.items;
      expect(row.status).toBe('granting');
      behaviour.grant = async () => {};
      h.clock.advance(6 * 60);
      await h.scheduler.run(PENDING_TIMEOUT_TASK_ID);
      expect((await h.api.get(`/requests/${row.id}`)).body.status).toBe(
        'granted',
      );
      release();
      await pending;
      const audit = (await h.api.get(`/audit?requestId=${row.id}`, 'pat')).body
        .items;
      expect(
        audit.filter((e: any) => e.action === 'access-granted'),
      ).toHaveLength(1);
    });

    it('tells the provisioner about an extension, and retries it with backoff until the target confirms', async () => {
      const [r] = (await h.api.post('/requests', body)).body.items;
      const told: string[] = [];
      behaviour.extend = async expiresAt => void told.push(expiresAt);
      const ext = await h.api.post(`/requests/${r.id}/extend`, {
        durationSeconds: 600,
        justification: '',
      });
      expect(told).toEqual([ext.body.expiresAt]);
      behaviour.extend = async () => {
        throw new Error('target down');
      };
      await h.api.post(`/requests/${r.id}/extend`, {
        durationSeconds: 600,
        justification: '',
      });
      const audit = (await h.api.get(`/audit?requestId=${r.id}`, 'pat')).body
        .items;
      expect(audit[0]).toMatchObject({
        action: 'provisioner-extend-failed',
        severity: 'high',
        details: { error: 'target down', attempts: 1, retryInMs: 5000 },
      });
      const extended = (await h.api.get(`/requests/${r.id}`)).body;
      expect(extended).toMatchObject({ status: 'granted', extensionsUsed: 2 });

      // Retried by the expiry task once its backoff has passed, until the target confirms.
      await h.scheduler.run(EXPIRY_TASK_ID);
      expect(told).toHaveLength(1);
      behaviour.extend = async expiresAt => void told.push(expiresAt);
      h.clock.advance(5);
      await h.scheduler.run(EXPIRY_TASK_ID);
      expect(told).toEqual([ext.body.expiresAt, extended.expiresAt]);
      h.clock.advance(600);
      await h.scheduler.run(EXPIRY_TASK_ID);
      expect(told).toHaveLength(2);
    });
  },
);
