import { RequestRecord } from '../../database/types';
import { canTransition } from '../stateMachine';
import { planTransition } from './planTransition';
import { RequestEvent, RequestState, stateOf } from './RequestEvent';

const T0 = Date.parse('2026-12-07T10:00:00Z');

const base: RequestRecord = {
  id: 'r1',
  groupId: 'g1',
  requester: 'user:default/ann',
  createdBy: 'user:default/ann',
  flowId: 'dba',
  flowTitle: 'DBA',
  approvalType: 'manual',
  provisioner: 'noop',
  resources: [
    { entityRef: 'resource:default/orders-db', permissions: ['read'] },
  ],
  justification: 'INC-1',
  durationSeconds: 3600,
  status: 'pending',
  awaiting: 'approval',
  approvers: ['user:default/bob'],
  requiredApprovals: 1,
  allowSelfApproval: false,
  checks: [],
  breakGlass: false,
  extensionsUsed: 0,
  extensionsAllowed: 1,
  createdAt: T0,
  updatedAt: T0,
  attempts: 0,
  extendAttempts: 0,
};

const active: RequestRecord = {
  ...base,
  status: 'granted',
  awaiting: 'extension',
  grantedAt: T0,
  expiresAt: T0 + 3600_000,
  extension: {
    durationSeconds: 1800,
    justification: 'more',
    requestedAt: new Date(T0).toISOString(),
    status: 'pending',
  },
};

/** The state after the writer applied the planned patch (null clears a field). */
function after(r: RequestRecord, e: RequestEvent): RequestState {
  const { spec } = planTransition(r, e);
  if (spec.to) expect(canTransition(r.status, spec.to)).toBe(true);
  const next: any = { ...r, ...(spec.to ? { status: spec.to } : {}) };
  for (const [k, v] of Object.entries(spec.patch ?? {}))
    next[k] = v === null ? undefined : v;
  return stateOf(next);
}

describe('planTransition', () => {
  it('approving a request moves it to granting, waiting for nothing', () => {
    expect(
      after(base, { type: 'approved', by: 'user:default/bob', approvals: 1 }),
    ).toEqual({ status: 'granting' });
  });

  it('revoking access ends a pending extension with it but keeps the grant until the target confirms', () => {
    expect(
      after(active, {
        type: 'revoke-requested',
        by: 'user:default/ann',
        reason: 'done',
        at: T0 + 60_000,
        closesReview: false,
      }),
    ).toEqual({ status: 'granted', ending: 'revoked', extension: 'rejected' });
  });

  it('an approver revoking break-glass access closes its review, not an extension', () => {
    const glass: RequestRecord = {
      ...active,
      breakGlass: true,
      awaiting: 'review',
      extension: undefined,
      review: { status: 'pending' },
    };
    expect(
      after(glass, {
        type: 'revoke-requested',
        by: 'user:default/bob',
        reason: 'no',
        at: T0,
        closesReview: true,
      }),
    ).toEqual({
      status: 'granted',
      ending: 'revoked',
      review: 'revoked',
    });
  });

  it('the end of a grant keeps an open break-glass review and closes anything else', () => {
    const ending = {
      as: 'expired' as const,
      reason: 'Access expired',
      by: 'system',
      at: T0,
    };
    expect(
      after(
        { ...active, ending },
        { type: 'grant-ended', ending, endedAt: T0 },
      ),
    ).toEqual({ status: 'expired', extension: 'rejected' });
    const review = {
      ...active,
      awaiting: 'review' as const,
      extension: undefined,
      ending,
      review: { status: 'pending' as const },
    };
    expect(after(review, { type: 'grant-ended', ending, endedAt: T0 })).toEqual(
      {
        status: 'expired',
        awaiting: 'review',
        review: 'pending',
      },
    );
  });

  it('a failed grant ends the request and starts undoing what the target may have done', () => {
    const granting = {
      ...base,
      status: 'granting' as const,
      awaiting: undefined,
    };
    expect(
      after(granting, { type: 'grant-failed', error: 'boom', at: T0 }),
    ).toEqual({
      status: 'failed',
      ending: 'cleanup',
    });
  });

  it('names the actor once, for the audit entry and the notice alike', () => {
    const t = planTransition(
      { ...base, awaiting: undefined },
      {
        type: 'checks-approved',
        checkId: 'oncall',
        durationSeconds: 600,
        checks: [],
        details: {},
      },
    );
    expect(t.spec).toMatchObject({
      to: 'granting',
      action: 'request-auto-approved',
      actor: 'check:oncall',
      patch: { durationSeconds: 600, approvedByCheck: 'oncall' },
    });
  });
});
