import { ConflictError, NotAllowedError } from '@backstage/errors';
import {
  AccessApprovalKind,
  AccessRequest,
} from '@jit-access/plugin-access-common';
import { Knex } from 'knex';
import { ApprovalRecord, RequestRecord } from '../database/types';
import { AccessChange } from '../events/AccessEvents';
import { GrantEnding } from './GrantEnding';
import { Granting } from './Granting';
import { approvalRefused, noLongerApprover } from './eligibility';
import { assertApprover, pendingDecision } from './decisionRules';
import { ProvisionerCalls } from './ProvisionerCalls';
import { Caller, RequestDeps } from './RequestDeps';
import { RequestViews } from './RequestViews';
import { RequestWriter } from './RequestWriter';

/** A request locked for a decision, and what of it the decision is on. */
interface LockedDecision {
  r: RequestRecord;
  kind: AccessApprovalKind;
  round: number;
}

/**
 * Approvers' decisions: approve and reject a request, an extension or a break-glass
 * review, each against the catalog as it is now and recorded in one transaction.
 */
export class Decisions {
  constructor(
    private readonly deps: RequestDeps,
    private readonly writer: RequestWriter,
    private readonly views: RequestViews,
    private readonly granting: Granting,
    private readonly ending: GrantEnding,
    private readonly calls: ProvisionerCalls,
  ) {}

  private now() {
    return this.deps.clock.now();
  }

  /**
   * Checks, before the decision's transaction (the catalog is an outside call), that a
   * stored approver is still one by the catalog now; membership may have changed since
   * the request was submitted.
   */
  private async staleApprover(
    caller: Caller,
    id: string,
    decision: 'approve' | 'reject',
  ): Promise<string | undefined> {
    const r = await this.views.load(id);
    if (!r.approvers.includes(caller.ref)) return undefined;
    return noLongerApprover({
      resolver: this.deps.resolver,
      directory: this.deps.directory,
      request: r,
      user: caller.ref,
      decision,
    });
  }

  /**
   * Locks the request, checks that it waits for a decision the caller may make, and
   * records the caller's vote on it: one vote each, a second is a 409.
   */
  private async lockAndVote(
    tx: Knex.Transaction,
    caller: Caller,
    id: string,
    vote: {
      /** Why the caller is no longer an approver by the catalog ({@link staleApprover}). */
      stale: string | undefined;
      /** Why the catalog refuses an approval now; a review may still be acknowledged. */
      refused?: string;
      decision: (kind: AccessApprovalKind) => ApprovalRecord['decision'];
      comment?: string;
      at: number;
    },
  ): Promise<LockedDecision> {
    const r = await this.views.load(id, tx);
    // Who may not see the request learns nothing of its state (no 409 before the 403).
    if (!this.views.canSee(caller, r))
      throw new NotAllowedError(
        `You are not an approver of access request ${id}`,
      );
    const { kind, round } = pendingDecision(r);
    assertApprover(caller, r, kind, vote.stale);
    if (vote.refused && kind !== 'review')
      throw new NotAllowedError(vote.refused);
    const inserted = await this.deps.store.approvals.insertApproval(tx, {
      requestId: r.id,
      kind,
      round,
      approver: caller.ref,
      decision: vote.decision(kind),
      comment: vote.comment,
      at: vote.at,
    });
    if (!inserted)
      throw new ConflictError(`You already decided on request ${id}`);
    return { r, kind, round };
  }

  async approve(
    caller: Caller,
    id: string,
    comment?: string,
  ): Promise<AccessRequest> {
    const stale = await this.staleApprover(caller, id, 'approve');
    // The requester and the flow's trust, by the catalog now (outside the transaction).
    const refused = await approvalRefused({
      resolver: this.deps.resolver,
      directory: this.deps.directory,
      request: await this.views.load(id),
      approver: caller.ref,
    });
    const now = this.now();
    let grantAfter = false;
    const changes: AccessChange[] = [];
    await this.deps.store.transaction(async tx => {
      const { r, kind, round } = await this.lockAndVote(tx, caller, id, {
        stale,
        refused,
        decision: k => (k === 'review' ? 'acknowledged' : 'approved'),
        comment,
        at: now,
      });

      if (kind === 'review') {
        changes.push(
          await this.writer.apply(tx, r, {
            type: 'review-acknowledged',
            by: caller.ref,
            comment,
            at: now,
          }),
        );
        return;
      }
      const count = await this.deps.store.approvals.countApprovals(
        tx,
        r.id,
        kind,
        round,
      );
      if (count < r.requiredApprovals) {
        await this.writer.audit(
          tx,
          {
            at: now,
            actor: caller.ref,
            action: 'approval-recorded',
            requestId: r.id,
            severity: 'medium',
            details: {
              kind,
              comment,
              approvals: count,
              required: r.requiredApprovals,
            },
          },
          r,
        );
        changes.push({
          request: r,
          action: 'approval-recorded',
          actor: caller.ref,
        });
        return;
      }
      if (kind === 'request') {
        changes.push(
          await this.writer.apply(tx, r, {
            type: 'approved',
            by: caller.ref,
            comment,
            approvals: count,
          }),
        );
        grantAfter = true;
      } else {
        changes.push(
          await this.writer.apply(tx, r, {
            type: 'extension-approved',
            by: caller.ref,
            comment,
            at: now,
            tellTarget: this.calls.tellsTarget(r),
          }),
        );
      }
    });
    await this.deps.events.emit(changes);
    if (grantAfter) await this.granting.grantAfterCommit(id, caller.ref);
    if (changes.some(c => c.action === 'extension-approved'))
      await this.calls.extendInTarget(id);
    return this.views.get(caller, id);
  }

  async reject(
    caller: Caller,
    id: string,
    reason: string,
  ): Promise<AccessRequest> {
    const stale = await this.staleApprover(caller, id, 'reject');
    const now = this.now();
    const changes: AccessChange[] = [];
    let revokeAfter = false;
    await this.deps.store.transaction(async tx => {
      const { r, kind } = await this.lockAndVote(tx, caller, id, {
        stale,
        decision: () => 'rejected',
        comment: reason,
        at: now,
      });
      if (kind === 'review' && r.status === 'granting') {
        throw new ConflictError(
          'The access is still being granted; reject the review once it is active',
        );
      }
      const type = (
        {
          request: 'rejected',
          extension: 'extension-rejected',
          review: 'review-rejected',
        } as const
      )[kind];
      changes.push(
        await this.writer.apply(tx, r, {
          type,
          by: caller.ref,
          reason,
          at: now,
        }),
      );
      // Rejecting a break-glass review revokes the access while it is still active.
      revokeAfter = kind === 'review' && r.status === 'granted' && !r.ending;
    });
    await this.deps.events.emit(changes);
    if (revokeAfter) await this.ending.endGrant(id);
    return this.views.get(caller, id);
  }
}
