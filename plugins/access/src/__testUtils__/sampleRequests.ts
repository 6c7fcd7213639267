// Sample access requests for the component tests (not part of the plugin's exports).
import {
  AccessRequest,
  AccessRequestStatus,
} from '@jit-access/plugin-access-common';

const MINUTE = 60_000;

/** An ISO time `minutes` from now (negative: in the past). */
export function inMinutes(minutes: number): string {
  return new Date(Date.now() + minutes * MINUTE).toISOString();
}

let counter = 0;

/**
 * A request with sensible defaults: alice asks to read orders-db through the manual
 * "Production databases" flow, pending for 30 minutes, one approval from bob or carol.
 * Without `id`, each gets a fresh uuid-like one.
 *
 * `awaiting` and `allowedActions` in these builders are fixtures, not rules: what the
 * backend answers the requester for the one state each builder describes. makeRequest's
 * (awaiting the approvers, cancel and favorite) hold only for a pending manual request;
 * for another status or approval type they are none (`undefined`, `[]`), and a test
 * building another state or another caller's view passes them explicitly.
 */
export function makeRequest(over: Partial<AccessRequest> = {}): AccessRequest {
  counter += 1;
  const described =
    (over.status ?? 'pending') === 'pending' &&
    (over.approvalType ?? 'manual') === 'manual';
  const id =
    over.id ?? `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`;
  return {
    id,
    groupId: id,
    requester: 'user:default/alice',
    createdBy: 'user:default/alice',
    flowId: 'prod-db',
    flowTitle: 'Production databases',
    approvalType: 'manual',
    resources: [
      { entityRef: 'resource:default/orders-db', permissions: ['read'] },
    ],
    justification: 'Investigating INC-1',
    durationSeconds: 3600,
    status: 'pending',
    approvers: ['user:default/bob', 'user:default/carol'],
    requiredApprovals: 1,
    approvals: [],
    checks: [],
    breakGlass: false,
    extensionsUsed: 0,
    extensionsAllowed: 1,
    createdAt: inMinutes(-30),
    updatedAt: inMinutes(-30),
    favorite: false,
    awaiting: described ? 'request' : undefined,
    allowedActions: described ? ['cancel', 'favorite'] : [],
    ...over,
  };
}

/** A granted request that ends in `minutesLeft`. */
export function makeGrant(
  minutesLeft: number,
  over: Partial<AccessRequest> = {},
): AccessRequest {
  return makeRequest({
    status: 'granted',
    awaiting: undefined,
    allowedActions: ['revoke', 'extend', 'favorite'],
    grantedAt: inMinutes(-10),
    expiresAt: inMinutes(minutesLeft),
    approvals: [
      {
        approver: 'user:default/bob',
        decision: 'approved',
        kind: 'request',
        at: inMinutes(-11),
      },
    ],
    ...over,
  });
}

/** An ended request. */
export function makeClosed(
  status: AccessRequestStatus,
  over: Partial<AccessRequest> = {},
): AccessRequest {
  return makeRequest({
    status,
    awaiting: undefined,
    allowedActions: ['again', 'favorite'],
    endedAt: inMinutes(-5),
    endReason: `Ended as ${status}`,
    ...over,
  });
}
