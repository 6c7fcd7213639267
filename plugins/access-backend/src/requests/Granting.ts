import { TERMINAL_STATUSES } from '@jit-access/plugin-access-common';
import { Knex } from 'knex';
import { AccessChange } from '../events/AccessEvents';
import { ProvisionerCalls } from './ProvisionerCalls';
import { RequestDeps } from './RequestDeps';
import { RequestViews } from './RequestViews';
import { RequestWriter } from './RequestWriter';

/** Tries to record a provisioner's answer (250 ms, then doubling: about 4 s in all). */
const RECORD_TRIES = 5;

/** Keeps string-like access details, at most 50 keys of 4 kB each; anything else is dropped. */
function cleanDetails(raw: unknown): Record<string, string> | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw).slice(0, 50)) {
    if (['string', 'number', 'boolean'].includes(typeof v))
      out[k.slice(0, 100)] = String(v).slice(0, 4096);
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * Grants an approved request in the target and records the answer; undoes what a failed
 * or late grant may have left there.
 */
export class Granting {
  constructor(
    private readonly deps: RequestDeps,
    private readonly writer: RequestWriter,
    private readonly views: RequestViews,
    private readonly calls: ProvisionerCalls,
  ) {}

  private now() {
    return this.deps.clock.now();
  }

  /** Calls the provisioner for a request in `granting` and records the outcome. */
  async grant(id: string, actor: string): Promise<void> {
    const r = await this.deps.store.requests.getRequest(id);
    if (!r || r.status !== 'granting') return;
    const grantedAt = this.now();
    const expiresAt = grantedAt + r.durationSeconds * 1000;
    let error: Error | undefined;
    let details: Record<string, string> | undefined;
    try {
      const result = await this.deps.provisioners
        .get(r.provisioner)
        .grant(await this.calls.targetRequest(r, expiresAt));
      details = cleanDetails(result?.accessDetails);
    } catch (e) {
      error = e as Error;
    }
    const changes: AccessChange[] = [];
    await this.recordProvisionerAnswer(async tx => {
      changes.length = 0;
      const cur = await this.views.load(id, tx);
      if (cur.status !== 'granting') return;
      if (error) {
        // The provisioner may have done part of the work before failing: undo it.
        changes.push(
          await this.writer.apply(tx, cur, {
            type: 'grant-failed',
            error: error.message,
            at: this.now(),
          }),
        );
      } else {
        // Sealed in the same transaction as the grant; never written to the audit trail.
        if (details) {
          await this.deps.store.details.putDetails(
            tx,
            cur.id,
            this.deps.cipher.encrypt(cur.id, details),
            this.now(),
          );
        }
        changes.push(
          await this.writer.apply(tx, cur, {
            type: 'granted',
            by: actor,
            grantedAt,
            expiresAt,
          }),
        );
      }
    });
    if (error)
      this.deps.logger.warn(`access: grant of ${id} failed: ${error.message}`);
    await this.deps.events.emit(changes);
    if (error && changes.length) await this.cleanupFailedGrant(id);
    if (!changes.length) await this.undoLateGrant(id);
  }

  /**
   * Runs the transaction that records what the provisioner did, again when the database
   * fails meanwhile (a dropped connection, a failover). Giving up would leave the target
   * granted and the request in `granting`, without an `expiresAt`, until the crash
   * recovery grants it again minutes later.
   */
  private async recordProvisionerAnswer(
    fn: (tx: Knex.Transaction) => Promise<void>,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.deps.store.transaction(fn);
        return;
      } catch (e) {
        if (attempt >= RECORD_TRIES) throw e;
        this.deps.logger.warn(
          `access: could not record a provisioner's answer (try ${attempt} of ${RECORD_TRIES}); trying again: ${e}`,
        );
        await new Promise(resolve =>
          setTimeout(resolve, 250 * 2 ** (attempt - 1)),
        );
      }
    }
  }

  /**
   * Grants right after the decision committed. The decision stands if this fails (say the
   * database connection dropped): the request waits in `granting` and the pending-timeout
   * task finishes it, so the caller is not told that a committed decision failed.
   */
  async grantAfterCommit(id: string, actor: string): Promise<void> {
    await this.grant(id, actor).catch(e =>
      this.deps.logger.error(
        `access: could not grant ${id} after it was approved; it will be retried: ${e}`,
      ),
    );
  }

  /**
   * A grant call that returns after the request was settled elsewhere (another replica
   * finished it, or it ended meanwhile) may have re-created access in the target: when the
   * request has ended, undo it like a failed grant.
   */
  private async undoLateGrant(id: string): Promise<void> {
    const now = this.now();
    let marked = false;
    await this.deps.store.transaction(async tx => {
      const cur = await this.views.load(id, tx);
      if (!TERMINAL_STATUSES.includes(cur.status) || cur.ending) return;
      await this.writer.apply(tx, cur, { type: 'late-grant-undo', at: now });
      marked = true;
    });
    if (marked) await this.cleanupFailedGrant(id);
  }

  /**
   * Undoes what a failed or late grant may have done in the target (provisioners' revoke
   * is idempotent), so nothing stays granted without an active grant record. Retried with
   * backoff by the expiry task until the provisioner confirms.
   */
  async cleanupFailedGrant(id: string): Promise<'done' | 'retry' | 'skipped'> {
    const r = await this.deps.store.requests.getRequest(id);
    if (
      !r ||
      !TERMINAL_STATUSES.includes(r.status) ||
      r.ending?.as !== 'cleanup'
    )
      return 'skipped';
    const now = this.now();
    try {
      await this.calls.revokeInTarget(r, now);
    } catch (e) {
      const message = (e as Error).message;
      const { attempts } = await this.writer.scheduleRetry(
        r,
        'grant-cleanup-failed',
        message,
        now,
      );
      this.deps.logger.error(
        `access: could not undo the failed grant ${id} (attempt ${attempts}): ${message}`,
      );
      return 'retry';
    }
    await this.writer.finishCleanup(r, now);
    return 'done';
  }
}
