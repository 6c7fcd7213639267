import { ConflictError, NotAllowedError } from '@backstage/errors';
import { AccessRequest } from '@jit-access/plugin-access-common';
import { Knex } from 'knex';
import { AccessChange } from '../events/AccessEvents';
import { GrantEnding } from './GrantEnding';
import { Granting } from './Granting';
import { approvalRefused, noLongerApprover } from './eligibility';
import { assertApprover, pendingDecision } from './decisionRules';
import { ProvisionerCalls } from './ProvisionerCalls';
import { Caller, RequestDeps } from './RequestDeps';
import { RequestViews } from './RequestViews';
import { RequestWriter } from './RequestWriter';
import { withdrawPendingExtension } from './transitions';

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

  /** Locks the request and checks that it waits for a decision the caller may make. */
  private async lockForDecision(
    tx: Knex.Transaction,
    caller: Caller,
    id: string,
    stale: string | undefined,
  ) {
    const r = await this.views.load(id, tx);
    // Who may not see the request learns nothing of its state (no 409 before the 403).
    if (!this.views.canSee(caller, r))
      throw new NotAllowedError(
        `You are not an approver of access request ${id}`,
      );
    const { kind, round } = pendingDecision(r);
    assertApprover(caller, r, kind, stale);
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
      const { r, kind, round } = await this.lockForDecision(
        tx,
        caller,
        id,
        stale,
      );
      if (refused && kind !== 'review') throw new NotAllowedError(refused);
      const decision = kind === 'review' ? 'acknowledged' : 'approved';
      const inserted = await this.deps.store.insertApproval(tx, {
        requestId: r.id,
        kind,
        round,
        approver: caller.ref,
        decision,
        comment,
        at: now,
      });
      if (!inserted)
        throw new ConflictError(`You already decided on request ${id}`);

      if (kind === 'review') {
        const changed = await this.writer.change(tx, r, {
          guard: { awaiting: 'review' },
          patch: {
            awaiting: null,
            review: {
              status: 'acknowledged',
              reviewer: caller.ref,
              comment,
              at: new Date(now).toISOString(),
            },
          },
          action: 'breakglass-reviewed',
          actor: caller.ref,
          details: { comment },
        });
        changes.push({
          request: changed,
          action: 'breakglass-reviewed',
          actor: caller.ref,
          notifyRequester: caller.ref !== r.requester,
          message: 'Your break-glass access was reviewed and acknowledged',
        });
        return;
      }
      const count = await this.deps.store.countApprovals(tx, r.id, kind, round);
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
        const changed = await this.writer.change(tx, r, {
          to: 'granting',
          guard: { awaiting: 'approval' },
          patch: { awaiting: null },
          action: 'request-approved',
          actor: caller.ref,
          details: { comment, approvals: count },
        });
        // The decision that approves it, not each partial vote of an N-of-M flow. Its
        // notice shares its scope with the grant's, which replaces it moments later.
        changes.push({
          request: changed,
          action: 'request-approved',
          actor: caller.ref,
          notifyRequester: caller.ref !== r.requester,
          message: `Access request approved by ${caller.ref}`,
        });
        grantAfter = true;
      } else {
        const ext = r.extension!;
        const changed = await this.writer.change(tx, r, {
          guard: { awaiting: 'extension', notEnding: true, notExpiredAt: now },
          patch: {
            awaiting: null,
            expiresAt: r.expiresAt! + ext.durationSeconds * 1000,
            ...this.calls.extendPending(r, now),
            extensionsUsed: r.extensionsUsed + 1,
            expiryNotifiedAt: null,
            extension: {
              ...ext,
              status: 'approved',
              decidedAt: new Date(now).toISOString(),
            },
          },
          action: 'extension-approved',
          actor: caller.ref,
          details: {
            comment,
            durationSeconds: ext.durationSeconds,
            previousExpiresAt: new Date(r.expiresAt!).toISOString(),
          },
          conflict:
            'The access ran out or is being revoked; it can no longer be extended',
        });
        changes.push({
          request: changed,
          action: 'extension-approved',
          actor: caller.ref,
          notifyRequester: caller.ref !== r.requester,
          message: 'Your access was extended',
        });
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
      const { r, kind, round } = await this.lockForDecision(
        tx,
        caller,
        id,
        stale,
      );
      const inserted = await this.deps.store.insertApproval(tx, {
        requestId: r.id,
        kind,
        round,
        approver: caller.ref,
        decision: 'rejected',
        comment: reason,
        at: now,
      });
      if (!inserted)
        throw new ConflictError(`You already decided on request ${id}`);
      if (kind === 'request') {
        const changed = await this.writer.change(tx, r, {
          to: 'rejected',
          guard: { awaiting: 'approval' },
          patch: { awaiting: null, endedAt: now, endReason: reason },
          action: 'request-rejected',
          actor: caller.ref,
          details: { reason },
        });
        changes.push({
          request: changed,
          action: 'request-rejected',
          actor: caller.ref,
          notifyRequester: caller.ref !== r.requester,
        });
      } else if (kind === 'extension') {
        const changed = await this.writer.change(tx, r, {
          guard: { awaiting: 'extension' },
          patch: withdrawPendingExtension(r, reason, now),
          action: 'extension-rejected',
          actor: caller.ref,
          details: { reason },
        });
        changes.push({
          request: changed,
          action: 'extension-rejected',
          actor: caller.ref,
          notifyRequester: caller.ref !== r.requester,
          message: `Your extension was rejected: ${reason}`,
        });
      } else {
        // Rejecting a break-glass review revokes the access if it is still active.
        if (r.status === 'granting') {
          throw new ConflictError(
            'The access is still being granted; reject the review once it is active',
          );
        }
        const active = r.status === 'granted' && !r.ending;
        const changed = await this.writer.change(tx, r, {
          guard: { awaiting: 'review', ...(active ? { notEnding: true } : {}) },
          patch: {
            awaiting: null,
            review: {
              status: active ? 'revoked' : 'rejected',
              reviewer: caller.ref,
              comment: reason,
              at: new Date(now).toISOString(),
            },
            ...(active
              ? {
                  ending: {
                    as: 'revoked' as const,
                    reason: `Break-glass review rejected: ${reason}`,
                    by: caller.ref,
                    at: now,
                  },
                }
              : {}),
          },
          action: 'breakglass-review-rejected',
          actor: caller.ref,
          severity: 'high',
          details: { reason },
        });
        changes.push({
          request: changed,
          action: 'breakglass-review-rejected',
          actor: caller.ref,
          severity: 'high',
        });
        revokeAfter = active;
      }
    });
    await this.deps.events.emit(changes);
    if (revokeAfter) await this.ending.endGrant(id);
    return this.views.get(caller, id);
  }
}
