import { mockCredentials } from '@backstage/backend-test-utils';
import { Replica } from './cluster';
import {
  APPROVERS,
  FAILING_PERMISSION,
  REQUESTERS,
  RESOURCES_PER_TIER,
  Tier,
} from './world';

export interface Res {
  status: number;
  body: any;
  replica: string;
  /** The answer replays an earlier call with the same Idempotency-Key. */
  replayed?: boolean;
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const pick = <T>(list: readonly T[]): T =>
  list[Math.floor(Math.random() * list.length)];
const shuffle = <T>(list: readonly T[]): T[] =>
  [...list]
    .map(v => ({ v, k: Math.random() }))
    .sort((a, b) => a.k - b.k)
    .map(x => x.v);

/** Who won a race, as the HTTP answers say; checked against the database at the end. */
export interface Claim {
  race: string;
  requestId: string;
  /** approve:<user> | reject | cancel | revoke | expiry */
  winner: string;
}

interface RaceTally {
  runs: number;
  /** One side won, the other got 409. */
  hit: number;
  /** Some answer was a network error or 5xx: no verdict from HTTP alone. */
  undecided: number;
  violations: number;
}

/** Drives the replicas over HTTP and counts what happened. */
export class LoadDriver {
  readonly ops = new Map<string, Map<string, number>>();
  readonly races = new Map<string, RaceTally>();
  readonly violations: string[] = [];
  readonly claims: Claim[] = [];
  /** Every request id the driver created. */
  readonly created = new Set<string>();

  constructor(private readonly replicas: Replica[]) {}

  /** Up to `n` distinct serving replicas, in random order (waits while none serves). */
  async pickUp(n: number): Promise<Replica[]> {
    for (;;) {
      const up = shuffle(this.replicas.filter(r => r.up));
      if (up.length) {
        return Array.from({ length: n }, (_, i) => up[i % up.length]);
      }
      await sleep(200);
    }
  }

  async call(
    replica: Replica,
    kind: string,
    method: string,
    path: string,
    who: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Res> {
    let res: Res;
    try {
      const r = await fetch(`${replica.url}${path}`, {
        method,
        headers: {
          Authorization: mockCredentials.user.header(`user:default/${who}`),
          'Content-Type': 'application/json',
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await r.text();
      let json: any = text;
      try {
        json = JSON.parse(text);
      } catch {
        // not JSON
      }
      res = {
        status: r.status,
        body: json,
        replica: replica.name,
        replayed: r.headers.get('idempotent-replayed') === 'true',
      };
    } catch (e) {
      res = { status: 0, body: String(e), replica: replica.name };
    }
    const byStatus = this.ops.get(kind) ?? new Map<string, number>();
    const key = res.status === 0 ? 'network' : String(res.status);
    byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
    this.ops.set(kind, byStatus);
    return res;
  }

  private tally(race: string, answers: Res[], maxWinners = 1): number {
    const t = this.races.get(race) ?? {
      runs: 0,
      hit: 0,
      undecided: 0,
      violations: 0,
    };
    this.races.set(race, t);
    t.runs++;
    const ok = answers.filter(a => a.status === 200).length;
    const conflicts = answers.filter(a => a.status === 409).length;
    if (ok > maxWinners) {
      t.violations++;
      this.violations.push(
        `${race}: ${ok} callers succeeded (${answers
          .map(a => `${a.replica}:${a.status}`)
          .join(', ')})`,
      );
    } else if (ok + conflicts === answers.length && conflicts > 0) {
      t.hit++;
    } else {
      t.undecided++;
    }
    return ok;
  }

  async submit(
    tier: Tier,
    who: string,
    opts: {
      durationSeconds?: number;
      failing?: boolean;
      replica?: Replica;
      kind?: string;
    } = {},
  ): Promise<any | undefined> {
    const [replica] = opts.replica ? [opts.replica] : await this.pickUp(1);
    const res = await this.call(
      replica,
      opts.kind ?? `submit ${tier}`,
      'POST',
      '/requests',
      who,
      this.body(tier, opts),
    );
    if (res.status !== 201) return undefined;
    const item = res.body.items[0];
    this.created.add(item.id);
    return item;
  }

  body(tier: Tier, opts: { durationSeconds?: number; failing?: boolean }) {
    return {
      resources: [
        {
          entityRef: `resource:default/${tier}-${
            1 + Math.floor(Math.random() * RESOURCES_PER_TIER)
          }`,
          permissions: [opts.failing ? FAILING_PERMISSION : 'read'],
        },
      ],
      durationSeconds:
        opts.durationSeconds ?? 2 + Math.floor(Math.random() * 5),
      justification: 'replicas test',
    };
  }

  // ------------------------------------------------------------------ scenarios

  /** Automatic grants that just expire; one in ten is refused by the target. */
  async autoGrant() {
    await this.submit('auto', pick(REQUESTERS), {
      failing: Math.random() < 0.1,
    });
  }

  /** The same Idempotency-Key sent to two replicas at once creates one request. */
  async idempotentSubmit() {
    const who = pick(REQUESTERS);
    const body = this.body('auto', {});
    const key = `k-${Math.random()}`;
    const replicas = await this.pickUp(2);
    const answers = await Promise.all(
      replicas.map(r =>
        this.call(r, 'submit auto (same key)', 'POST', '/requests', who, body, {
          'Idempotency-Key': key,
        }),
      ),
    );
    const ok = answers.filter(a => a.status === 201);
    ok.forEach(a => a.body.items.forEach((i: any) => this.created.add(i.id)));
    const t = this.races.get('same idempotency key') ?? {
      runs: 0,
      hit: 0,
      undecided: 0,
      violations: 0,
    };
    this.races.set('same idempotency key', t);
    t.runs++;
    const ids = new Set(ok.map(a => a.body.items[0].id));
    // A replay is a 201 too; only one answer may have created the requests.
    if (ids.size > 1 || ok.filter(a => !a.replayed).length > 1) {
      t.violations++;
      this.violations.push(
        `same idempotency key: ${ids.size} requests (${answers
          .map(a => `${a.replica}:${a.status}`)
          .join(', ')})`,
      );
    } else if (ok.length === 2) t.hit++;
    else t.undecided++;
  }

  /** Two approvers approve a 1-of-3 request at once, on different replicas. */
  async approversRace() {
    const r = await this.submit('one', pick(REQUESTERS), {
      failing: Math.random() < 0.1,
    });
    if (!r) return;
    const [a, b] = shuffle(APPROVERS);
    const [ra, rb] = await this.pickUp(2);
    const answers = await Promise.all([
      this.call(ra, 'approve', 'POST', `/requests/${r.id}/approve`, a, {}),
      this.call(rb, 'approve', 'POST', `/requests/${r.id}/approve`, b, {}),
    ]);
    this.tally('approve vs approve (1 of 3)', answers);
    const winner = answers.findIndex(x => x.status === 200);
    if (winner >= 0 && answers.filter(x => x.status === 200).length === 1)
      this.claims.push({
        race: 'approve vs approve',
        requestId: r.id,
        winner: `approve:${[a, b][winner]}`,
      });
  }

  /** Three approvers approve a 2-of-3 request at once: two succeed, one is late. */
  async twoOfThree() {
    const r = await this.submit('two', pick(REQUESTERS));
    if (!r) return;
    const replicas = await this.pickUp(3);
    const answers = await Promise.all(
      APPROVERS.map((a, i) =>
        this.call(
          replicas[i],
          'approve',
          'POST',
          `/requests/${r.id}/approve`,
          a,
          {},
        ),
      ),
    );
    this.tally('3 approvers on 2 of 3', answers, 2);
  }

  /** An approver rejects while another approves. */
  async rejectVsApprove() {
    const r = await this.submit('one', pick(REQUESTERS));
    if (!r) return;
    const [a, b] = shuffle(APPROVERS);
    const [ra, rb] = await this.pickUp(2);
    const answers = await Promise.all([
      this.call(ra, 'approve', 'POST', `/requests/${r.id}/approve`, a, {}),
      this.call(rb, 'reject', 'POST', `/requests/${r.id}/reject`, b, {
        reason: 'no',
      }),
    ]);
    if (this.tally('reject vs approve', answers) === 1)
      this.claims.push({
        race: 'reject vs approve',
        requestId: r.id,
        winner: answers[0].status === 200 ? `approve:${a}` : 'reject',
      });
  }

  /** The requester cancels while an approver approves. */
  async cancelVsApprove() {
    const who = pick(REQUESTERS);
    const r = await this.submit('one', who);
    if (!r) return;
    const a = pick(APPROVERS);
    const [ra, rb] = await this.pickUp(2);
    const answers = await Promise.all([
      this.call(ra, 'approve', 'POST', `/requests/${r.id}/approve`, a, {}),
      this.call(rb, 'cancel', 'POST', `/requests/${r.id}/cancel`, who, {}),
    ]);
    if (this.tally('cancel vs approve', answers) === 1)
      this.claims.push({
        race: 'cancel vs approve',
        requestId: r.id,
        winner: answers[0].status === 200 ? `approve:${a}` : 'cancel',
      });
  }

  /** The holder and an admin revoke right around expiresAt, racing the expiry task. */
  async revokeVsExpiry() {
    const who = pick(REQUESTERS);
    const r = await this.submit('auto', who, {
      durationSeconds: 2,
      kind: 'submit auto (to revoke)',
    });
    if (!r || r.status !== 'granted') return;
    const wait =
      Date.parse(r.expiresAt) - Date.now() + (Math.random() * 1600 - 600);
    await sleep(Math.max(0, wait));
    const [ra, rb] = await this.pickUp(2);
    const answers = await Promise.all([
      this.call(ra, 'revoke', 'POST', `/requests/${r.id}/revoke`, who, {}),
      this.call(rb, 'revoke', 'POST', `/requests/${r.id}/revoke`, 'boss', {}),
    ]);
    const ok = this.tally('revoke vs revoke vs expiry', answers);
    const decided = answers.every(a => a.status === 200 || a.status === 409);
    if (decided)
      this.claims.push({
        race: 'revoke vs expiry',
        requestId: r.id,
        winner: ok === 1 ? 'revoke' : 'expiry',
      });
  }

  /** Runs weighted scenarios on `workers` loops until `until`. */
  async run(until: number, workers: number) {
    const scenarios: [number, () => Promise<void>][] = [
      [4, () => this.autoGrant()],
      [1, () => this.idempotentSubmit()],
      [3, () => this.approversRace()],
      [2, () => this.twoOfThree()],
      [2, () => this.rejectVsApprove()],
      [2, () => this.cancelVsApprove()],
      [2, () => this.revokeVsExpiry()],
    ];
    const total = scenarios.reduce((s, [w]) => s + w, 0);
    const next = () => {
      let x = Math.random() * total;
      for (const [w, fn] of scenarios) {
        x -= w;
        if (x < 0) return fn;
      }
      return scenarios[0][1];
    };
    await Promise.all(
      Array.from({ length: workers }, async () => {
        while (Date.now() < until) {
          await next()().catch(e => this.violations.push(`driver: ${e}`));
        }
      }),
    );
  }
}
