import { mapLimit } from '../concurrency';
import { GrantEnding } from '../requests/GrantEnding';
import { Granting } from '../requests/Granting';
import { ProvisionerCalls } from '../requests/ProvisionerCalls';
import { RequestDeps } from '../requests/RequestDeps';
import { RequestWriter } from '../requests/RequestWriter';

/** Grants ended per transaction by the bulk expiry path. */
const BULK_EXPIRY_BATCH = 5000;

/**
 * The expiry task (`access-expiry`, and its per-replica watchdog): ends grants that ran
 * out or whose revocation is due (no-op provisioners in bulk), and retries the clean-up
 * of failed grants and extensions the target has not confirmed.
 */
export class ExpiryAndRetries {
  constructor(
    private readonly deps: RequestDeps,
    private readonly writer: RequestWriter,
    private readonly granting: Granting,
    private readonly ending: GrantEnding,
    private readonly calls: ProvisionerCalls,
  ) {}

  private now() {
    return this.deps.clock.now();
  }

  /**
   * The expiry task's body: ends every grant that ran out or whose revocation is due, and
   * retries clean-ups of failed grants and extensions the target has not confirmed. One
   * run at a time in this process (the task and its watchdog share it), so at most
   * `access.expiry.revokeConcurrency` revocations run at once here.
   */
  endGrantsAndRetryTargetCalls(): Promise<{ ended: number; retried: number }> {
    if (!this.expiryRun) {
      this.expiryRun = this.expireAll().finally(() => {
        this.expiryRun = undefined;
      });
    }
    return this.expiryRun;
  }

  private expiryRun?: Promise<{ ended: number; retried: number }>;

  private async expireAll(): Promise<{ ended: number; retried: number }> {
    let ended = 0;
    let retried = 0;
    for (const r of await this.deps.store.requests.findFailedCleanup(
      this.now(),
      100,
    )) {
      if (
        (await this.granting.cleanupFailedGrant(r.id).catch(() => 'retry')) ===
        'retry'
      )
        retried++;
    }
    // Grants whose provisioner changes nothing outside Backstage end in bulk.
    // Each batch's notices go out while the next batch is ended.
    const noop = this.deps.provisioners.noopIds();
    // One batch's notices in flight at a time, so memory stays bounded.
    let notices: Promise<void> = Promise.resolve();
    for (;;) {
      const batch = await this.writer.expireInBulk(noop, BULK_EXPIRY_BATCH);
      ended += batch.length;
      await notices;
      notices = this.deps.events.emit(
        batch.map(r => ({
          request: r,
          action: 'access-expired',
          actor: 'system',
          notifyRequester: true,
          summarized: true,
        })),
      );
      if (batch.length < BULK_EXPIRY_BATCH) break;
    }
    await notices;
    for (const r of await this.deps.store.requests.findExtendsDue(
      this.now(),
      100,
    )) {
      if (
        (await this.calls.extendInTarget(r.id).catch(() => 'retry')) === 'retry'
      )
        retried++;
    }
    const concurrency = this.deps.config.revokeConcurrency;
    for (;;) {
      const due = await this.deps.store.requests.findGrantsToEnd(
        this.now(),
        500,
      );
      if (due.length === 0) break;
      let progressed = 0;
      const results = await mapLimit(due, concurrency, r =>
        this.ending.endGrant(r.id).catch(() => 'retry' as const),
      );
      for (const res of results) {
        if (res === 'ended') ended++;
        if (res === 'retry') retried++;
        if (res !== 'skipped') progressed++;
      }
      // Everything left is backing off or was taken by someone else.
      if (progressed === 0 || due.length < 500) break;
    }
    return { ended, retried };
  }

  /** Whether some access waits more than `ms` past when it should have ended. */
  async hasOverdueEnds(ms: number): Promise<boolean> {
    return this.deps.store.requests.hasOverdueEnds(this.now() - ms);
  }
}
