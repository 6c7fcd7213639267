import { AccessStore } from '../database/AccessStore';
import { CrashRecovery } from '../tasks/CrashRecovery';
import { ExpiringSoonNotices } from '../tasks/ExpiringSoonNotices';
import { ExpiryAndRetries } from '../tasks/ExpiryAndRetries';
import { PendingTimeout } from '../tasks/PendingTimeout';
import { ReverifyGrants } from '../tasks/ReverifyGrants';
import { WebhookOutbox } from '../webhooks/WebhookOutbox';
import { CancelAndRevoke } from './CancelAndRevoke';
import { CheckRunner } from './CheckRunner';
import { Decisions } from './Decisions';
import { EntityAccess } from './EntityAccess';
import { Extensions } from './Extensions';
import { GrantEnding } from './GrantEnding';
import { Granting } from './Granting';
import { ProvisionerCalls } from './ProvisionerCalls';
import { RequestDeps } from './RequestDeps';
import { RequestViews } from './RequestViews';
import { RequestWriter } from './RequestWriter';
import { Submissions } from './Submissions';
import { SubmissionLimits } from './submissionLimits';

export type { Caller } from './RequestDeps';

/**
 * Builds the request use cases on one {@link RequestWriter}, the only code that changes a
 * request, and exposes them by what they own: the router calls the HTTP-facing ones,
 * the scheduler the task bodies.
 */
export class AccessRequestService {
  readonly views: RequestViews;
  readonly entities: EntityAccess;
  readonly submissions: Submissions;
  readonly decisions: Decisions;
  readonly cancelAndRevoke: CancelAndRevoke;
  readonly extensions: Extensions;
  readonly expiry: ExpiryAndRetries;
  readonly expiringSoon: ExpiringSoonNotices;
  readonly pendingTimeout: PendingTimeout;
  readonly crashRecovery: CrashRecovery;
  readonly reverification: ReverifyGrants;

  constructor(
    deps: RequestDeps & {
      store: AccessStore;
      /** Outbound webhooks; none when absent. */
      outbox?: WebhookOutbox;
    },
  ) {
    const writer = new RequestWriter({
      store: deps.store,
      clock: deps.clock,
      outbox: deps.outbox,
    });
    // One throttle for submissions and extensions: both count against the same person.
    const limits = new SubmissionLimits({
      limits: deps.config.limits,
      now: () => deps.clock.now(),
    });
    const views = new RequestViews(deps);
    const calls = new ProvisionerCalls(deps, writer);
    const granting = new Granting(deps, writer, views, calls);
    const ending = new GrantEnding(deps, writer, views, calls);
    const checkRunner = new CheckRunner(deps, writer, views, granting);

    this.views = views;
    this.entities = new EntityAccess(deps, views);
    this.submissions = new Submissions(
      deps,
      writer,
      views,
      limits,
      checkRunner,
      granting,
    );
    this.decisions = new Decisions(
      deps,
      writer,
      views,
      granting,
      ending,
      calls,
    );
    this.cancelAndRevoke = new CancelAndRevoke(deps, writer, views, ending);
    this.extensions = new Extensions(
      deps,
      writer,
      views,
      limits,
      checkRunner,
      calls,
    );
    this.expiry = new ExpiryAndRetries(deps, writer, granting, ending, calls);
    this.expiringSoon = new ExpiringSoonNotices(deps, writer);
    this.pendingTimeout = new PendingTimeout(deps, writer, views);
    this.crashRecovery = new CrashRecovery(deps, granting, checkRunner);
    this.reverification = new ReverifyGrants(
      deps,
      writer,
      views,
      checkRunner,
      ending,
    );
  }
}
