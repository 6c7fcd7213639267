import { AccessCheckContext } from '@jit-access/plugin-access-node';
import { AccessCheckResult } from '@jit-access/plugin-access-common';
import { AccessFlow } from '../config/AccessConfig';
import { RequestRecord } from '../database/types';
import { AccessChange } from '../events/AccessEvents';
import { Limiter } from '../concurrency';
import { decideByChecks } from './checkDecision';
import { Granting } from './Granting';
import { RequestDeps } from './RequestDeps';
import { RequestViews } from './RequestViews';
import { RequestWriter } from './RequestWriter';

/** A check's context, or (in `unreadable`) why the catalog could not provide it. */
export interface CheckInput {
  context: Omit<AccessCheckContext, 'signal'>;
  unreadable?: string;
}

/** Check results as audit entries record them. */
export function checksForAudit(results: AccessCheckResult[]) {
  return results.map(x => ({
    id: x.checkId,
    outcome: x.outcome,
    detail: x.detail,
  }));
}

/**
 * Runs a flow's checks (outside calls, never inside a transaction) and decides a new
 * request by them, failing closed.
 */
export class CheckRunner {
  constructor(
    private readonly deps: RequestDeps,
    private readonly writer: RequestWriter,
    private readonly views: RequestViews,
    private readonly granting: Granting,
  ) {}

  private now() {
    return this.deps.clock.now();
  }

  /**
   * What checks get to see about a request. When the catalog cannot be read, `unreadable`
   * says why: the checks are then not run but recorded as `error` (a missing entity or
   * e-mail must not look like a verified "no", e.g. "no PagerDuty service annotation").
   */
  async checkContext(
    r: RequestRecord,
    overrides: {
      durationSeconds?: number;
      justification?: string;
      reverifying?: boolean;
    } = {},
  ): Promise<CheckInput> {
    const problems: string[] = [];
    const unread = (what: string) => (e: unknown) => {
      problems.push(
        `could not load the ${what} from the catalog (${
          e instanceof Error ? e.message : String(e)
        })`,
      );
      return undefined;
    };
    const [user, entities] = await Promise.all([
      this.deps.directory.findUser(r.requester).catch(unread('requester')),
      this.deps.directory
        .getEntities(r.resources.map(x => x.entityRef))
        .catch(unread('requested entities')),
    ]);
    if (problems.length) {
      this.deps.logger.warn(
        `access: checks of ${r.id} not run: ${problems.join('; ')}`,
      );
    }
    return {
      unreadable: problems.length ? problems.join('; ') : undefined,
      context: {
        requestId: r.id,
        requester: {
          ref: r.requester,
          email: user?.email,
          displayName: user?.displayName,
        },
        resources: r.resources.map((x, i) => ({
          ...x,
          entity: entities?.[i],
        })),
        flow: { id: r.flowId, title: r.flowTitle },
        justification: overrides.justification ?? r.justification,
        durationSeconds: overrides.durationSeconds ?? r.durationSeconds,
        ...(overrides.reverifying ? { reverifying: true } : {}),
      },
    };
  }

  /** Runs one check, or records it as `error` when its context could not be loaded. */
  runCheck(id: string, input: CheckInput): Promise<AccessCheckResult> {
    if (input.unreadable) {
      return Promise.resolve(
        this.deps.checks.unverified(id, input.unreadable, this.now()),
      );
    }
    return this.deps.checks.run(id, input.context, () => this.now());
  }

  private hasEnoughApprovers(r: RequestRecord): boolean {
    const eligible = r.approvers.filter(
      a => r.allowSelfApproval || a !== r.requester,
    );
    return eligible.length >= r.requiredApprovals;
  }

  /** Runs the flow's required checks, then (if they pass) its auto-approve checks. */
  async evaluateChecks(flow: AccessFlow, input: CheckInput) {
    const run = (ids: string[]) =>
      Promise.all(ids.map(id => this.runCheck(id, input)));
    const results: AccessCheckResult[] = await run(
      flow.approval.requiredChecks,
    );
    if (
      results.every(r => r.outcome === 'passed') &&
      flow.approval.type !== 'breakglass'
    ) {
      results.push(...(await run(flow.approval.autoApproveChecks)));
    }
    const maxDurations = Object.fromEntries(
      flow.approval.autoApproveChecks.map(id => [
        id,
        this.deps.checks.get(id)?.maxDurationSeconds,
      ]),
    );
    return { results, decision: decideByChecks(flow, results, maxDurations) };
  }

  /**
   * Decides a new request by its flow's checks, failing closed, and records every outcome.
   * Safe to call again for a request whose checks never finished (after a crash).
   */
  async runChecks(
    id: string,
    grantSlot: Limiter = task => task(),
  ): Promise<void> {
    const r = await this.deps.store.requests.getRequest(id);
    if (!r || r.status !== 'pending' || r.awaiting) return;
    const flow = this.deps.resolver.getFlow(r.flowId);
    const changes: AccessChange[] = [];
    let grantAfter = false;
    if (!flow) {
      await this.deps.store.transaction(async tx => {
        const cur = await this.views.load(id, tx);
        if (cur.status !== 'pending' || cur.awaiting) return;
        changes.push(
          await this.writer.apply(tx, cur, {
            type: 'flow-gone',
            reason: `Flow "${r.flowId}" no longer exists`,
            at: this.now(),
          }),
        );
      });
      await this.deps.events.emit(changes);
      return;
    }
    const { results, decision } = await this.evaluateChecks(
      flow,
      await this.checkContext(r),
    );
    await this.deps.store.transaction(async tx => {
      const cur = await this.views.load(id, tx);
      if (cur.status !== 'pending' || cur.awaiting) return;
      const now = this.now();
      const checked = {
        checks: results,
        details: { checks: checksForAudit(results) },
      };
      if (decision.kind === 'reject') {
        changes.push(
          await this.writer.apply(tx, cur, {
            type: 'rejected-by-checks',
            reason: decision.reason,
            at: now,
            dropReview: true,
            ...checked,
          }),
        );
      } else if (
        decision.kind === 'ask-approvers' &&
        !this.hasEnoughApprovers(cur)
      ) {
        changes.push(
          await this.writer.apply(tx, cur, {
            type: 'rejected-by-checks',
            reason: `No auto-approve check passed and nobody else can approve: flow "${cur.flowId}" needs ${cur.requiredApprovals} approver(s) besides the requester`,
            at: now,
            dropReview: false,
            ...checked,
          }),
        );
      } else if (decision.kind === 'ask-approvers') {
        changes.push(
          await this.writer.apply(tx, cur, {
            type: 'checks-ask-approvers',
            ...checked,
          }),
        );
      } else {
        changes.push(
          await this.writer.apply(tx, cur, {
            type: 'checks-approved',
            checkId: decision.checkId,
            durationSeconds: Math.min(
              cur.durationSeconds,
              decision.maxDurationSeconds ?? Infinity,
            ),
            ...checked,
          }),
        );
        grantAfter = true;
      }
    });
    await this.deps.events.emit(changes);
    if (grantAfter)
      await grantSlot(() =>
        this.granting.grantAfterCommit(
          id,
          decision.kind === 'approve' && decision.checkId
            ? `check:${decision.checkId}`
            : 'system',
        ),
      );
  }

  /** True when the check is asked again for the grants it approved (`reverify`). */
  reverifies(checkId: string): boolean {
    return Boolean(this.deps.checks.get(checkId)?.check.reverify);
  }
}
