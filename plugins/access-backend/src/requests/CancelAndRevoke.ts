import { ConflictError, NotAllowedError } from '@backstage/errors';
import { AccessRequest } from '@jit-access/plugin-access-common';
import { AccessChange } from '../events/AccessEvents';
import { GrantEnding } from './GrantEnding';
import { Caller, RequestDeps } from './RequestDeps';
import { RequestViews } from './RequestViews';
import { RequestWriter } from './RequestWriter';

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
      const withdraws = r.status === 'granted' && r.awaiting === 'extension';
      if (r.status !== 'pending' && !withdraws) {
        throw new ConflictError(
          `Request ${id} is ${r.status}; only pending requests can be cancelled`,
        );
      }
      changes.push(
        await this.writer.apply(tx, r, {
          type: withdraws ? 'extension-cancelled' : 'cancelled',
          by: caller.ref,
          at: now,
        }),
      );
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
      changes.push(
        await this.writer.apply(tx, r, {
          type: 'revoke-requested',
          by: caller.ref,
          reason: text,
          at: now,
          // An approver or admin revoking break-glass access has reviewed it; the holder has not.
          closesReview: r.awaiting === 'review' && r.requester !== caller.ref,
        }),
      );
    });
    await this.deps.events.emit(changes);
    await this.ending.endGrant(id);
    return this.views.get(caller, id);
  }
}
