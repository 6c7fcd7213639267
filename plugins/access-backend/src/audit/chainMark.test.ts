import {
  coreServices,
  createServiceFactory,
  LoggerService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { createHmac, randomBytes } from 'crypto';
import { Knex } from 'knex';
import {
  BUNDLES,
  createTestDatabases,
  FLOWS,
  startAccessBackend,
} from '../__testUtils__/harness';
import { AUDIT_SEAL_TASK_ID } from '../tasks/scheduleTasks';

jest.setTimeout(90_000);

const databases = createTestDatabases();
const KEYS = {
  encryption: { key: randomBytes(32).toString('base64') },
  audit: { key: randomBytes(32).toString('base64') },
};
const STAGING = {
  resources: [
    { entityRef: 'resource:default/orders-db-staging', permissions: ['read'] },
  ],
};
const MARK = { key: 'audit-chain-mark' };

describe.each(databases.eachSupportedId())(
  'the stored audit head across restarts on %s',
  databaseId => {
    const audited: any[] = [];
    const lines: { level: string; message: string }[] = [];
    const logger: LoggerService = {
      error: message => void lines.push({ level: 'error', message }),
      warn: message => void lines.push({ level: 'warn', message }),
      info: message => void lines.push({ level: 'info', message }),
      debug: () => {},
      child: () => logger,
    };
    const extraFeatures = [
      createServiceFactory({
        service: coreServices.auditor,
        deps: {},
        factory: () => ({
          async createEvent(options: any) {
            audited.push(options);
            return { success: async () => {}, fail: async () => {} };
          },
        }),
      }),
      createServiceFactory({
        service: coreServices.logger,
        deps: {},
        factory: () => logger,
      }),
    ];
    let knex: Knex;
    const start = (audit: Record<string, unknown> = {}) =>
      startAccessBackend({
        knex,
        access: {
          flows: FLOWS,
          bundles: BUNDLES,
          encryption: KEYS.encryption,
          audit: { ...KEYS.audit, ...audit },
        },
        extraFeatures,
      });
    const verify = async (h: { api: any }) =>
      (await h.api.get('/audit/verify', 'pat').expect(200)).body;
    const unsealed = async () =>
      (await knex('access_audit').whereNull('seq')).length;

    /** 12 sealed entries, then every replica stops (a deploy). */
    async function sealedTwelve() {
      knex = await databases.init(databaseId);
      audited.length = 0;
      lines.length = 0;
      const h = await start();
      for (let i = 0; i < 3; i++) {
        const [r] = (await h.api.post('/requests', STAGING)).body.items;
        await h.api.post(`/requests/${r.id}/revoke`, {}).expect(200);
      }
      expect(await verify(h)).toMatchObject({ ok: true, checked: 12 });
      await h.backend.stop();
      return (await knex('access_audit').where({ seq: 4 }).first()) as any;
    }

    /** The critical auditor event every tampering report raises. */
    const raisedCritical = () =>
      expect(audited).toContainEqual(
        expect.objectContaining({
          eventId: 'audit-chain-tampered',
          severityLevel: 'critical',
        }),
      );

    const tampered = (seq: number) => ({
      ok: false,
      problem: expect.objectContaining({ seq }),
    });

    /** Verify reports the missing mark from `seq` on, and nothing more got sealed. */
    async function reportedMissingMark(h: any, seq: number, pending: number) {
      expect(await unsealed()).toBe(pending);
      const result = await verify(h);
      expect(result).toMatchObject(tampered(seq));
      expect(result.problem.reason).toMatch(/audit-chain-mark.*missing/);
      expect(await unsealed()).toBe(pending);
      raisedCritical();
    }

    it('does not re-seal after the mark is deleted and the tail unsealed, even on a fresh start', async () => {
      await sealedTwelve();
      await knex('access_audit')
        .where({ seq: 5 })
        .update({ actor: 'user:default/mallory' });
      await knex('access_audit')
        .where('seq', '>=', 5)
        .update({ seq: null, prev_hash: null, hash: null });
      await knex('access_settings').where(MARK).delete();

      const h = await start();
      try {
        await h.scheduler.run(AUDIT_SEAL_TASK_ID);
        await reportedMissingMark(h, 5, 8);
        expect(lines).toContainEqual({
          level: 'error',
          message: expect.stringContaining('THE AUDIT TRAIL WAS TAMPERED WITH'),
        });
      } finally {
        await h.backend.stop();
      }
    });

    it('reports a deleted tail with a deleted mark', async () => {
      await sealedTwelve();
      await knex('access_audit').where('seq', '>=', 5).delete();
      await knex('access_settings').where(MARK).delete();
      const h = await start();
      try {
        expect(await verify(h)).toMatchObject({
          ...tampered(5),
          checked: 4,
        });
      } finally {
        await h.backend.stop();
      }
    });

    it('does not take a mark written without the audit key', async () => {
      const fourth = await sealedTwelve();
      await knex('access_audit')
        .where('seq', '>=', 5)
        .update({ seq: null, prev_hash: null, hash: null });
      // The mark the previous version stored: a plain head, which anyone can write.
      await knex('access_settings')
        .where(MARK)
        .update({ value: JSON.stringify({ seq: 4, hash: fourth.hash }) });
      const h = await start();
      try {
        await h.scheduler.run(AUDIT_SEAL_TASK_ID);
        expect(await unsealed()).toBe(8);
        const result = await verify(h);
        expect(result).toMatchObject(tampered(5));
        expect(result.problem.reason).toMatch(
          /audit-chain-mark.*does not verify/,
        );
      } finally {
        await h.backend.stop();
      }
    });

    /** A new request is sealed on, and the chain verifies. */
    async function sealsOn(h: any, checked: number) {
      await h.api.post('/requests', STAGING).expect(201);
      await h.scheduler.run(AUDIT_SEAL_TASK_ID);
      expect(await unsealed()).toBe(0);
      expect(await verify(h)).toMatchObject({ ok: true, checked });
    }

    it('resumes from a head the operator names in access.audit.acceptHead, and says so at every start', async () => {
      const fourth = await sealedTwelve();
      await knex('access_audit').where('seq', '>=', 5).delete();
      await knex('access_settings').where(MARK).delete();

      // A head that is not the chain's: still tampering.
      let h = await start({ acceptHead: `3:${fourth.hash}` });
      await h.scheduler.run(AUDIT_SEAL_TASK_ID);
      expect(await verify(h)).toMatchObject(tampered(5));
      await h.backend.stop();

      lines.length = 0;
      h = await start({ acceptHead: `4:${fourth.hash}` });
      try {
        expect(lines).toContainEqual({
          level: 'error',
          message: expect.stringMatching(
            /access\.audit\.acceptHead is set \(4:[0-9a-f]{64}\).*remove it/,
          ),
        });
        await sealsOn(h, 6);
        await h.backend.stop();

        // Removed again: the new mark (sealed with the audit key) carries on.
        h = await start();
        await h.api.post('/requests', STAGING).expect(201);
        expect(await verify(h)).toMatchObject({ ok: true, checked: 8 });
      } finally {
        await h.backend.stop();
      }
    });

    const LEGACY = { key: 'audit-chain-legacy' };
    /** After a restart, the stored heads are gone and the sealer ran. */
    async function restartedWithoutMarks() {
      await knex('access_settings').where(MARK).orWhere(LEGACY).delete();
      const h = await start();
      await h.scheduler.run(AUDIT_SEAL_TASK_ID);
      return h;
    }

    it('does not take a database whose whole chain was unsealed for a fresh install', async () => {
      await sealedTwelve();
      await knex('access_audit')
        .where({ seq: 5 })
        .update({ actor: 'user:default/mallory' });
      await knex('access_audit').update({
        seq: null,
        prev_hash: null,
        hash: null,
        key_id: null,
      });
      const h = await restartedWithoutMarks();
      try {
        await reportedMissingMark(h, 1, 12);
        expect(await knex('access_audit').whereNotNull('seq')).toEqual([]);
      } finally {
        await h.backend.stop();
      }
    });

    it('does not take a database whose audit entries were all deleted for a fresh install', async () => {
      await sealedTwelve();
      await knex('access_audit').delete();
      const h = await restartedWithoutMarks();
      try {
        await h.api.post('/requests', STAGING).expect(201);
        await h.scheduler.run(AUDIT_SEAL_TASK_ID);
        expect(await unsealed()).toBe(2);
        expect(await verify(h)).toMatchObject(tampered(1));
      } finally {
        await h.backend.stop();
      }
    });

    it("starts a new chain from nothing only when access.audit.acceptHead is '0:'", async () => {
      await sealedTwelve();
      await knex('access_audit').delete();
      await knex('access_settings').where(MARK).delete();
      let h = await start({ acceptHead: '0:' });
      try {
        await sealsOn(h, 2);
        await h.backend.stop();
        h = await start();
        expect(await verify(h)).toMatchObject({ ok: true, checked: 2 });
      } finally {
        await h.backend.stop();
      }
    });

    it('starts a fresh install with a stored head, also with two replicas at once', async () => {
      knex = await databases.init(databaseId);
      // Migrated already (concurrent migrations are not what this is about).
      await knex.migrate.latest({
        directory: resolvePackagePath(
          '@jit-access/plugin-access-backend',
          'migrations',
        ),
      });
      const [a, b] = await Promise.all([start(), start()]);
      try {
        expect(await knex('access_settings').where(MARK)).toHaveLength(1);
        await a.api.post('/requests', STAGING).expect(201);
        await b.api.post('/requests', STAGING).expect(201);
        await a.scheduler.run(AUDIT_SEAL_TASK_ID);
        expect(await verify(b)).toMatchObject({ ok: true, checked: 4 });
      } finally {
        await Promise.all([a.backend.stop(), b.backend.stop()]);
      }
    });

    it('signs the key id into the stored head, and re-signs a head stored without it', async () => {
      await sealedTwelve();
      const mac = (value: unknown[]) =>
        createHmac('sha256', Buffer.from(KEYS.audit.key, 'base64'))
          .update(JSON.stringify(value))
          .digest('hex');
      const stored = async () =>
        JSON.parse((await knex('access_settings').where(MARK).first()).value);
      const { seq, hash, keyId } = await stored();
      expect((await stored()).mac).toBe(
        mac(['audit-chain-mark', keyId, seq, hash]),
      );
      // The form the previous version wrote: still taken, and signed again.
      const old = {
        seq,
        hash,
        keyId,
        mac: mac(['audit-chain-mark', seq, hash]),
      };
      await knex('access_settings')
        .where(MARK)
        .update({ value: JSON.stringify(old) });
      const h = await start();
      try {
        await h.scheduler.run(AUDIT_SEAL_TASK_ID);
        expect(await verify(h)).toMatchObject({ ok: true, checked: 12 });
        expect(await stored()).toEqual({
          ...old,
          mac: mac(['audit-chain-mark', keyId, seq, hash]),
        });
      } finally {
        await h.backend.stop();
      }
    });

    it('refuses an acceptHead that is not <seq>:<hash>, naming the key', async () => {
      knex = await databases.init(databaseId);
      await expect(start({ acceptHead: 'latest' })).rejects.toThrow(
        /access\.audit\.acceptHead: /,
      );
    });
  },
);
