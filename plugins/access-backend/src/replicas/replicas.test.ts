import { mockCredentials } from '@backstage/backend-test-utils';
import { randomBytes } from 'crypto';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { knex as createKnex, Knex } from 'knex';
import os from 'os';
import path from 'path';
import { freePort, Replica } from './__testUtils__/cluster';
import {
  checkInvariants,
  MAX_LAG_MS,
  Outage,
  snapshot,
} from './__testUtils__/invariants';
import { LoadDriver } from './__testUtils__/load';
import { RecordingReceiver } from './__testUtils__/receiver';
import { REQUESTERS, APPROVERS } from './__testUtils__/world';

/*
 * Several replicas, one database: three real backend processes (createBackend with the
 * access plugin, see __testUtils__/replica.ts) on one PostgreSQL database, driven
 * concurrently over HTTP while one of them is SIGKILLed and restarted, all of them are
 * killed while grants expire, and their PostgreSQL sessions are terminated mid-work.
 * The provisioner is the built-in webhook provisioner pointing at a recording receiver in
 * this process. Afterwards every request, its audit trail and what the receiver saw must
 * agree.
 */

jest.setTimeout(420_000);

const PG = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
/** The test's own sessions are spared when the replicas' sessions are terminated. */
const APP_NAME = 'jit-replicas-test';

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

if (!PG) {
  // eslint-disable-next-line no-console
  console.warn(
    '\n*** SKIPPED: the replicas test needs PostgreSQL; set BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ***\n',
  );
}

(PG ? describe : describe.skip)('three replicas on one PostgreSQL', () => {
  const suffix = randomBytes(4).toString('hex');
  const prefix = `jit_replicas_${suffix}_`;
  const dbName = `${prefix}access`;
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'jit-replicas-'));
  const receiver = new RecordingReceiver(SECRET);
  let replicas: Replica[] = [];
  let db: Knex | undefined;
  /** The replicas' logs are deleted when the test passes (unless JIT_REPLICAS_KEEP_LOGS). */
  let passed = false;

  const admin = () =>
    createKnex({
      client: 'pg',
      connection: {
        connectionString: `${PG}/postgres`,
        application_name: APP_NAME,
      } as any,
    });

  afterAll(async () => {
    await Promise.all(replicas.map(r => r.kill()));
    if (passed && !process.env.JIT_REPLICAS_KEEP_LOGS)
      rmSync(logDir, { recursive: true, force: true });
    await receiver.close();
    await db?.destroy();
    const pg = admin();
    try {
      await pg.raw(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ?',
        [dbName],
      );
      await pg.raw(`DROP DATABASE IF EXISTS "${dbName}"`);
    } finally {
      await pg.destroy();
    }
  });

  it('keeps every request consistent through races, crashes and dropped connections', async () => {
    const t0 = Date.now();
    const log: string[] = [];
    const note = (s: string) => {
      log.push(`+${((Date.now() - t0) / 1000).toFixed(1)}s ${s}`);
    };
    await receiver.start();
    // One key for all replicas, as the docs require.
    const encryptionKey = randomBytes(32).toString('base64');
    replicas = await Promise.all(
      ['a', 'b', 'c'].map(
        async name =>
          new Replica(
            {
              name,
              port: await freePort(),
              pgConnection: PG!,
              pgPrefix: prefix,
              receiverUrl: receiver.url,
              webhookSecret: SECRET,
              encryptionKey,
              expiryFrequency: '1s',
            },
            path.join(logDir, `${name}.log`),
          ),
      ),
    );
    // The first replica creates the database and migrates it; the others join.
    await replicas[0].start();
    await Promise.all(replicas.slice(1).map(r => r.start()));
    note('three replicas serving');
    db = createKnex({
      client: 'pg',
      connection: {
        connectionString: `${PG}/${dbName}`,
        application_name: APP_NAME,
      } as any,
      pool: { min: 0, max: 3 },
    });

    const outages: Outage[] = [];
    const crashes: string[] = [];
    let terminated = 0;
    let terminations = 0;
    const terminateSessions = async () => {
      const { rows } = await db!.raw(
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
         WHERE datname = ? AND pid <> pg_backend_pid() AND application_name <> ?`,
        [dbName, APP_NAME],
      );
      terminations++;
      terminated += rows.filter((r: any) => r.ok).length;
      note(`terminated ${rows.length} PostgreSQL session(s) of the replicas`);
    };
    const driver = new LoadDriver(replicas);

    // ---------------------------------------------------------------- phase 1
    // Load on all three; connections dropped twice; one replica killed and restarted.
    {
      const until = Date.now() + 14_000;
      const load = driver.run(until, 6);
      await sleep(2_500);
      await terminateSessions();
      await sleep(2_000);
      const victim = replicas[1];
      await victim.kill();
      crashes.push(`${victim.name} (SIGKILL under load)`);
      note(`SIGKILL ${victim.name}`);
      // Its start takes seconds: the others carry the load meanwhile.
      const restarted = victim
        .start()
        .then(() => note(`${victim.name} restarted`));
      await sleep(4_000);
      await terminateSessions();
      await load;
      await restarted;
      note('phase 1 load done');
    }

    // ---------------------------------------------------------------- phase 2
    // More load with dropped connections, then the replicas must still serve.
    {
      const until = Date.now() + 7_000;
      const load = driver.run(until, 6);
      await sleep(2_000);
      await terminateSessions();
      await sleep(2_500);
      await terminateSessions();
      await load;
      note('phase 2 load done');
    }

    // Without restarting anything, every replica still grants and approves.
    const recovered: string[] = [];
    for (const r of replicas) {
      const autoRes = await driver.call(
        r,
        'probe',
        'POST',
        '/requests',
        REQUESTERS[0],
        driver.body('auto', { durationSeconds: 2 }),
      );
      const auto = autoRes.status === 201 ? autoRes.body.items[0] : undefined;
      const manual = await driver.submit('one', REQUESTERS[1], {
        replica: r,
        durationSeconds: 2,
        kind: 'probe',
      });
      const approved = manual
        ? await driver.call(
            r,
            'probe',
            'POST',
            `/requests/${manual.id}/approve`,
            APPROVERS[0],
            {},
          )
        : undefined;
      if (auto?.status !== 'granted' || approved?.body?.status !== 'granted') {
        recovered.push(
          `${r.name} does not serve after the dropped connections: auto ${
            autoRes.status
          } ${
            auto?.status ?? JSON.stringify(autoRes.body).slice(0, 300)
          }, approve ${approved?.status} ${approved?.body?.status}`,
        );
      }
    }

    // ---------------------------------------------------------------- phase 3
    // Every replica dies while grants are being revoked and others expire; one restarts,
    // alone, and must end them all within 15 s.
    let catchUp = { grants: 0, lastEndAfterRestartMs: 0, restartAfterMs: 0 };
    {
      const short = await Promise.all(
        REQUESTERS.map(who =>
          driver.submit('auto', who, {
            durationSeconds: 2,
            kind: 'submit auto (outage)',
          }),
        ),
      );
      const long = await Promise.all(
        REQUESTERS.map(who =>
          driver.submit('auto', who, {
            durationSeconds: 5,
            kind: 'submit auto (outage)',
          }),
        ),
      );
      const ids = [...short, ...long]
        .filter(r => r?.status === 'granted')
        .map(r => r.id as string);
      // A slow target keeps the expiry task busy revoking the short grants ...
      receiver.slowRevokeMs = 1_500;
      const deadline = Date.now() + 8_000;
      while (
        !receiver.deliveries.some(
          d => d.kind === 'revoke' && ids.includes(d.requestId),
        ) &&
        Date.now() < deadline
      ) {
        await sleep(50);
      }
      await sleep(300);
      // ... when every replica is killed at once.
      const start = Date.now();
      await Promise.all(replicas.map(r => r.kill()));
      receiver.slowRevokeMs = 0;
      crashes.push('a, b, c (SIGKILL together, revocations in flight)');
      note('SIGKILL a, b, c');
      const outage: Outage = { start, end: Infinity };
      outages.push(outage);
      // The long grants expire while nobody serves.
      await sleep(2_500);
      const { spawnedAt } = await replicas[0].start();
      outage.end = replicas[0].readyAt;
      note(`a restarted alone (${outage.end - spawnedAt} ms to start)`);
      const stillOpen = async () =>
        db!('access_requests')
          .whereIn('id', ids)
          .whereIn('status', ['granting', 'granted']);
      while ((await stillOpen()).length && Date.now() < outage.end + 25_000) {
        await sleep(250);
      }
      const ended = await db('access_requests').whereIn('id', ids);
      catchUp = {
        grants: ids.length,
        restartAfterMs: outage.end - spawnedAt,
        lastEndAfterRestartMs: Math.max(
          ...ended.map(
            r => (r.ended_at ? Number(r.ended_at) : Date.now()) - outage.end,
          ),
        ),
      };
      note(
        `outage grants: ${ended.filter(r => r.ended_at).length}/${
          ids.length
        } ended, last ${catchUp.lastEndAfterRestartMs} ms after the restart`,
      );
    }

    // Let every grant run out and every revocation finish.
    const settleUntil = Date.now() + 30_000;
    for (;;) {
      const open = await db('access_requests')
        .where(b =>
          b
            .where('status', 'granted')
            .orWhere(q => q.where('status', 'failed').whereNotNull('ending')),
        )
        .count({ n: '*' })
        .first();
      if (Number(open?.n) === 0 || Date.now() > settleUntil) break;
      await sleep(500);
    }
    note('settled');

    // ---------------------------------------------------------------- verdict
    const kills = new Map(replicas.map(r => [r.name, [...r.kills]]));
    let snap = await snapshot(db);
    let verdict = checkInvariants(snap, receiver, outages, Date.now(), kills);
    // Found before the recovery task repairs them.
    const leftBehind = verdict.violations.filter(v =>
      v.includes('left in granting'),
    );

    // Requests whose replica died mid-grant (or whose grant could not be recorded) stay
    // `granting` until the recovery task grants them again after 5 minutes. Say what they
    // are, age them, run that task, and check they end well.
    const leftInGranting = [...snap.requests.values()]
      .filter(r => r.status === 'granting')
      .map(r => r.id);
    const rel = (t?: number) =>
      t === undefined ? '-' : `+${((t - t0) / 1000).toFixed(1)}s`;
    const leftDescribed = leftInGranting.map(id => {
      const r = snap.requests.get(id)!;
      const e = receiver.byRequest.get(id);
      const calls = receiver.deliveries
        .filter(d => d.requestId === id)
        .map(d => `${d.kind} ${d.outcome} from ${d.replica} ${rel(d.at)}`);
      return `${id} (${r.flowId}) last change ${rel(
        r.updatedAt,
      )}, granted in the target ${rel(e?.grant?.at)}; calls: ${
        calls.join(', ') || 'none'
      }; audit: ${(snap.audits.get(id) ?? []).map(a => a.action).join(', ')}`;
    });
    let recoveredGrants = 0;
    let recoveryTrigger = 'not needed';
    if (leftInGranting.length) {
      await db('access_requests')
        .whereIn('id', leftInGranting)
        .update({ updated_at: Date.now() - 6 * 60_000 });
      const trigger = () =>
        fetch(
          `${replicas[0].url}/.backstage/scheduler/v1/tasks/access-pending-timeout/trigger`,
          {
            method: 'POST',
            headers: {
              Authorization: mockCredentials.user.header('user:default/boss'),
            },
          },
        ).then(r => r.status);
      let status = await trigger();
      recoveryTrigger = `trigger answered ${status}`;
      if (status === 409) {
        // A replica killed while running the task still holds its lock (for the task's
        // 10-minute timeout): release it as the scheduler's janitor would after the timeout.
        await db('backstage_backend_tasks__tasks')
          .where('id', 'access-pending-timeout')
          .update({
            current_run_ticket: null,
            current_run_started_at: null,
            current_run_expires_at: null,
          });
        status = await trigger();
        recoveryTrigger += `, ${status} after releasing a dead replica's lock`;
      }
      const until = Date.now() + 20_000;
      while (Date.now() < until) {
        const open = await db('access_requests')
          .whereIn('id', leftInGranting)
          .whereIn('status', ['granting', 'granted']);
        if (!open.length) break;
        await sleep(500);
      }
      snap = await snapshot(db);
      recoveredGrants = leftInGranting.filter(id =>
        ['expired', 'failed'].includes(snap.requests.get(id)!.status),
      ).length;
    }
    // How often a replica's expiry watchdog found access overdue and ended it itself.
    const watchdog = replicas.map(r => {
      const text = readFileSync(path.join(logDir, `${r.name}.log`), 'utf8');
      return `${r.name} ${text.split('is the replica running').length - 1}`;
    });
    const locks = await db('backstage_backend_tasks__tasks')
      .whereNotNull('current_run_ticket')
      .select('id', 'current_run_started_at');
    const orphanedGrants = verdict.orphanedGrants;
    const stuckGranting = verdict.stuckGranting;
    verdict = checkInvariants(snap, receiver, outages, Date.now(), kills);
    const unrecovered = leftInGranting
      .filter(id =>
        ['granting', 'granted'].includes(snap.requests.get(id)!.status),
      )
      .map(
        id =>
          `${id}: still ${
            snap.requests.get(id)!.status
          } after the recovery task ran`,
      );

    // Winners the HTTP answers named are the winners the database recorded.
    const claimViolations: string[] = [];
    for (const c of driver.claims) {
      const r = snap.requests.get(c.requestId);
      const audits = snap.audits.get(c.requestId) ?? [];
      const approvedBy = audits.find(
        a => a.action === 'request-approved',
      )?.actor;
      const endedAs: Record<string, string> = {
        reject: 'rejected',
        cancel: 'cancelled',
        revoke: 'revoked',
        expiry: 'expired',
      };
      const ok = c.winner.startsWith('approve:')
        ? approvedBy === `user:default/${c.winner.slice(8)}`
        : r?.status === endedAs[c.winner];
      if (!ok)
        claimViolations.push(
          `${c.race} ${c.requestId}: HTTP said ${c.winner} won, the database says ${r?.status} (approved by ${approvedBy})`,
        );
    }

    const violations = [
      ...driver.violations,
      ...leftBehind,
      ...unrecovered,
      ...verdict.violations,
      ...claimViolations,
      ...recovered,
      ...(catchUp.lastEndAfterRestartMs > MAX_LAG_MS
        ? [
            `after the outage the last grant ended ${catchUp.lastEndAfterRestartMs} ms after the restart`,
          ]
        : []),
    ];

    const ops = [...driver.ops.entries()]
      .map(
        ([kind, byStatus]) =>
          `  ${kind.padEnd(26)} ${[...byStatus.entries()]
            .sort()
            .map(([s, n]) => `${s}:${n}`)
            .join(' ')}`,
      )
      .sort();
    const races = [...driver.races.entries()].map(
      ([race, t]) =>
        `  ${race.padEnd(30)} runs ${t.runs}, hit ${t.hit}, undecided ${
          t.undecided
        }, violations ${t.violations}`,
    );
    const totalOps = [...driver.ops.values()].reduce(
      (s, m) => s + [...m.values()].reduce((a, b) => a + b, 0),
      0,
    );
    const summary = [
      `replicas test: ${((Date.now() - t0) / 1000).toFixed(1)} s, ${
        snap.requests.size
      } requests, ${totalOps} HTTP operations`,
      'operations (by HTTP status):',
      ...ops,
      'races:',
      ...races,
      `requests by status: ${JSON.stringify(verdict.byStatus)}`,
      `audit status changes checked: ${verdict.auditTransitions}`,
      `provisioner calls: grant ${
        receiver.deliveries.filter(d => d.kind === 'grant').length
      } (effects ${receiver.count('new', 'grant')}, refused ${receiver.count(
        'refused',
        'grant',
      )}), revoke ${
        receiver.deliveries.filter(d => d.kind === 'revoke').length
      } (effects ${receiver.count('new', 'revoke')})`,
      `retries seen: transient 503 ${receiver.count(
        'transient',
      )}, copies of a done call (same webhook-id) ${receiver.count(
        'copy',
      )} [grant ${receiver.count('copy', 'grant')}, revoke ${receiver.count(
        'copy',
        'revoke',
      )}], copies while running ${receiver.count('concurrent')}`,
      `crashes: ${crashes.length}: ${crashes.join('; ')}`,
      `outage catch-up: ${catchUp.grants} grants, last ended ${catchUp.lastEndAfterRestartMs} ms after the restart (start took ${catchUp.restartAfterMs} ms)`,
      `terminated PostgreSQL sessions: ${terminated} in ${terminations} rounds`,
      `left in granting by a crash / dropped connection: ${orphanedGrants.length} already granted in the target, ${stuckGranting.length} not; ${recoveredGrants} ended after the recovery task ran (${recoveryTrigger})`,
      ...leftDescribed.map(d => `  ${d}`),
      `expiry watchdog took over (runs per replica): ${watchdog.join(', ')}`,
      `scheduler tasks still marked running: ${
        locks.map(l => l.id).join(', ') || 'none'
      }`,
      `violations: ${violations.length}`,
      ...violations.slice(0, 30).map(v => `  ${v}`),
      'timeline:',
      ...log.map(l => `  ${l}`),
      `replica logs: ${logDir}`,
    ].join('\n');
    // eslint-disable-next-line no-console
    console.log(summary);
    expect(violations).toEqual([]);
    passed = true;
  });
});
