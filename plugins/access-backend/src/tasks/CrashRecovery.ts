import { CheckRunner } from '../requests/CheckRunner';
import { Granting } from '../requests/Granting';
import { RequestDeps } from '../requests/RequestDeps';

/** Up to this many of each are finished per run. */
const PER_RUN = 100;

/**
 * Finishes what a backend that stopped in the middle of a request left behind: grants the
 * provisioner was never asked for (or never answered) and checks that never decided.
 * Part of the `access-pending-timeout` task.
 */
export class CrashRecovery {
  constructor(
    private readonly deps: RequestDeps,
    private readonly granting: Granting,
    private readonly checkRunner: CheckRunner,
  ) {}

  /**
   * Grants again requests left in `granting` for five minutes (well beyond a provisioner
   * call with its own timeouts and retries); provisioners are idempotent, so a grant that
   * did happen is not done twice.
   */
  async regrantStuckGrants(): Promise<void> {
    const cutoff = this.deps.clock.now() - 5 * 60_000;
    for (const r of await this.deps.store.requests.findStuckGranting(
      cutoff,
      PER_RUN,
    )) {
      await this.granting
        .grant(r.id, 'system')
        .catch(e =>
          this.deps.logger.warn(`access: grant of ${r.id} failed: ${e}`),
        );
    }
  }

  /** Decides new requests whose checks have not decided them within a minute. */
  async rerunUnfinishedChecks(): Promise<void> {
    const cutoff = this.deps.clock.now() - 60_000;
    for (const r of await this.deps.store.requests.findUndecided(
      cutoff,
      PER_RUN,
    )) {
      await this.checkRunner
        .runChecks(r.id)
        .catch(e =>
          this.deps.logger.warn(`access: checks of ${r.id} failed: ${e}`),
        );
    }
  }
}
