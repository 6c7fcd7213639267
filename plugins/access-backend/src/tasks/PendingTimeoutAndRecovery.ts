import { formatDuration } from '../config/duration';
import { AccessChange } from '../events/AccessEvents';
import { CheckRunner } from '../requests/CheckRunner';
import { Granting } from '../requests/Granting';
import { RequestDeps } from '../requests/RequestDeps';
import { RequestViews } from '../requests/RequestViews';
import { RequestWriter } from '../requests/RequestWriter';

/**
 * The pending-timeout task (`access-pending-timeout`): ends requests nobody decided in
 * time, finishes grants and checks a crash interrupted, and forgets day-old idempotency
 * keys (the task also prunes the webhook outbox, see scheduleTasks).
 */
export class PendingTimeoutAndRecovery {
  constructor(
    private readonly deps: RequestDeps,
    private readonly writer: RequestWriter,
    private readonly views: RequestViews,
    private readonly granting: Granting,
    private readonly checkRunner: CheckRunner,
  ) {}

  private now() {
    return this.deps.clock.now();
  }

  /** Pending requests nobody decided end as expired after `access.pendingTimeout`. */
  async runPendingTimeout(): Promise<number> {
    const timeoutMs = this.deps.config.pendingTimeoutSeconds * 1000;
    // Requests whose grant never finished (the backend died mid-grant) are granted now;
    // provisioners are idempotent, so a grant that did happen is not done twice. Five
    // minutes: well beyond a provisioner call with its own timeouts and retries.
    for (const r of await this.deps.store.findStuckGranting(
      this.now() - 5 * 60_000,
      100,
    )) {
      await this.granting
        .grant(r.id, 'system')
        .catch(e =>
          this.deps.logger.warn(`access: grant of ${r.id} failed: ${e}`),
        );
    }
    await this.deps.store.deleteIdempotencyBefore(this.now() - 24 * 3600_000);
    // Requests whose checks never finished (the backend died meanwhile) are decided now.
    for (const r of await this.deps.store.findUndecided(
      this.now() - 60_000,
      100,
    )) {
      await this.checkRunner
        .runChecks(r.id)
        .catch(e =>
          this.deps.logger.warn(`access: checks of ${r.id} failed: ${e}`),
        );
    }
    let count = 0;
    for (;;) {
      const stale = await this.deps.store.findPendingBefore(
        this.now() - timeoutMs,
        500,
      );
      for (const r of stale) {
        if (await this.timeOut(r.id)) count++;
      }
      if (stale.length < 500) break;
    }
    return count;
  }

  private async timeOut(id: string): Promise<boolean> {
    const now = this.now();
    const changes: AccessChange[] = [];
    await this.deps.store.transaction(async tx => {
      const cur = await this.views.load(id, tx);
      if (cur.status !== 'pending') return;
      changes.push(
        await this.writer.apply(tx, cur, {
          type: 'timed-out',
          after: formatDuration(this.deps.config.pendingTimeoutSeconds),
          at: now,
        }),
      );
    });
    await this.deps.events.emit(changes);
    return changes.length > 0;
  }
}
