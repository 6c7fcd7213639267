import { LoggerService } from '@backstage/backend-plugin-api';
import { randomUUID } from 'crypto';
import { Clock } from '../clock';
import { mapLimit } from '../concurrency';
import { OutboundWebhookConfig } from '../config/AccessConfig';
import { Db } from '../database/AccessStore';
import { OutboxRecord, OutboxStore } from '../database/OutboxStore';
import { NewEventRecord, RequestRecord } from '../database/types';
import {
  boundedFetch,
  REDIRECT_NOT_FOLLOWED,
  ResponseTooLargeError,
} from '../http/boundedFetch';
import { headerSecrets, Redactor } from '../http/redact';
import { WebhookSigner } from '../http/webhookSigning';
import { subscribes } from '../config/eventSubscriptions';
import { eventTypeOf } from './eventTypes';

/**
 * The JSON body of an outbound webhook event (documented in docs/webhooks.md).
 *
 * @public
 */
export interface OutboundWebhookEvent {
  /** Stable across retries; also the `webhook-id` header. */
  id: string;
  /** e.g. `request.approved`, or `audit.<action>`. */
  type: string;
  /** When the change happened (ISO 8601). */
  timestamp: string;
  data: {
    /** The audit action the event comes from. */
    action: string;
    actor: string;
    severity: string;
    fromStatus?: string;
    toStatus?: string;
    details: Record<string, unknown>;
    /** The request as it was right after the change. */
    request?: OutboundWebhookRequest;
  };
}

/** The request in an outbound webhook event: no secrets, nothing internal. */
export interface OutboundWebhookRequest {
  id: string;
  status: string;
  requester: string;
  createdBy: string;
  flowId: string;
  flowTitle: string;
  approvalType: string;
  resources: { entityRef: string; permissions: string[] }[];
  justification: string;
  durationSeconds: number;
  approvers: string[];
  breakGlass: boolean;
  createdAt: string;
  grantedAt?: string;
  expiresAt?: string;
  endedAt?: string;
  endReason?: string;
  /** Path of the request in the portal, relative to the app's base URL. */
  link: string;
}

const iso = (ms?: number) =>
  ms === undefined ? undefined : new Date(ms).toISOString();

function requestOf(r: RequestRecord): OutboundWebhookRequest {
  return {
    id: r.id,
    status: r.status,
    requester: r.requester,
    createdBy: r.createdBy,
    flowId: r.flowId,
    flowTitle: r.flowTitle,
    approvalType: r.approvalType,
    resources: r.resources.map(x => ({
      entityRef: x.entityRef,
      permissions: x.permissions,
    })),
    justification: r.justification,
    durationSeconds: r.durationSeconds,
    approvers: r.approvers,
    breakGlass: r.breakGlass,
    createdAt: iso(r.createdAt)!,
    grantedAt: iso(r.grantedAt),
    expiresAt: iso(r.expiresAt),
    endedAt: iso(r.endedAt),
    endReason: r.endReason,
    link: `/access/requests/${r.id}`,
  };
}

/** Most events handed out per pass, and sent at once. */
const BATCH = 50;
const CONCURRENCY = 8;
const FIRST_BACKOFF_MS = 2_000;
const MAX_BACKOFF_MS = 10 * 60_000;
/** A delivery run stops taking new events after this long; the next run goes on. */
const RUN_BUDGET_MS = 20_000;
const KEEP_DELIVERED_MS = 7 * 86_400_000;
const EXCERPT_CHARS = 200;

/**
 * Outbound webhooks through a database outbox. Events are written in the transaction of
 * the change they describe, then delivered at least once, in order per webhook and
 * request, signed with Standard Webhooks, retried with backoff until the receiver
 * answers 2xx. Several replicas may deliver at once: a guarded claim hands each attempt
 * to one of them, and an attempt whose replica dies is retried with the same event id.
 */
export class WebhookOutbox {
  private readonly signers = new Map<string, WebhookSigner>();
  // Receivers may echo the request's headers in an error body, which is stored and logged.
  private readonly redactors = new Map<string, Redactor>();
  private running?: Promise<{ delivered: number; failed: number }>;
  private again = false;

  constructor(
    private readonly deps: {
      store: OutboxStore;
      webhooks: OutboundWebhookConfig[];
      clock: Clock;
      logger: LoggerService;
      fetch?: typeof fetch;
    },
  ) {
    for (const w of deps.webhooks) {
      this.signers.set(w.id, new WebhookSigner(w.secret));
      this.redactors.set(
        w.id,
        new Redactor([...headerSecrets(w.headers), w.secret]),
      );
    }
  }

  /** Whether any webhook is configured (else nothing is written). */
  get enabled(): boolean {
    return this.deps.webhooks.length > 0;
  }

  /**
   * Writes the events an audit entry produces, in the same transaction.
   *
   * @param request - the request right after the change, when the entry is about one
   */
  async enqueue(
    tx: Db,
    entry: NewEventRecord,
    request?: RequestRecord,
  ): Promise<void> {
    await this.enqueueMany(tx, [{ entry, request }]);
  }

  /** {@link WebhookOutbox.enqueue} for many entries, in few statements. */
  async enqueueMany(
    tx: Db,
    items: { entry: NewEventRecord; request?: RequestRecord }[],
  ): Promise<void> {
    if (!this.enabled) return;
    const rows = items.flatMap(({ entry, request }) => {
      const type = eventTypeOf(entry.action);
      return this.deps.webhooks
        .filter(w => subscribes(w.events, type))
        .map(w => {
          const event: OutboundWebhookEvent = {
            id: `evt_${randomUUID()}`,
            type,
            timestamp: new Date(entry.at).toISOString(),
            data: {
              action: entry.action,
              actor: entry.actor,
              severity: entry.severity,
              fromStatus: entry.fromStatus,
              toStatus: entry.toStatus,
              details: entry.details,
              request: request ? requestOf(request) : undefined,
            },
          };
          return {
            webhookId: w.id,
            orderKey: entry.requestId ?? '-',
            eventType: type,
            payload: JSON.stringify(event),
            createdAt: entry.at,
          };
        });
    });
    await this.deps.store.insert(tx, rows);
  }

  /** Starts a delivery run soon, without waiting (after a change commits). */
  kick(): void {
    if (!this.enabled) return;
    this.deliverDue().catch(e =>
      this.deps.logger.warn(`access: webhook delivery run failed: ${e}`),
    );
  }

  /**
   * Delivers every event that is due. One run at a time per process; a call during a
   * run makes it look again once done.
   */
  async deliverDue(): Promise<{ delivered: number; failed: number }> {
    if (!this.enabled) return { delivered: 0, failed: 0 };
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      const total = { delivered: 0, failed: 0 };
      try {
        do {
          this.again = false;
          const started = Date.now();
          for (;;) {
            const due = await this.deps.store.findDue(
              this.deps.clock.now(),
              BATCH,
            );
            if (!due.length) break;
            const results = await mapLimit(due, CONCURRENCY, e =>
              this.attempt(e),
            );
            for (const r of results) if (r !== 'skipped') total[r]++;
            if (Date.now() - started > RUN_BUDGET_MS) break;
            // Only failures and lost claims left: they wait for their backoff.
            if (results.every(r => r !== 'delivered')) break;
          }
        } while (this.again);
        return total;
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Deletes delivered events older than a week. */
  async prune(): Promise<number> {
    return this.deps.store.deleteDeliveredBefore(
      this.deps.clock.now() - KEEP_DELIVERED_MS,
    );
  }

  private async attempt(
    e: OutboxRecord,
  ): Promise<'delivered' | 'failed' | 'skipped'> {
    const webhook = this.deps.webhooks.find(w => w.id === e.webhookId);
    const now = this.deps.clock.now();
    if (!webhook) {
      // Removed from config: its backlog waits in case it comes back.
      await this.deps.store.markFailed(
        e.id,
        now + MAX_BACKOFF_MS,
        'webhook is no longer configured',
      );
      return 'skipped';
    }
    if (!(await this.deps.store.claim(e, now + webhook.timeoutMs + 30_000))) {
      return 'skipped';
    }
    const error = await this.send(webhook, e);
    if (!error) {
      await this.deps.store.markDelivered(e.id, this.deps.clock.now());
      return 'delivered';
    }
    const attempts = e.attempts + 1;
    const backoff = Math.min(
      MAX_BACKOFF_MS,
      FIRST_BACKOFF_MS * 2 ** Math.min(attempts - 1, 20),
    );
    await this.deps.store.markFailed(
      e.id,
      this.deps.clock.now() + backoff,
      error,
    );
    if (attempts === 1 || attempts % 5 === 0) {
      this.deps.logger.warn(
        `access: webhook "${webhook.id}" did not take ${
          e.eventType
        } (attempt ${attempts}, next in ${Math.round(
          backoff / 1000,
        )}s): ${error}`,
      );
    }
    return 'failed';
  }

  /** Sends one attempt; returns why it failed, or undefined on 2xx. */
  private async send(
    webhook: OutboundWebhookConfig,
    e: OutboxRecord,
  ): Promise<string | undefined> {
    const eventId = (JSON.parse(e.payload) as OutboundWebhookEvent).id;
    const signed = this.signers.get(webhook.id)!.sign(e.payload, eventId);
    const redactor = this.redactors.get(webhook.id)!;
    try {
      const response = await boundedFetch(
        webhook.url,
        {
          method: 'POST',
          headers: {
            ...webhook.headers,
            'content-type': 'application/json',
            'user-agent': 'backstage-jit-access',
            ...signed,
          },
          body: e.payload,
          signal: AbortSignal.timeout(webhook.timeoutMs),
          maxResponseBytes: webhook.maxResponseBytes,
        },
        this.deps.fetch,
      );
      if (response.redirect) {
        await response.discard();
        return `HTTP ${response.status} ${REDIRECT_NOT_FOLLOWED}`;
      }
      let text: string;
      try {
        text = await response.text();
      } catch (err) {
        // An answer larger than allowed fails the attempt, even a 2xx.
        if (err instanceof ResponseTooLargeError) {
          return `HTTP ${response.status}: ${err.message}`;
        }
        text = '';
      }
      if (response.ok) return undefined;
      const excerpt = redactor.excerpt(text, EXCERPT_CHARS);
      return `HTTP ${response.status}${excerpt ? `: ${excerpt}` : ''}`;
    } catch (err) {
      const x = err as Error;
      return x.name === 'TimeoutError'
        ? `no answer within ${webhook.timeoutMs} ms`
        : redactor.redact(
            `${x.message}${
              (x as any).cause?.code ? ` (${(x as any).cause.code})` : ''
            }`,
          );
    }
  }
}
