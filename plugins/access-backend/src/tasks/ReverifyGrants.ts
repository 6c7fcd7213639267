import { AccessChange } from '../events/AccessEvents';
import { CheckRunner } from '../requests/CheckRunner';
import { GrantEnding } from '../requests/GrantEnding';
import { RequestDeps } from '../requests/RequestDeps';
import { RequestViews } from '../requests/RequestViews';
import { RequestWriter } from '../requests/RequestWriter';
import { grantsInTurn, requesterGone } from '../requests/reverification';

/** The re-verification task (`access-reverify`): asks re-verifying checks again and revokes what no longer passes. */
export class ReverifyGrants {
  constructor(
    private readonly deps: RequestDeps,
    private readonly writer: RequestWriter,
    private readonly views: RequestViews,
    private readonly checkRunner: CheckRunner,
    private readonly ending: GrantEnding,
  ) {}

  private now() {
    return this.deps.clock.now();
  }

  /**
   * The re-verification task's body: grants approved by a check that re-verifies (PagerDuty
   * on-call with `revokeWhenOffCall`) are revoked once the check answers `failed`. An `error`
   * answer revokes nothing; it is logged and written to the audit trail. A grant a person
   * approved and such a check extended is re-verified only once the window the person
   * approved has ended (`reverifyAfter`): until then it stands on their approval. A
   * requester deleted from the catalog counts as `failed`. Each run goes on from the grant
   * after the last one checked ({@link grantsInTurn}).
   */
  async reverifyAndRevoke(options: { signal?: AbortSignal } = {}): Promise<{
    checked: number;
    revoked: number;
    errors: number;
    /** True when the scheduler aborted the run (it stops between grants). */
    stopped: boolean;
  }> {
    const ids = this.deps.config.checks
      .filter(c => this.checkRunner.reverifies(c.id))
      .map(c => c.id);
    let checked = 0;
    let revoked = 0;
    let errors = 0;
    const stopped = () => options.signal?.aborted === true;
    // The scheduler's timeout (or shutdown) ends the run between grants; the next run
    // goes on from there, on whichever replica runs it.
    for await (const r of grantsInTurn({
      store: this.deps.store,
      checkIds: ids,
      now: () => this.now(),
      stopped,
    })) {
      checked++;
      // A requester deleted from the catalog fails without asking the check.
      const result =
        (await requesterGone({
          directory: this.deps.directory,
          checks: this.deps.checks,
          checkId: r.approvedByCheck!,
          requester: r.requester,
          now: this.now(),
        })) ??
        (await this.checkRunner.runCheck(
          r.approvedByCheck!,
          await this.checkRunner.checkContext(r, { reverifying: true }),
        ));
      if (result.outcome === 'passed') continue;
      const now = this.now();
      if (result.outcome === 'error') {
        errors++;
        this.deps.logger.warn(
          `access: could not re-verify ${r.id} with ${result.checkId}: ${result.detail}`,
        );
        await this.writer.audit(
          this.deps.store.db,
          {
            at: now,
            actor: 'system',
            action: 'reverify-error',
            requestId: r.id,
            severity: 'medium',
            details: { check: result.checkId, detail: result.detail },
          },
          r,
        );
        continue;
      }
      const reason = `No longer passes check "${result.checkId}": ${result.detail}`;
      const changes: AccessChange[] = [];
      await this.deps.store.transaction(async tx => {
        const cur = await this.views.load(r.id, tx);
        if (cur.status !== 'granted' || cur.ending) return;
        changes.push(
          await this.writer.apply(tx, cur, {
            type: 'revoke-requested',
            by: `check:${result.checkId}`,
            reason,
            at: now,
            closesReview: false,
            failedCheck: result,
          }),
        );
      });
      await this.deps.events.emit(changes);
      if (changes.length) {
        revoked++;
        await this.ending.endGrant(r.id);
      }
    }
    return { checked, revoked, errors, stopped: stopped() };
  }
}
