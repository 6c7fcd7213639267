import { createHmac, randomBytes } from 'crypto';
import { Knex } from 'knex';
import { legacyChainKey } from '../audit/chainKeys';
import { DETAILS_REKEY_TASK_ID } from '../provisioning/rekeyDetails';
import {
  detailsProvisioner,
  PASSWORD,
} from '../__testUtils__/detailsProvisioner';
import {
  createTestDatabases,
  FLOWS,
  startAccessBackend,
} from '../__testUtils__/harness';

jest.setTimeout(90_000);

const databases = createTestDatabases();
const newKey = () => randomBytes(32).toString('base64');
const STAGING = {
  resources: [
    { entityRef: 'resource:default/orders-db-staging', permissions: ['read'] },
  ],
};

/** `{ keys: [{ id, key }] }` from `{ id: key }`, current first. */
const ids = (keys: Record<string, string>) => ({
  keys: Object.entries(keys).map(([id, key]) => ({ id, key })),
});

/** The stored fields of an audit row that its seal covers, as the chain reads them. */
function sealedFields(r: any) {
  const str = (v: unknown) =>
    v === null || v === undefined ? null : String(v);
  return [
    String(r.id),
    String(r.at),
    r.actor,
    r.action,
    str(r.request_id),
    r.severity,
    str(r.from_status),
    str(r.to_status),
    String(r.details),
  ];
}

const hmacOf = (key: Buffer, value: unknown[]) =>
  createHmac('sha256', key).update(JSON.stringify(value)).digest('hex');

/** The seal the chain used before key ids, keyed from the access details key. */
function legacySeal(detailsKey: string, prevHash: string, seq: number, r: any) {
  return hmacOf(legacyChainKey(Buffer.from(detailsKey, 'base64')), [
    prevHash,
    seq,
    ...sealedFields(r),
  ]);
}

/** The seal of an entry with a key id, as the sealer makes it (or a holder of that key). */
function keyedSeal(
  key: string,
  keyId: string,
  prevHash: string,
  seq: number,
  r: any,
) {
  return hmacOf(Buffer.from(key, 'base64'), [
    'v2',
    keyId,
    prevHash,
    seq,
    ...sealedFields(r),
  ]);
}

/** Seals rows from `fromSeq` on the way the chain did before key ids (or an attacker would). */
async function resealLegacy(knex: Knex, detailsKey: string, fromSeq: number) {
  const hasKeyId = await knex.schema.hasColumn('access_audit', 'key_id');
  const before = await knex('access_audit')
    .where({ seq: fromSeq - 1 })
    .first();
  let prev = before ? String(before.hash) : '';
  const rows = await knex('access_audit')
    .where(q => q.where('seq', '>=', fromSeq).orWhereNull('seq'))
    .orderBy('id');
  let seq = fromSeq - 1;
  for (const r of rows) {
    seq += 1;
    const hash = legacySeal(detailsKey, prev, seq, r);
    await knex('access_audit')
      .where({ id: r.id })
      .update({
        seq,
        prev_hash: prev,
        hash,
        ...(hasKeyId ? { key_id: null } : {}),
      });
    prev = hash;
  }
  // Whoever rewrites the chain also rewrites the stored mark.
  await knex('access_settings')
    .where({ key: 'audit-chain-mark' })
    .update({ value: JSON.stringify({ seq, hash: prev }) });
}

describe.each(databases.eachSupportedId())(
  'rotating the encryption and audit keys on %s',
  databaseId => {
    let knex: Knex;
    beforeEach(async () => {
      knex = await databases.init(databaseId);
    });
    const start = (encryption: unknown, audit: unknown) =>
      startAccessBackend({
        knex,
        access: {
          flows: [{ ...FLOWS[0], provisioner: 'db' }],
          provisioners: { db: { type: 'details' } },
          encryption,
          audit,
        },
        extraFeatures: [detailsProvisioner],
      });
    const submit = async (h: { api: any }) =>
      (await h.api.post('/requests', STAGING).expect(201)).body.items[0];
    const verify = async (h: { api: any }) =>
      (await h.api.get('/audit/verify', 'pat').expect(200)).body;

    it('keeps details readable under a previous key, encrypts new ones with the current key, and says so once a key is gone', async () => {
      const [k1, k2, a1] = [newKey(), newKey(), newKey()];
      let h = await start({ key: k1 }, { key: a1 });
      const first = await submit(h);
      expect(first.accessDetails.password).toBe(PASSWORD);
      await h.backend.stop();

      // k2 becomes current; the single key of before is now a previous key with an id.
      h = await start(ids({ k2, k1 }), { key: a1 });
      const read = async (id: string) =>
        (await h.api.get(`/requests/${id}`).expect(200)).body;
      expect((await read(first.id)).accessDetails.password).toBe(PASSWORD);
      const second = await submit(h);
      const stored = await knex('access_details').where({
        request_id: second.id,
      });
      expect(stored[0].ciphertext).toMatch(/^v2\.k2\./);
      await h.backend.stop();

      // k1 removed: the first grant's details are said to be unreadable, the rest still work.
      h = await start({ keys: [{ id: 'k2', key: k2 }] }, { key: a1 });
      try {
        const gone = await read(first.id);
        expect(gone.accessDetails).toBeUndefined();
        expect(gone.accessDetailsError).toMatch(
          /^Your access details cannot be shown: they were encrypted with key "key-[0-9a-f]{16}", which is no longer configured\./,
        );
        expect((await read(second.id)).accessDetails.password).toBe(PASSWORD);
        const list = await h.api.get('/requests').expect(200);
        const byId = new Map<string, any>(
          [...(list.body.mine ?? []), ...(list.body.items ?? [])].map(
            (r: any) => [r.id, r],
          ),
        );
        expect(byId.get(first.id)?.accessDetailsError).toBeDefined();
        expect(byId.get(second.id)?.accessDetails?.password).toBe(PASSWORD);
      } finally {
        await h.backend.stop();
      }
    });

    it('re-encrypts details under a previous key with the current one, so the previous key can go', async () => {
      const [k1, k2, a1] = [newKey(), newKey(), newKey()];
      let h = await start({ keys: [{ id: 'k1', key: k1 }] }, { key: a1 });
      const first = await submit(h);
      await h.backend.stop();

      h = await start(ids({ k2, k1 }), { key: a1 });
      const stored = async () =>
        (await knex('access_details').where({ request_id: first.id }).first())
          .ciphertext;
      expect(await stored()).toMatch(/^v2\.k1\./);
      await h.scheduler.run(DETAILS_REKEY_TASK_ID);
      expect(await stored()).toMatch(/^v2\.k2\./);
      await h.backend.stop();

      h = await start({ keys: [{ id: 'k2', key: k2 }] }, { key: a1 });
      try {
        const got = (await h.api.get(`/requests/${first.id}`).expect(200)).body;
        expect(got.accessDetails.password).toBe(PASSWORD);
      } finally {
        await h.backend.stop();
      }
    });

    it('verifies old entries after an audit key rotation, seals new ones with the new key, and names a removed key', async () => {
      const [k1, a1, a2] = [newKey(), newKey(), newKey()];
      let h = await start({ key: k1 }, { keys: [{ id: 'a1', key: a1 }] });
      await submit(h);
      expect(await verify(h)).toMatchObject({ ok: true, checked: 2 });
      await h.backend.stop();

      h = await start({ key: k1 }, ids({ a2, a1 }));
      await submit(h);
      expect(await verify(h)).toMatchObject({ ok: true, checked: 4 });
      expect(
        (await knex('access_audit').orderBy('seq')).map(r => r.key_id),
      ).toEqual(['a1', 'a1', 'a2', 'a2']);
      await h.backend.stop();

      h = await start({ key: k1 }, { keys: [{ id: 'a2', key: a2 }] });
      try {
        expect(await verify(h)).toMatchObject({
          ok: false,
          problem: {
            seq: 1,
            reason:
              'was sealed with key "a1", which is not configured (keep it in access.audit.keys as a previous key)',
          },
        });
      } finally {
        await h.backend.stop();
      }
    });

    /** Entries 1-2 sealed with a1, 3-4 with a2 (now current, a1 previous); still running. */
    const sealedAcrossRotation = async () => {
      const [k1, a1, a2] = [newKey(), newKey(), newKey()];
      let h = await start({ key: k1 }, { keys: [{ id: 'a1', key: a1 }] });
      await submit(h);
      await verify(h);
      await h.backend.stop();
      h = await start({ key: k1 }, ids({ a2, a1 }));
      await submit(h);
      expect(await verify(h)).toMatchObject({ ok: true, checked: 4 });
      return { k1, a1, a2, h };
    };

    it('does not let a previous audit key seal after the current one did', async () => {
      const { a1, h } = await sealedAcrossRotation();
      // Someone holding the old key a1 (and the database) appends an entry of their own.
      await knex('access_audit').insert({
        at: (await knex('access_audit').where({ seq: 4 }).first()).at,
        actor: 'user:default/mallory',
        action: 'request-created',
        severity: 'low',
        details: '{}',
      });
      const head = await knex('access_audit').where({ seq: 4 }).first();
      const forged = await knex('access_audit').whereNull('seq').first();
      await knex('access_audit')
        .where({ id: forged.id })
        .update({
          seq: 5,
          prev_hash: head.hash,
          hash: keyedSeal(a1, 'a1', head.hash, 5, forged),
          key_id: 'a1',
        });
      try {
        const { ok, checked, problem } = await verify(h);
        expect([ok, checked]).toEqual([false, 4]);
        expect(problem).toEqual({
          seq: 5,
          id: String(forged.id),
          reason:
            'was sealed with key "a1" after entries sealed with the newer key "a2": a previous audit key only verifies what it sealed before',
        });
      } finally {
        await h.backend.stop();
      }
    });

    it('does not take a stored head signed with a previous audit key after the current one sealed', async () => {
      const { k1, a1, a2, h: running } = await sealedAcrossRotation();
      await running.backend.stop();
      // Someone holding a1 cuts the chain back and signs a mark for the shorter chain.
      await knex('access_audit').where({ seq: 4 }).delete();
      const third = await knex('access_audit').where({ seq: 3 }).first();
      const mac = hmacOf(Buffer.from(a1, 'base64'), [
        'audit-chain-mark',
        3,
        third.hash,
      ]);
      await knex('access_settings')
        .where({ key: 'audit-chain-mark' })
        .update({
          value: JSON.stringify({ seq: 3, hash: third.hash, keyId: 'a1', mac }),
        });
      const h = await start({ key: k1 }, ids({ a2, a1 }));
      try {
        const result = await verify(h);
        expect(result).toMatchObject({ ok: false, problem: { seq: 4 } });
        expect(result.problem.reason).toMatch(
          /signed with key "a1", older than the key "a2" that sealed the last entry/,
        );
      } finally {
        await h.backend.stop();
      }
    });

    it('does not let the access details key re-seal an edited entry', async () => {
      const [k1, a1] = [newKey(), newKey()];
      let h = await start({ key: k1 }, { key: a1 });
      await submit(h);
      await submit(h);
      expect(await verify(h)).toMatchObject({ ok: true, checked: 4 });
      await h.backend.stop();

      // Someone with the database and access.encryption.key edits entry 3 and re-seals.
      await knex('access_audit')
        .where({ seq: 3 })
        .update({ actor: 'user:default/mallory' });
      await resealLegacy(knex, k1, 3);

      h = await start({ key: k1 }, { key: a1 });
      try {
        expect(await verify(h)).toMatchObject({
          ok: false,
          checked: 2,
          problem: {
            seq: 3,
            reason: 'was sealed without a key id after entries sealed with one',
          },
        });
      } finally {
        await h.backend.stop();
      }
    });

    it('verifies entries sealed before key ids with a retired details key in access.audit.legacyKeys, and with no audit key', async () => {
      const [k1, k2, a1] = [newKey(), newKey(), newKey()];
      let h = await start({ key: k1 }, { key: a1 });
      await submit(h);
      await h.backend.stop();
      // The chain as the version before key ids left it, sealed with k1.
      await knex('access_settings').where({ key: 'audit-chain-mark' }).delete();
      await resealLegacy(knex, k1, 1);

      // k1 retired from access.encryption: listed as a legacy key, not as an audit key.
      h = await start({ key: k2 }, { key: a1, legacyKeys: [k1] });
      await submit(h);
      expect(await verify(h)).toMatchObject({ ok: true, checked: 4 });
      await h.backend.stop();

      // An audit key is no source of the pre-key-id seal: a chain sealed that way is refused.
      await knex('access_settings')
        .whereIn('key', ['audit-chain-mark', 'audit-chain-legacy'])
        .delete();
      await resealLegacy(knex, a1, 1);
      h = await start({ key: k2 }, { key: a1, legacyKeys: [k1] });
      try {
        expect(await verify(h)).toMatchObject({
          ok: false,
          checked: 0,
          problem: { seq: 1, reason: 'was changed after it was sealed' },
        });
      } finally {
        await h.backend.stop();
      }
    });

    /**
     * A database the version before key ids left (four entries sealed without key ids, no
     * stored head), upgraded: two more entries sealed with the audit key. Returns the
     * `<seq>:<hash>` the upgrade logged for access.audit.legacyHead.
     */
    async function upgradedFromLegacy(k1: string, a1: string) {
      let h = await start({ key: k1 }, { key: a1 });
      await submit(h);
      await submit(h);
      await h.backend.stop();
      // The version before key ids stored no mark (this one stores one at a fresh install).
      await knex('access_settings').where('key', 'like', 'audit-%').delete();
      await resealLegacy(knex, k1, 1);

      h = await start({ key: k1 }, { key: a1 });
      await submit(h);
      expect(await verify(h)).toMatchObject({ ok: true, checked: 6 });
      expect(
        (await knex('access_audit').orderBy('seq')).map(r => r.key_id),
      ).toEqual([
        null,
        null,
        null,
        null,
        expect.any(String),
        expect.any(String),
      ]);
      await h.backend.stop();
      const fourth = await knex('access_audit').where({ seq: 4 }).first();
      return `4:${fourth.hash}`;
    }

    it('keeps verifying entries sealed before key ids, and accepts no newer ones', async () => {
      const [k1, a1] = [newKey(), newKey()];
      await upgradedFromLegacy(k1, a1);

      // Entry 5 re-sealed the old way, with the details key: refused.
      await resealLegacy(knex, k1, 5);
      const h = await start({ key: k1 }, { key: a1 });
      try {
        expect(await verify(h)).toMatchObject({
          ok: false,
          checked: 4,
          problem: {
            seq: 5,
            reason:
              'was sealed without a key id, but only entries up to 4 were sealed before key ids',
          },
        });
      } finally {
        await h.backend.stop();
      }
    });

    it('holds the entries sealed before key ids to access.audit.legacyHead', async () => {
      const [k1, a1] = [newKey(), newKey()];
      const pin = await upgradedFromLegacy(k1, a1);
      const third = await knex('access_audit').where({ seq: 3 }).first();

      let h = await start({ key: k1 }, { key: a1, legacyHead: pin });
      expect(await verify(h)).toMatchObject({ ok: true, checked: 6 });
      await h.backend.stop();
      h = await start({ key: k1 }, { key: a1, legacyHead: `3:${third.hash}` });
      expect(await verify(h)).toMatchObject({
        ok: false,
        problem: {
          seq: 4,
          reason: expect.stringContaining('access.audit.legacyHead'),
        },
      });
      await h.backend.stop();

      // Everything since the upgrade deleted, with the records of it: the chain looks like
      // one from before the upgrade, which only the pin tells apart.
      await knex('access_audit').whereNotNull('key_id').delete();
      await knex('access_settings')
        .where('key', 'like', 'audit-chain-%')
        .delete();
      h = await start({ key: k1 }, { key: a1, legacyHead: pin });
      try {
        expect(await verify(h)).toMatchObject({
          ok: false,
          checked: 0,
          problem: {
            seq: 1,
            reason: expect.stringContaining('audit-chain-legacy'),
          },
        });
        expect(
          await knex('access_settings').where({ key: 'audit-chain-legacy' }),
        ).toEqual([]);
      } finally {
        await h.backend.stop();
      }
    });
  },
);
