import { Entity } from '@backstage/catalog-model';
import { EntityAccessSummary } from '@jit-access/plugin-access-common';

// Test fixtures for the entity page pieces (not part of the plugin's exports).

export const ordersDb: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name: 'orders-db', namespace: 'default' },
  spec: { type: 'database', owner: 'group:default/dba' },
};
export const ORDERS_DB = 'resource:default/orders-db';

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
