import { AccessChange } from '../events/AccessEvents';
import { ProvisionerCalls } from './ProvisionerCalls';
import { RequestDeps } from './RequestDeps';
import { RequestViews } from './RequestViews';
import { RequestWriter } from './RequestWriter';

/** Ends a grant whose end was decided or that ran out, once the target confirms. */
export class GrantEnding {
  constructor(
    private readonly deps: RequestDeps,
    private readonly writer: RequestWriter,
    private readonly views: RequestViews,
    private readonly calls: ProvisionerCalls,
  ) {}

  private now() {
    return this.deps.clock.now();
  }

  /**
   * Revokes a grant whose end was decided (or that ran out) and records it once the
   * provisioner confirms. On failure the grant stays active and is retried with backoff.
   */
  async endGrant(id: string): Promise<'ended' | 'retry' | 'skipped'> {
    const now = this.now();
    let r = await this.deps.store.requests.getRequest(id);
    if (!r || r.status !== 'granted') return 'skipped';
    if (!r.ending) {
      if ((r.expiresAt ?? Infinity) > now) return 'skipped';
      // Claim the expiry first so that no extension slips in while the provisioner works.
      const ending = {
        as: 'expired' as const,
        reason: 'Access expired',
        by: 'system',
        at: now,
      };
      if (!(await this.writer.claimExpiry(r, ending, now))) return 'skipped';
      r = { ...r, ending };
    }
    const ending = r.ending!;
    try {
      await this.calls.revokeInTarget(r, r.expiresAt ?? now);
    } catch (e) {
      const message = (e as Error).message;
      const { attempts, backoff } = await this.writer.scheduleRetry(
        r,
        'revoke-failed',
        message,
        now,
      );
      this.deps.logger.error(
        `access: revocation of ${id} failed (attempt ${attempts}), retrying in ${backoff} ms: ${message}`,
      );
      return 'retry';
    }
    const changes: AccessChange[] = [];
    await this.deps.store.transaction(async tx => {
      const cur = await this.views.load(id, tx);
      if (cur.status !== 'granted') return;
      await this.deps.store.details.deleteDetails(tx, cur.id);
      changes.push(
        await this.writer.apply(tx, cur, {
          type: 'grant-ended',
          ending,
          endedAt: this.now(),
        }),
      );
    });
    await this.deps.events.emit(changes);
    return changes.length ? 'ended' : 'skipped';
  }
}
