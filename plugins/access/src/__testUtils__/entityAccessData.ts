import { Entity } from '@backstage/catalog-model';
import { EntityAccessSummary } from '@jit-access/plugin-access-common';
import { AccessBackendState } from './accessServer';
import { makeFlow } from './sampleFlows';

// Test fixtures for the entity page pieces (not part of the plugin's exports).

export const ordersDb: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name: 'orders-db', namespace: 'default' },
  spec: { type: 'database', owner: 'group:default/dba' },
};
export const ORDERS_DB = 'resource:default/orders-db';

/** An entity no flow covers. */
export const website: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'website', namespace: 'default' },
  spec: { type: 'website', owner: 'group:default/web' },
};
export const WEBSITE = 'component:default/website';

/**
 * The fake access backend's coverage for these entities: orders-db may be asked to read
 * through the prod-db flow; the website is not covered.
 */
export const COVERAGE: Partial<AccessBackendState> = {
  flows: [makeFlow('prod-db', 'Production databases')],
  resources: [
    {
      entityRef: ORDERS_DB,
      kind: 'Resource',
      name: 'orders-db',
      type: 'database',
      owner: 'group:default/dba',
      permissions: [
        {
          permission: 'read',
          flowId: 'prod-db',
          flowTitle: 'Production databases',
        },
      ],
    },
  ],
  uncoveredEntities: [WEBSITE],
};

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
