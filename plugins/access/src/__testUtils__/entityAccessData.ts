import { Entity } from '@backstage/catalog-model';
import { EntityAccessSummary } from '@jit-access/plugin-access-common';
import { Fixtures } from './accessServer';
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

const READ_VIA_PROD_DB = {
  permission: 'read',
  flowId: 'prod-db',
  flowTitle: 'Production databases',
};

/** What the backend says of the uncovered website: no flow covers it. */
export const UNCOVERED: EntityAccessSummary = {
  entityRef: WEBSITE,
  covered: false,
  permissions: [],
  mine: [],
  canSeeHolders: false,
};

export function summary(
  over: Partial<EntityAccessSummary> = {},
): EntityAccessSummary {
  return {
    entityRef: ORDERS_DB,
    covered: true,
    permissions: [
      READ_VIA_PROD_DB,
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

/** orders-db as the backend shows it to the caller: read through prod-db, nothing else. */
export function ordersDbAccess(
  over: Partial<EntityAccessSummary> = {},
): EntityAccessSummary {
  return summary({ permissions: [READ_VIA_PROD_DB], ...over });
}

/**
 * The fake access backend's coverage for these entities: orders-db may be asked to read
 * through the prod-db flow (what the caller holds: `ordersDbAccess`); the website is not
 * covered.
 */
export const COVERAGE: Pick<Fixtures, 'flows' | 'entityAccess'> = {
  flows: [makeFlow('prod-db', 'Production databases')],
  entityAccess: {
    [ORDERS_DB]: ordersDbAccess(),
    [WEBSITE]: UNCOVERED,
  },
};
