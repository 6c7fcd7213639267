import { ConflictError, NotAllowedError } from '@backstage/errors';
import {
  AccessPreviewItem,
  AccessRequest,
  TERMINAL_STATUSES,
} from '@jit-access/plugin-access-common';
import { createHash, randomUUID } from 'crypto';
import { NewRequestRecord } from '../database/types';
import { DirectoryUser } from '../flows/CatalogDirectory';
import { limiter } from '../concurrency';
import { flowHasChecks } from './checkDecision';
import { CheckRunner } from './CheckRunner';
import { unapprovableRequester } from './eligibility';
import { Granting } from './Granting';
import { planSubmission, SubmissionInput } from './planSubmission';
import { Caller, RequestDeps } from './RequestDeps';
import { RequestViews } from './RequestViews';
import { RequestWriter } from './RequestWriter';
import { resolveRequester } from './resolveRequester';
import { SubmissionLimits } from './submissionLimits';
import { toView } from './toView';

/** What a new request waits for, by approval type. */
const AWAITING_AT_SUBMIT = {
  manual: 'approval',
  breakglass: 'review',
  automatic: undefined,
} as const;

/**
 * New requests: the preview, a submission (one transaction for all its requests, with
 * its idempotency key), and "request again". Automatic requests are granted and checked
 * ones decided before the answer, so the caller sees where each one ended up.
 */
export class Submissions {
  constructor(
    private readonly deps: RequestDeps,
    private readonly writer: RequestWriter,
    private readonly views: RequestViews,
    private readonly limits: SubmissionLimits,
    private readonly checkRunner: CheckRunner,
    private readonly granting: Granting,
  ) {}

  private now() {
    return this.deps.clock.now();
  }

  async preview(
    caller: Caller,
    input: SubmissionInput & { requester?: string },
  ): Promise<AccessPreviewItem[]> {
    const requester = await resolveRequester(
      this.deps.directory,
      caller,
      input.requester,
    );
    const plans = await this.plan(caller, input, requester, false, true);
    return plans.flatMap(p =>
      p.resources.map(res => ({
        entityRef: res.entityRef,
        permissions: res.permissions,
        flowId: p.flow.id,
        flowTitle: p.flow.title,
        approvalType: p.flow.approval.type,
        approvers: p.approvers,
        requiredApprovals:
          p.flow.approval.type === 'manual' ? p.flow.approval.required : 0,
        // Break-glass flows run only their required checks.
        checks: [
          ...p.flow.approval.requiredChecks,
          ...(p.flow.approval.type === 'breakglass'
            ? []
            : p.flow.approval.autoApproveChecks),
        ],
        durationSeconds: p.durationSeconds,
        maxDurationSeconds: p.flow.duration.maxSeconds,
        justificationRequired: p.flow.justification === 'required',
        autoApproved: p.flow.approval.type !== 'manual',
      })),
    );
  }

  /**
   * A user's entities are read with their credentials; a service filing for a user reads
   * with the plugin's own, since its credentials cannot be narrowed to that user's.
   */
  private plan(
    caller: Caller,
    input: SubmissionInput,
    requester: DirectoryUser,
    clampDuration = false,
    preview = false,
  ) {
    return planSubmission({
      onBehalfOf: caller.type === 'user' ? caller.credentials : undefined,
      preview,
      input,
      requester,
      resolver: this.deps.resolver,
      directory: this.deps.directory,
      bundles: this.deps.config.bundles,
      clampDuration,
    });
  }

  /**
   * Creates the requests of one submission in one transaction. A retried call with the same
   * idempotency key returns what the first one created.
   */
  async submit(
    caller: Caller,
    input: SubmissionInput & { requester?: string },
    options: {
      idempotencyKey?: string;
      againOf?: string;
      clampDuration?: boolean;
    } = {},
  ): Promise<{ items: AccessRequest[]; replayed: boolean }> {
    const { store } = this.deps;
    // "Again" hashes its source too: one key may not replay another request's "again".
    const bodyHash = createHash('sha256')
      .update(
        JSON.stringify(
          options.againOf ? { ...input, againOf: options.againOf } : input,
        ),
      )
      .digest('hex');
    if (options.idempotencyKey) {
      const replay = await this.replay(
        caller,
        options.idempotencyKey,
        bodyHash,
      );
      if (replay) return { items: replay, replayed: true };
    }
    const requester = await resolveRequester(
      this.deps.directory,
      caller,
      input.requester,
    );
    // Counted against the person the access is for, also when a service files it.
    this.limits.admit(requester.ref);
    const plans = await this.plan(
      caller,
      input,
      requester,
      options.clampDuration,
    );
    const unapprovable = unapprovableRequester(
      requester,
      plans.map(p => p.flow),
    );
    if (unapprovable) throw new NotAllowedError(unapprovable);
    const now = this.now();
    const groupId = randomUUID();
    const checked = new Set<string>();
    const records: NewRequestRecord[] = plans.map(p => {
      const type = p.flow.approval.type;
      const id = randomUUID();
      // Requests whose flow runs checks wait, undecided, until the checks answered.
      const runsChecks = flowHasChecks(p.flow);
      if (runsChecks) checked.add(id);
      return {
        id,
        groupId,
        requester: requester.ref,
        createdBy: caller.ref,
        flowId: p.flow.id,
        flowTitle: p.flow.title,
        approvalType: type,
        provisioner: p.flow.provisioner,
        resources: p.resources,
        justification: p.justification,
        durationSeconds: p.durationSeconds,
        status: type === 'manual' || runsChecks ? 'pending' : 'granting',
        awaiting: runsChecks ? undefined : AWAITING_AT_SUBMIT[type],
        approvers: p.approvers,
        requiredApprovals: type === 'manual' ? p.flow.approval.required : 0,
        allowSelfApproval: p.flow.approval.allowSelfApproval,
        checks: [],
        breakGlass: type === 'breakglass',
        review: type === 'breakglass' ? { status: 'pending' } : undefined,
        extensionsUsed: 0,
        extensionsAllowed: p.flow.duration.extensions,
        againOf: options.againOf,
        createdAt: now,
      };
    });

    try {
      await store.transaction(async tx => {
        // Decided with the insert, so parallel submissions cannot together cross it.
        await this.limits.reservePending(
          tx,
          requester.ref,
          records.filter(r => r.status === 'pending').length,
        );
        if (options.idempotencyKey) {
          await store.idempotency.insertIdempotency(tx, {
            principal: caller.ref,
            key: options.idempotencyKey,
            bodyHash,
            groupId,
            createdAt: now,
          });
        }
        for (const r of records) {
          await this.writer.create(tx, r, {
            at: now,
            actor: caller.ref,
            action: r.breakGlass ? 'breakglass-requested' : 'request-submitted',
            requestId: r.id,
            severity: r.breakGlass ? 'high' : 'medium',
            toStatus: r.status,
            details: {
              requester: r.requester,
              flowId: r.flowId,
              resources: r.resources,
              durationSeconds: r.durationSeconds,
              justification: r.justification,
              approvers: r.approvers,
              onBehalfOf: caller.ref !== r.requester ? r.requester : undefined,
              againOf: r.againOf,
            },
          });
        }
      });
    } catch (e) {
      // A concurrent retry with the same key won the insert: answer with its result.
      if (options.idempotencyKey) {
        const replay = await this.replay(
          caller,
          options.idempotencyKey,
          bodyHash,
        ).catch(() => undefined);
        if (replay) return { items: replay, replayed: true };
      }
      throw e;
    }

    // Its approvers get one notice each for the whole submission (emit never throws).
    if (records.length > 1) this.deps.events.hold(groupId);
    await this.deps.events.emit(
      records.map(r => ({
        request: { ...r, updatedAt: now, attempts: 0, extendAttempts: 0 },
        action: r.breakGlass ? 'breakglass-requested' : 'request-submitted',
        actor: caller.ref,
        severity: r.breakGlass ? ('high' as const) : ('medium' as const),
        notifyApprovers: r.awaiting === 'approval',
      })),
    );
    // Automatic and break-glass requests grant now, checked ones decide now; one slow
    // provisioner or check does not hold up the rest.
    const granting = records.filter(r => r.status === 'granting');
    if (!granting.length && !checked.size) {
      // Nothing changed since the insert, and a new request has no approvals or stars.
      const inserted = records.map(record => {
        const r = { ...record, updatedAt: now, attempts: 0, extendAttempts: 0 };
        return toView(r, [], false, this.views.actions(caller, r, [], now));
      });
      await this.deps.events.release(groupId);
      return { items: inserted, replayed: false };
    }
    // Bounded (access.limits), so a large submission cannot flood checks and targets.
    const { checkConcurrency, grantConcurrency } = this.deps.config.limits;
    const grantSlot = limiter(grantConcurrency);
    const checkSlot = limiter(checkConcurrency);
    try {
      await Promise.all([
        ...granting.map(r =>
          grantSlot(() => this.granting.grantAfterCommit(r.id, caller.ref)),
        ),
        ...[...checked].map(id =>
          checkSlot(() => this.checkRunner.runChecks(id, grantSlot)),
        ),
      ]);
    } finally {
      await this.deps.events.release(groupId);
    }
    const rows = await store.requests.getRequestsByGroup(groupId);
    return {
      items: await this.views.render(rows, caller),
      replayed: false,
    };
  }

  private async replay(
    caller: Caller,
    key: string,
    bodyHash: string,
  ): Promise<AccessRequest[] | undefined> {
    const existing = await this.deps.store.idempotency.getIdempotency(
      this.deps.store.db,
      caller.ref,
      key,
    );
    if (!existing) return undefined;
    if (existing.bodyHash !== bodyHash) {
      throw new ConflictError(
        'Idempotency-Key was already used with a different request body',
      );
    }
    const rows = await this.deps.store.requests.getRequestsByGroup(
      existing.groupId,
    );
    return this.views.render(rows, caller);
  }

  /**
   * Forgets idempotency keys older than a day (retries come within minutes); run by the
   * `access-pending-timeout` task.
   */
  async forgetOldIdempotencyKeys(): Promise<number> {
    return this.deps.store.idempotency.deleteIdempotencyBefore(
      this.now() - 24 * 3600_000,
    );
  }

  /** "Request again": a new request for the same resources, with a new justification. */
  async again(
    caller: Caller,
    id: string,
    justification: string,
    options: { idempotencyKey?: string } = {},
  ): Promise<{ items: AccessRequest[]; replayed: boolean }> {
    const r = await this.views.load(id);
    if (r.requester !== caller.ref)
      throw new NotAllowedError(
        'Only the requester can request this access again',
      );
    if (!TERMINAL_STATUSES.includes(r.status)) {
      throw new ConflictError(
        `Request ${id} is ${r.status}; only ended requests can be requested again`,
      );
    }
    return this.submit(
      caller,
      {
        resources: r.resources,
        durationSeconds: r.durationSeconds,
        justification,
      },
      {
        againOf: r.id,
        clampDuration: true,
        idempotencyKey: options.idempotencyKey,
      },
    );
  }
}
