import { ConflictError, InputError } from '@backstage/errors';
import { AccessRequest } from '@jit-access/plugin-access-common';
import { AccessFlow } from '../config/AccessConfig';
import { formatDuration } from '../config/duration';
import { RequestRecord } from '../database/types';
import { AccessChange } from '../events/AccessEvents';
import { flowHasChecks } from './checkDecision';
import { CheckRunner, checksForAudit } from './CheckRunner';
import { assertExtendable } from './eligibility';
import { assertExtensionAllowed } from './allowedActions';
import { ProvisionerCalls } from './ProvisionerCalls';
import { Caller, RequestDeps } from './RequestDeps';
import { RequestViews } from './RequestViews';
import { RequestWriter } from './RequestWriter';
import { SubmissionLimits } from './submissionLimits';

/**
 * The holder asks for more time on active access: it goes through the request's flow
 * again (checks, approvers), and an approved extension is told to the target.
 */
export class Extensions {
  constructor(
    private readonly deps: RequestDeps,
    private readonly writer: RequestWriter,
    private readonly views: RequestViews,
    private readonly limits: SubmissionLimits,
    private readonly checkRunner: CheckRunner,
    private readonly calls: ProvisionerCalls,
  ) {}

  private now() {
    return this.deps.clock.now();
  }

  /** The holder asks for more time on active access; it goes through the same flow. */
  private validateExtension(
    caller: Caller,
    r: RequestRecord,
    durationSeconds: number,
    justification: string,
    now: number,
  ): AccessFlow {
    assertExtensionAllowed(caller, r, now);
    const flow = this.deps.resolver.getFlow(r.flowId);
    if (!flow)
      throw new ConflictError(
        `Flow "${r.flowId}" no longer exists; request the access again`,
      );
    if (durationSeconds > flow.duration.maxSeconds) {
      throw new InputError(
        `durationSeconds: at most ${
          flow.duration.maxSeconds
        }s (${formatDuration(flow.duration.maxSeconds)}) for flow "${flow.id}"`,
      );
    }
    if (flow.justification === 'required' && !justification.trim()) {
      throw new InputError(
        `justification: flow "${flow.id}" requires a justification`,
      );
    }
    return flow;
  }

  /** The holder asks for more time on active access; it goes through the same flow (checks, approvers). */
  async extend(
    caller: Caller,
    id: string,
    durationSeconds: number,
    justification: string,
  ): Promise<AccessRequest> {
    const before = await this.views.load(id);
    const flow = this.validateExtension(
      caller,
      before,
      durationSeconds,
      justification,
      this.now(),
    );
    // Each attempt may run the flow's checks again (outside calls): rate limited.
    this.limits.admit(caller.ref);
    await assertExtendable({
      resolver: this.deps.resolver,
      directory: this.deps.directory,
      request: before,
    });
    // Checks are outside calls: they run before the transaction, never inside it.
    const evaluated = flowHasChecks(flow)
      ? await this.checkRunner.evaluateChecks(
          flow,
          await this.checkRunner.checkContext(before, {
            durationSeconds,
            justification: justification.trim(),
          }),
        )
      : undefined;
    // What the checks saw goes into the audit entry of the decision, as for a new request.
    const checkDetails = evaluated
      ? { checks: checksForAudit(evaluated.results) }
      : {};
    const now = this.now();
    const changes: AccessChange[] = [];
    await this.deps.store.transaction(async tx => {
      const r = await this.views.load(id, tx);
      this.validateExtension(caller, r, durationSeconds, justification, now);
      const extension = {
        durationSeconds,
        justification: justification.trim(),
        requestedAt: new Date(now).toISOString(),
      };
      const checked = {
        checks: evaluated?.results ?? [],
        details: checkDetails,
      };
      const decision = evaluated?.decision;
      if (decision?.kind === 'reject') {
        changes.push(
          await this.writer.apply(tx, r, {
            type: 'extension-rejected-by-checks',
            extension,
            reason: decision.reason,
            at: now,
            ...checked,
          }),
        );
        return;
      }
      const ask = decision
        ? decision.kind === 'ask-approvers'
        : flow.approval.type === 'manual';
      if (ask) {
        changes.push(
          await this.writer.apply(tx, r, {
            type: 'extension-requested',
            by: caller.ref,
            extension,
            at: now,
            ...checked,
          }),
        );
        return;
      }
      const cap =
        decision?.kind === 'approve' ? decision.maxDurationSeconds : undefined;
      const checkId =
        decision?.kind === 'approve' ? decision.checkId : undefined;
      // The extra time a re-verifying check approved rests on that check. A grant no such
      // check approved yet (a person did, or a check that does not re-verify) stands on
      // that approval until the window it approved ends, and on the check after it.
      const alreadyReverified =
        r.approvedByCheck && this.checkRunner.reverifies(r.approvedByCheck)
          ? r.approvedByCheck
          : undefined;
      const reverifiedBy =
        checkId && this.checkRunner.reverifies(checkId)
          ? alreadyReverified ?? checkId
          : undefined;
      changes.push(
        await this.writer.apply(tx, r, {
          type: 'extension-auto-approved',
          by: checkId ? `check:${checkId}` : caller.ref,
          extension,
          grantedSeconds: Math.min(durationSeconds, cap ?? Infinity),
          breakGlass: flow.approval.type === 'breakglass',
          at: now,
          tellTarget: this.calls.tellsTarget(r),
          reverifiedBy,
          reverifyFrom:
            reverifiedBy && reverifiedBy !== r.approvedByCheck
              ? r.expiresAt!
              : undefined,
          ...checked,
        }),
      );
    });
    await this.deps.events.emit(changes);
    if (changes.some(c => c.action === 'extension-approved'))
      await this.calls.extendInTarget(id);
    return this.views.get(caller, id);
  }
}
