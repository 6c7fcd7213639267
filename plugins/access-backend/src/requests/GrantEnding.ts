import { AccessChange } from '../events/AccessEvents';
import { ProvisionerCalls } from './ProvisionerCalls';
import { RequestDeps } from './RequestDeps';
import { RequestViews } from './RequestViews';
import { RequestWriter } from './RequestWriter';
import { withdrawPendingExtension } from './transitions';

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
    let r = await this.deps.store.getRequest(id);
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
      const endedAt = this.now();
      await this.deps.store.deleteDetails(tx, cur.id);
      const changed = await this.writer.change(tx, cur, {
        to: ending.as === 'expired' ? 'expired' : 'revoked',
        patch: {
          endedAt,
          endReason: ending.reason,
          ending: null,
          // An open break-glass review outlives the access; anything else waiting ends with it.
          awaiting: cur.awaiting === 'review' ? 'review' : null,
          lastError: null,
          nextAttemptAt: null,
          ...withdrawPendingExtension(cur, 'Access ended'),
        },
        action: ending.as === 'expired' ? 'access-expired' : 'access-revoked',
        actor: ending.by,
        severity: ending.as === 'revoked' ? 'high' : 'medium',
        details: {
          reason: ending.reason,
          expiresAt: cur.expiresAt
            ? new Date(cur.expiresAt).toISOString()
            : undefined,
          lagMs:
            ending.as === 'expired' && cur.expiresAt
              ? endedAt - cur.expiresAt
              : undefined,
        },
      });
      changes.push({
        request: changed,
        action: ending.as === 'expired' ? 'access-expired' : 'access-revoked',
        actor: ending.by,
        // The holder who ended their own access is not told about it.
        notifyRequester: ending.by !== cur.requester,
      });
    });
    await this.deps.events.emit(changes);
    return changes.length ? 'ended' : 'skipped';
  }
}
