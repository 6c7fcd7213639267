import { ConflictError } from '@backstage/errors';
import { Knex } from 'knex';
import { Clock } from '../clock';
import {
  AccessStore,
  RequestPatch,
  UpdateGuard,
} from '../database/AccessStore';
import {
  NewAuditRecord,
  NewRequestRecord,
  RequestRecord,
} from '../database/types';
import { WebhookOutbox } from '../webhooks/WebhookOutbox';
import { canTransition } from './stateMachine';
import { AccessChange } from '../events/AccessEvents';
import { planTransition } from './transitions/planTransition';
import { RequestEvent } from './transitions/RequestEvent';
import { TransitionSpec } from './transitions/Transition';

/** Provisioner calls that are retried with backoff after a failure. */
export type RetriedCall =
  | 'revoke-failed'
  | 'grant-cleanup-failed'
  | 'provisioner-extend-failed';

const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * The only code that changes a request row. Every change is a guarded update plus its
 * audit entry and outbound webhook events in one transaction; a lost race is a 409 (or
 * `false`), never a silent overwrite. Notices and signals are the caller's, after commit.
 */
export class RequestWriter {
  constructor(
    private readonly deps: {
      store: AccessStore;
      clock: Clock;
      /** Outbound webhooks; none when absent. */
      outbox?: WebhookOutbox;
    },
  ) {}

  /** Writes an audit entry and, in the same transaction, the webhook events it makes. */
  async audit(
    tx: Knex | Knex.Transaction,
    entry: NewAuditRecord,
    request?: RequestRecord,
  ): Promise<void> {
    await this.deps.store.audit.insertAudit(tx, entry);
    await this.deps.outbox?.enqueue(tx, entry, request);
  }

  /** Inserts a new request with its audit entry. */
  async create(
    tx: Knex.Transaction,
    record: NewRequestRecord,
    entry: NewAuditRecord,
  ): Promise<void> {
    await this.deps.store.requests.insertRequest(tx, record);
    await this.audit(tx, entry, {
      ...record,
      updatedAt: entry.at,
      attempts: 0,
      extendAttempts: 0,
    });
  }

  /**
   * Applies `event` to `r` inside the caller's transaction, as `planTransition` states it,
   * and returns the change to publish after commit. Throws 409 when another writer
   * changed the request first.
   */
  async apply(
    tx: Knex.Transaction,
    r: RequestRecord,
    event: RequestEvent,
  ): Promise<AccessChange> {
    const { spec, notice } = planTransition(r, event);
    const request = await this.change(tx, r, spec);
    return { ...notice, request, action: spec.action, actor: spec.actor };
  }

  /**
   * Applies one guarded change and its audit entry inside the caller's transaction and
   * returns the request as it now is. Throws 409 when another writer changed it first.
   */
  private async change(
    tx: Knex.Transaction,
    r: RequestRecord,
    spec: TransitionSpec,
  ): Promise<RequestRecord> {
    const now = this.deps.clock.now();
    if (spec.to && !canTransition(r.status, spec.to)) {
      throw new ConflictError(
        `Request ${r.id} is ${r.status} and cannot become ${spec.to}`,
      );
    }
    const patch: RequestPatch = { ...spec.patch };
    if (spec.to) patch.status = spec.to;
    const ok = await this.deps.store.requests.updateRequest(
      tx,
      r.id,
      { status: r.status, ...spec.guard },
      patch,
      now,
    );
    if (!ok)
      throw new ConflictError(
        spec.conflict ??
          `Request ${r.id} changed meanwhile; reload and try again`,
      );
    const updated: RequestRecord = { ...r, updatedAt: now };
    for (const [k, v] of Object.entries(patch)) {
      (updated as any)[k] = v === null ? undefined : v;
    }
    await this.audit(
      tx,
      {
        at: now,
        actor: spec.actor,
        action: spec.action,
        requestId: r.id,
        severity: spec.severity ?? 'medium',
        fromStatus: spec.to ? r.status : undefined,
        toStatus: spec.to,
        details: spec.details ?? {},
      },
      updated,
    );
    return updated;
  }

  /**
   * Records a failed provisioner call to be retried with exponential backoff, with its
   * high-severity audit entry. A failed revocation also shows its error on the request;
   * a failed request keeps the error of the grant that failed; a failed extension is
   * retried while the grant lasts (and keeps its own count).
   */
  async scheduleRetry(
    r: RequestRecord,
    action: RetriedCall,
    message: string,
    now: number,
    details: Record<string, unknown> = {},
  ): Promise<{ attempts: number; backoff: number }> {
    const extend = action === 'provisioner-extend-failed';
    const attempts = (extend ? r.extendAttempts : r.attempts) + 1;
    const backoff = Math.min(
      MAX_BACKOFF_MS,
      5000 * 2 ** Math.min(attempts - 1, 10),
    );
    let guard: UpdateGuard = { status: r.status };
    let patch: RequestPatch = { attempts, nextAttemptAt: now + backoff };
    if (extend) {
      guard = { status: 'granted', notEnding: true };
      patch = { extendAttempts: attempts, extendRetryAt: now + backoff };
    } else if (action === 'revoke-failed') {
      guard = { status: 'granted' };
      patch.lastError = message;
    }
    await this.deps.store.transaction(async tx => {
      if (
        await this.deps.store.requests.updateRequest(
          tx,
          r.id,
          guard,
          patch,
          now,
        )
      ) {
        await this.audit(
          tx,
          {
            at: now,
            actor: 'system',
            action,
            requestId: r.id,
            severity: 'high',
            details: {
              error: message,
              attempts,
              retryInMs: backoff,
              ...details,
            },
          },
          r,
        );
      }
    });
    return { attempts, backoff };
  }

  /** The target confirmed the undo of a failed or late grant: the clean-up is done. */
  async finishCleanup(r: RequestRecord, now: number): Promise<void> {
    await this.deps.store.transaction(async tx => {
      const done = await this.deps.store.requests.updateRequest(
        tx,
        r.id,
        // A stalled replica finishing the same clean-up late records nothing.
        { status: r.status, ending: true },
        { ending: null, nextAttemptAt: null },
        now,
      );
      if (done) {
        await this.audit(
          tx,
          {
            at: now,
            actor: 'system',
            action: 'grant-cleanup-done',
            requestId: r.id,
            severity: 'medium',
            details: {},
          },
          r,
        );
      }
    });
  }

  /**
   * Claims a run-out grant for expiry before the provisioner is called, so that no
   * extension slips in meanwhile. Not audited: `access-expired` follows the revocation.
   * False when it did not run out or someone else claimed it.
   */
  claimExpiry(
    r: RequestRecord,
    ending: NonNullable<RequestRecord['ending']>,
    now: number,
  ): Promise<boolean> {
    return this.deps.store.requests.updateRequest(
      this.deps.store.db,
      r.id,
      { status: 'granted', notEnding: true, expiredAt: now },
      { ending },
      now,
    );
  }

  /** The target confirmed an extension; done unless another one moved the end meanwhile. */
  confirmExtended(id: string, expiresAt: number): Promise<void> {
    return this.deps.store.requests.clearExtendPending(id, expiresAt);
  }

  /** Marks that the holder was told the grant ends soon; false when already told. */
  recordExpiryNotice(
    id: string,
    expiresAt: number,
    now: number,
  ): Promise<boolean> {
    return this.deps.store.requests.markExpiryNotified(id, expiresAt, now);
  }

  /**
   * Ends up to `limit` run-out grants of no-op provisioners in one transaction, with the
   * same result and audit entries as a revocation confirmed one by one. The caller
   * publishes the notices.
   */
  async expireInBulk(
    provisioners: string[],
    limit: number,
  ): Promise<RequestRecord[]> {
    if (!provisioners.length) return [];
    const now = this.deps.clock.now();
    let ended: RequestRecord[] = [];
    await this.deps.store.transaction(async tx => {
      ended = await this.deps.store.requests.expireWithoutProvisioner(tx, {
        now,
        provisioners,
        limit,
      });
      const entries: NewAuditRecord[] = ended.map(r => ({
        at: now,
        actor: 'system',
        action: 'access-expired',
        requestId: r.id,
        severity: 'medium',
        fromStatus: 'granted',
        toStatus: 'expired',
        details: {
          reason: 'Access expired',
          expiresAt: new Date(r.expiresAt!).toISOString(),
          lagMs: now - r.expiresAt!,
        },
      }));
      await this.deps.store.audit.insertAuditMany(tx, entries);
      await this.deps.outbox?.enqueueMany(
        tx,
        entries.map((entry, i) => ({ entry, request: ended[i] })),
      );
    });
    return ended;
  }
}
