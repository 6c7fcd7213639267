import { ConflictError, NotAllowedError } from '@backstage/errors';
import { AccessRequest } from '@jit-access/plugin-access-common';
import { RequestPatch } from '../database/AccessStore';
import { AccessChange } from '../events/AccessEvents';
import { GrantEnding } from './GrantEnding';
import { Caller, RequestDeps } from './RequestDeps';
import { RequestViews } from './RequestViews';
import { RequestWriter } from './RequestWriter';
import { withdrawPendingExtension } from './transitions';

/** The requester withdraws what waits (cancel); the holder, an approver or an admin ends access (revoke). */
export class CancelAndRevoke {
  constructor(
    private readonly deps: RequestDeps,
    private readonly writer: RequestWriter,
    private readonly views: RequestViews,
    private readonly ending: GrantEnding,
  ) {}

  private now() {
    return this.deps.clock.now();
  }

  async cancel(caller: Caller, id: string): Promise<AccessRequest> {
    const now = this.now();
    const changes: AccessChange[] = [];
    await this.deps.store.transaction(async tx => {
      const r = await this.views.load(id, tx);
      if (r.requester !== caller.ref && r.createdBy !== caller.ref) {
        throw new NotAllowedError('Only the requester can cancel a request');
      }
      if (r.status === 'pending') {
        const changed = await this.writer.change(tx, r, {
          to: 'cancelled',
          patch: {
            awaiting: null,
            endedAt: now,
            endReason: 'Cancelled by the requester',
          },
          action: 'request-cancelled',
          actor: caller.ref,
        });
        changes.push({
          request: changed,
          action: 'request-cancelled',
          actor: caller.ref,
        });
      } else if (r.status === 'granted' && r.awaiting === 'extension') {
        const changed = await this.writer.change(tx, r, {
          guard: { awaiting: 'extension' },
          patch: withdrawPendingExtension(r, 'Cancelled by the requester', now),
          action: 'extension-cancelled',
          actor: caller.ref,
        });
        changes.push({
          request: changed,
          action: 'extension-cancelled',
          actor: caller.ref,
        });
      } else {
        throw new ConflictError(
          `Request ${id} is ${r.status}; only pending requests can be cancelled`,
        );
      }
    });
    await this.deps.events.emit(changes);
    return this.views.get(caller, id);
  }

  /** Ends active access now: the holder, an approver of the request or an admin. */
  async revoke(
    caller: Caller,
    id: string,
    reason?: string,
  ): Promise<AccessRequest> {
    const now = this.now();
    const changes: AccessChange[] = [];
    await this.deps.store.transaction(async tx => {
      const r = await this.views.load(id, tx);
      const allowed =
        caller.isAdmin ||
        r.requester === caller.ref ||
        r.approvers.includes(caller.ref);
      if (!allowed)
        throw new NotAllowedError(
          'Only the holder, an approver or an admin can revoke this access',
        );
      if (r.status !== 'granted') {
        throw new ConflictError(
          `Request ${id} is ${r.status}; only active access can be revoked`,
        );
      }
      if (r.ending)
        throw new ConflictError(
          `Access of request ${id} is already being revoked`,
        );
      const text =
        reason?.trim() ||
        (r.requester === caller.ref
          ? 'Revoked by the holder'
          : `Revoked by ${caller.ref}`);
      // An approver or admin revoking break-glass access has reviewed it; the holder has not.
      const closesReview =
        r.awaiting === 'review' && r.requester !== caller.ref;
      const patch: RequestPatch = {
        ending: { as: 'revoked', reason: text, by: caller.ref, at: now },
      };
      if (closesReview) {
        patch.awaiting = null;
        patch.review = {
          status: 'revoked',
          reviewer: caller.ref,
          comment: text,
          at: new Date(now).toISOString(),
        };
      } else {
        Object.assign(
          patch,
          withdrawPendingExtension(r, 'Access revoked', now),
        );
      }
      const changed = await this.writer.change(tx, r, {
        guard: { notEnding: true },
        patch,
        action: 'revoke-requested',
        actor: caller.ref,
        severity: 'high',
        details: { reason: text },
      });
      changes.push({
        request: changed,
        action: 'revoke-requested',
        actor: caller.ref,
      });
    });
    await this.deps.events.emit(changes);
    await this.ending.endGrant(id);
    return this.views.get(caller, id);
  }
}
