import { Entity } from '@backstage/catalog-model';
import {
  AccessFlowSummary,
  AccessRequest,
  EntityAccessSummary,
} from '@jit-access/plugin-access-common';

// Test fixtures for the entity page pieces (not part of the plugin's exports).

export const ordersDb: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name: 'orders-db', namespace: 'default' },
  spec: { type: 'database', owner: 'group:default/dba' },
};
export const ORDERS_DB = 'resource:default/orders-db';

export function flow(
  id: string,
  title: string,
  over: Partial<AccessFlowSummary> = {},
): AccessFlowSummary {
  return {
    id,
    title,
    requesters: ['*'],
    filter: [{ kind: 'Resource' }],
    permissions: ['read', 'write'],
    approval: {
      type: 'manual',
      approvers: ['owner'],
      required: 1,
      allowSelfApproval: false,
      autoApproveChecks: [],
      requiredChecks: [],
    },
    duration: { defaultSeconds: 7200, maxSeconds: 28800, extensions: 1 },
    justification: 'required',
    provisioner: 'none',
    ...over,
  };
}

export function request(over: Partial<AccessRequest> = {}): AccessRequest {
  return {
    id: 'r1',
    groupId: 'g1',
    requester: 'user:default/alice',
    createdBy: 'user:default/alice',
    flowId: 'prod-db',
    flowTitle: 'Production databases',
    approvalType: 'manual',
    resources: [{ entityRef: ORDERS_DB, permissions: ['read'] }],
    justification: 'INC-1 debugging',
    durationSeconds: 3600,
    status: 'pending',
    approvers: ['user:default/bob', 'user:default/carol'],
    requiredApprovals: 1,
    approvals: [],
    checks: [],
    breakGlass: false,
    extensionsUsed: 0,
    extensionsAllowed: 1,
    createdAt: '2025-01-01T10:00:00Z',
    updatedAt: '2025-01-01T10:00:00Z',
    favorite: false,
    ...over,
  };
}

export function summary(
  over: Partial<EntityAccessSummary> = {},
): EntityAccessSummary {
  return {
    entityRef: ORDERS_DB,
    covered: true,
    permissions: [
      {
        permission: 'read',
        flowId: 'prod-db',
        flowTitle: 'Production databases',
      },
      {
        permission: 'admin',
        flowId: 'prod-db-admin',
        flowTitle: 'Production database admin',
      },
    ],
    mine: [],
    canSeeHolders: false,
    ...over,
  };
}
