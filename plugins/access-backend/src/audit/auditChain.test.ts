import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  BUNDLES,
  createTestDatabases,
  FLOWS,
  startAccessBackend,
} from '../__testUtils__/harness';
import { AUDIT_SEAL_TASK_ID } from '../tasks/scheduleTasks';

jest.setTimeout(60_000);

const databases = createTestDatabases();

const STAGING = {
  resources: [
    { entityRef: 'resource:default/orders-db-staging', permissions: ['read'] },
  ],
};

describe.each(databases.eachSupportedId())(
  'the tamper-evident audit trail on %s',
  databaseId => {
    /** Auditor events the plugin raised. */
    const audited: any[] = [];
    const auditor = createServiceFactory({
      service: coreServices.auditor,
      deps: {},
      factory: () => ({
        async createEvent(options: any) {
          audited.push(options);
          return { success: async () => {}, fail: async () => {} };
        },
      }),
    });

    async function setUp() {
      const knex = await databases.init(databaseId);
      audited.length = 0;
      const h = await startAccessBackend({ knex, extraFeatures: [auditor] });
      for (let i = 0; i < 3; i++) {
        const [r] = (await h.api.post('/requests', STAGING)).body.items;
        await h.api.post(`/requests/${r.id}/revoke`, {}).expect(200);
      }
      const verify = () => h.api.get('/audit/verify', 'pat');
      return { knex, h, verify };
    }

    it('seals every entry and verifies the whole chain', async () => {
      const { knex, h, verify } = await setUp();
      try {
        const entries = Number(
          (await knex('access_audit').count({ n: '*' }))[0].n,
        );
        expect(entries).toBe(12);
        const res = await verify().expect(200);
        expect(res.body).toMatchObject({
          ok: true,
          checked: 12,
          pending: 0,
          head: { seq: 12 },
        });
        expect(res.body.head.hash).toMatch(/^[0-9a-f]{64}$/);

        // New entries join the chain when the scheduled task seals them.
        await h.api.post('/requests', STAGING).expect(201);
        expect(await knex('access_audit').whereNull('seq')).toHaveLength(2);
        await h.scheduler.run(AUDIT_SEAL_TASK_ID);
        expect(await knex('access_audit').whereNull('seq')).toHaveLength(0);
        expect((await verify()).body).toMatchObject({ ok: true, checked: 14 });
      } finally {
        await h.backend.stop();
      }
    });

    it('finds an entry edited after it was sealed', async () => {
      const { knex, h, verify } = await setUp();
      try {
        await verify();
        const victim = await knex('access_audit').where({ seq: 5 }).first();
        await knex('access_audit')
          .where({ id: victim.id })
          .update({ actor: 'user:default/mallory' });
        expect((await verify()).body).toMatchObject({
          ok: false,
          checked: 4,
          problem: {
            seq: 5,
            id: String(victim.id),
            reason: 'was changed after it was sealed',
          },
        });
      } finally {
        await h.backend.stop();
      }
    });

    it('finds an entry that was deleted, and one rebuilt without the key', async () => {
      const { knex, h, verify } = await setUp();
      try {
        await verify();
        await knex('access_audit').where({ seq: 7 }).delete();
        expect((await verify()).body.problem).toMatchObject({
          seq: 8,
          reason: 'entries 7 to 7 of the chain are missing',
        });

        // Closing the gap by renumbering does not help: the MACs cover seq and prev hash.
        const rows = await knex('access_audit')
          .where('seq', '>', 7)
          .orderBy('seq');
        for (const r of rows) {
          await knex('access_audit')
            .where({ id: r.id })
            .update({ seq: Number(r.seq) - 1 });
        }
        expect((await verify()).body.problem).toMatchObject({
          seq: 7,
          reason: 'does not follow the entry before it',
        });
      } finally {
        await h.backend.stop();
      }
    });

    it('does not re-seal a chain rebuilt from an edited entry, and reports it', async () => {
      const { knex, h, verify } = await setUp();
      let again: Awaited<ReturnType<typeof startAccessBackend>> | undefined;
      try {
        expect((await verify()).body).toMatchObject({ ok: true, checked: 12 });
        // The attack: edit a sealed entry, unseal it and everything after it, let the
        // sealer rebuild a valid-looking chain.
        const victim = await knex('access_audit').where({ seq: 5 }).first();
        await knex('access_audit')
          .where({ id: victim.id })
          .update({ actor: 'user:default/mallory' });
        await knex('access_audit')
          .where('seq', '>=', 5)
          .update({ seq: null, prev_hash: null, hash: null });
        await h.scheduler.run(AUDIT_SEAL_TASK_ID);
        expect(await knex('access_audit').whereNull('seq')).toHaveLength(8);

        const tampered = {
          ok: false,
          checked: 4,
          problem: {
            seq: 5,
            id: String(victim.id),
            reason: expect.stringMatching(
              /^lost its seal or was deleted: the chain had been sealed up to 12 \(seal [0-9a-f]{64}\) and ends at 4 now$/,
            ),
          },
        };
        expect((await verify()).body).toMatchObject(tampered);
        expect(await knex('access_audit').whereNull('seq')).toHaveLength(8);
        expect(audited).toContainEqual(
          expect.objectContaining({
            eventId: 'audit-chain-tampered',
            severityLevel: 'critical',
          }),
        );

        // A fresh backend (nothing in memory) still knows how far the chain went.
        await h.backend.stop();
        again = await startAccessBackend({ knex, extraFeatures: [auditor] });
        await again.scheduler.run(AUDIT_SEAL_TASK_ID);
        expect(
          (await again.api.get('/audit/verify', 'pat')).body,
        ).toMatchObject(tampered);
        expect(await knex('access_audit').whereNull('seq')).toHaveLength(8);
      } finally {
        await (again ?? h).backend.stop();
      }
    });

    it('a running backend remembers the head even when the stored mark is rewound too', async () => {
      const { knex, h, verify } = await setUp();
      try {
        await verify();
        const fourth = await knex('access_audit').where({ seq: 4 }).first();
        await knex('access_audit')
          .where('seq', '>=', 5)
          .update({ seq: null, prev_hash: null, hash: null });
        await knex('access_settings')
          .where({ key: 'audit-chain-mark' })
          .update({ value: JSON.stringify({ seq: 4, hash: fourth.hash }) });
        await h.scheduler.run(AUDIT_SEAL_TASK_ID);
        expect(await knex('access_audit').whereNull('seq')).toHaveLength(8);
        expect((await verify()).body).toMatchObject({
          ok: false,
          problem: { seq: 5 },
        });
      } finally {
        await h.backend.stop();
      }
    });

    it('sends each new head out of the database as an audit.sealed webhook event', async () => {
      const knex = await databases.init(databaseId);
      const h = await startAccessBackend({
        knex,
        access: {
          flows: FLOWS,
          bundles: BUNDLES,
          webhooks: [
            {
              id: 'head-keeper',
              url: 'http://127.0.0.1:9/closed',
              secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
              events: ['audit.sealed'],
            },
          ],
        },
      });
      try {
        await h.api.post('/requests', STAGING).expect(201);
        await h.scheduler.run(AUDIT_SEAL_TASK_ID);
        await h.api.post('/requests', STAGING).expect(201);
        await h.scheduler.run(AUDIT_SEAL_TASK_ID);
        const head = (await h.api.get('/audit/verify', 'pat')).body.head;
        const events = (await knex('access_webhook_outbox').orderBy('id')).map(
          r => JSON.parse(r.payload),
        );
        expect(events.map(e => [e.type, e.data.details])).toEqual([
          [
            'audit.sealed',
            { seq: 2, hash: expect.any(String), firstSeq: 1, count: 2 },
          ],
          ['audit.sealed', { seq: 4, hash: head.hash, firstSeq: 3, count: 2 }],
        ]);
      } finally {
        await h.backend.stop();
      }
    });

    it('is for audit readers only', async () => {
      const { h } = await setUp();
      try {
        for (const who of ['alice', 'dana']) {
          const res = await h.api.get('/audit/verify', who);
          expect(res.status).toBe(403);
        }
      } finally {
        await h.backend.stop();
      }
    });
  },
);
