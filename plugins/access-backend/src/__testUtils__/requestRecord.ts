import { NewRequestRecord } from '../database/types';

/**
 * A request row as the store inserts it, for tests of the store and its migrations: alice's
 * pending manual `prod-db` request to read orders-db. Tests override what they are about;
 * `createdBy` follows `requester`.
 */
export function requestRecord(
  id: string,
  over: Partial<NewRequestRecord> = {},
): NewRequestRecord {
  const requester = over.requester ?? 'user:default/alice';
  return {
    id,
    groupId: id,
    requester,
    createdBy: requester,
    flowId: 'prod-db',
    flowTitle: 'prod-db',
    approvalType: 'manual',
    provisioner: 'none',
    resources: [
      { entityRef: 'resource:default/orders-db', permissions: ['read'] },
    ] as NewRequestRecord['resources'],
    justification: 'INC-7',
    durationSeconds: 3600,
    status: 'pending',
    approvers: [],
    requiredApprovals: 1,
    allowSelfApproval: false,
    checks: [],
    breakGlass: false,
    extensionsUsed: 0,
    extensionsAllowed: 0,
    createdAt: Date.parse('2026-12-01T08:00:00Z'),
    ...over,
  };
}
