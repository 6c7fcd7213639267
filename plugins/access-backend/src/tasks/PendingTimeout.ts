import { formatDuration } from '../config/duration';
import { AccessChange } from '../events/AccessEvents';
import { RequestDeps } from '../requests/RequestDeps';
import { RequestViews } from '../requests/RequestViews';
import { RequestWriter } from '../requests/RequestWriter';

const PAGE = 500;

/** Ends requests nobody decided in time. Part of the `access-pending-timeout` task. */
export class PendingTimeout {
  constructor(
    private readonly deps: RequestDeps,
    private readonly writer: RequestWriter,
    private readonly views: RequestViews,
  ) {}

  /**
   * Pending requests nobody decided end as expired after `access.pendingTimeout`.
   *
   * @returns how many timed out.
   */
  async timeOutUndecidedRequests(): Promise<number> {
    const timeoutMs = this.deps.config.pendingTimeoutSeconds * 1000;
    let count = 0;
    for (;;) {
      const stale = await this.deps.store.requests.findPendingBefore(
        this.deps.clock.now() - timeoutMs,
        PAGE,
      );
      for (const r of stale) {
        if (await this.timeOut(r.id)) count++;
      }
      if (stale.length < PAGE) break;
    }
    return count;
  }

  private async timeOut(id: string): Promise<boolean> {
    const now = this.deps.clock.now();
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
