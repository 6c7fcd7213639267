import { createServer, IncomingMessage, Server } from 'http';
import { AddressInfo } from 'net';
import { Webhook } from 'standardwebhooks';
import { FAILING_PERMISSION } from './world';

/** One POST as it arrived. */
export interface Delivery {
  at: number;
  kind: 'grant' | 'revoke';
  requestId: string;
  webhookId: string;
  /** The replica that called (its X-Replica header). */
  replica: string;
  /** What the receiver answered. */
  answer: number;
  /** new: did the work; copy: same webhook-id again; concurrent: while the first was running. */
  outcome: 'new' | 'copy' | 'concurrent' | 'transient' | 'refused' | 'bad';
}

/** The effect of a grant or revocation in the "target system". */
export interface Effect {
  at: number;
  webhookId: string;
  /** The replica whose call did it. */
  replica: string;
  /** expiresAt of the event. */
  expiresAt: number;
}

export interface RequestEffects {
  grant?: Effect;
  revoke?: Effect;
  /** Grant refused with a 4xx (the request asked for FAILING_PERMISSION). */
  refusedGrant?: boolean;
  /** Every webhook-id seen for the request, per kind. */
  ids: { grant: Set<string>; revoke: Set<string> };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', c => (text += c));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/**
 * A webhook receiver that behaves like a well-written target: it verifies signatures,
 * de-duplicates on webhook-id (answering copies like the first call, and a copy that
 * arrives while the first is still running with 503), and records every call and every
 * effect per request. It answers some first tries with 503 so the provisioner's retries
 * show, and refuses grants that ask for FAILING_PERMISSION with 400.
 */
export class RecordingReceiver {
  readonly deliveries: Delivery[] = [];
  readonly byRequest = new Map<string, RequestEffects>();
  /** Problems seen on arrival (bad signature, a grant after the revocation, ...). */
  readonly violations: string[] = [];
  /** Extra time a revocation takes (to keep the expiry task busy while a replica dies). */
  slowRevokeMs = 0;
  /** Share of first tries answered 503. */
  transientRate = 0.05;

  private readonly state = new Map<string, 'running' | 'done' | 'refused'>();
  private server?: Server;
  private readonly webhook: Webhook;

  constructor(secret: string) {
    this.webhook = new Webhook(secret);
  }

  get url(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}/hook`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req)
        .then(({ status, body }) => {
          res.statusCode = status;
          res.setHeader('Content-Type', 'application/json');
          res.end(JSON.stringify(body));
        })
        .catch(e => {
          this.violations.push(`receiver crashed: ${e}`);
          res.statusCode = 500;
          res.end();
        });
    });
    await new Promise<void>(resolve =>
      this.server!.listen(0, '127.0.0.1', resolve),
    );
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>(resolve => this.server?.close(() => resolve()));
  }

  effects(requestId: string): RequestEffects {
    let e = this.byRequest.get(requestId);
    if (!e) {
      e = { ids: { grant: new Set(), revoke: new Set() } };
      this.byRequest.set(requestId, e);
    }
    return e;
  }

  count(outcome: Delivery['outcome'], kind?: Delivery['kind']): number {
    return this.deliveries.filter(
      d => d.outcome === outcome && (!kind || d.kind === kind),
    ).length;
  }

  private async handle(
    req: IncomingMessage,
  ): Promise<{ status: number; body: unknown }> {
    const text = await readBody(req);
    const webhookId = String(req.headers['webhook-id'] ?? '');
    let event: any;
    try {
      event = this.webhook.verify(text, req.headers as Record<string, string>);
    } catch (e) {
      this.violations.push(`unverifiable webhook ${webhookId}: ${e}`);
      return { status: 401, body: {} };
    }
    const kind = event.type === 'access.grant' ? 'grant' : 'revoke';
    const requestId: string = event.data.requestId;
    const delivery: Delivery = {
      at: Date.now(),
      kind,
      requestId,
      webhookId,
      replica: String(req.headers['x-replica'] ?? ''),
      answer: 200,
      outcome: 'new',
    };
    this.deliveries.push(delivery);
    const effects = this.effects(requestId);
    effects.ids[kind].add(webhookId);
    const answer = (status: number, outcome: Delivery['outcome']) => {
      delivery.answer = status;
      delivery.outcome = outcome;
      return {
        status,
        body:
          status === 200 && kind === 'grant'
            ? { accessDetails: { role: `jit_${requestId.slice(0, 8)}` } }
            : {},
      };
    };

    const seen = this.state.get(webhookId);
    if (seen === 'running') return answer(503, 'concurrent');
    if (seen === 'done') {
      if (kind === 'grant' && effects.revoke) {
        this.violations.push(
          `${requestId}: grant asked again after its revocation`,
        );
      }
      return answer(200, 'copy');
    }
    if (seen === 'refused') return answer(400, 'refused');
    if (Math.random() < this.transientRate) return answer(503, 'transient');

    const asksFailing = (event.data.resources as any[]).some(r =>
      r.permissions.includes(FAILING_PERMISSION),
    );
    if (kind === 'grant' && asksFailing) {
      this.state.set(webhookId, 'refused');
      effects.refusedGrant = true;
      return answer(400, 'refused');
    }

    this.state.set(webhookId, 'running');
    await sleep(
      Math.random() * 40 + (kind === 'revoke' ? this.slowRevokeMs : 0),
    );
    const effect: Effect = {
      at: Date.now(),
      webhookId,
      replica: delivery.replica,
      expiresAt: Date.parse(event.data.expiresAt),
    };
    if (kind === 'grant') {
      if (effects.revoke) {
        this.violations.push(`${requestId}: granted after it was revoked`);
      }
      if (effects.grant) {
        this.violations.push(
          `${requestId}: a second grant effect (${webhookId} after ${effects.grant.webhookId})`,
        );
      }
      effects.grant ??= effect;
    } else {
      if (effects.revoke) {
        this.violations.push(
          `${requestId}: a second revoke effect (${webhookId} after ${effects.revoke.webhookId})`,
        );
      }
      effects.revoke ??= effect;
    }
    this.state.set(webhookId, 'done');
    return answer(200, 'new');
  }
}
