import { Entity } from '@backstage/catalog-model';

/**
 * The organisation and flows shared by the replicas test (parent) and its backend processes
 * (children): requesters in `eng`, three approvers, and three tiers of resources.
 */

export const REQUESTERS = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'];
export const APPROVERS = ['ap1', 'ap2', 'ap3'];
/** Holds access.admin in the replicas' permission service. */
export const ADMIN = 'user:default/boss';

/** Resources per tier: `auto-1`, `one-1`, `two-1`, ... */
export const TIERS = ['auto', 'one', 'two'] as const;
export type Tier = (typeof TIERS)[number];
export const RESOURCES_PER_TIER = 4;

/** Asking for this permission makes the recording receiver refuse the grant (400). */
export const FAILING_PERMISSION = 'fail';

function user(name: string, groups: string[]): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default' },
    spec: { profile: { email: `${name}@example.com` }, memberOf: groups },
    relations: groups.map(g => ({
      type: 'memberOf',
      targetRef: `group:default/${g}`,
    })),
  };
}

function group(name: string, members: string[]): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace: 'default' },
    spec: { type: 'team', children: [] },
    relations: members.map(m => ({
      type: 'hasMember',
      targetRef: `user:default/${m}`,
    })),
  };
}

function resource(name: string, tier: Tier): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name, namespace: 'default', labels: { tier } },
    spec: { type: 'database', owner: 'group:default/approvers' },
    relations: [{ type: 'ownedBy', targetRef: 'group:default/approvers' }],
  };
}

export const ENTITIES: Entity[] = [
  ...REQUESTERS.map(u => user(u, ['eng'])),
  ...APPROVERS.map(u => user(u, ['approvers'])),
  user('boss', ['admins']),
  group('eng', REQUESTERS),
  group('approvers', APPROVERS),
  group('admins', ['boss']),
  ...TIERS.flatMap(tier =>
    Array.from({ length: RESOURCES_PER_TIER }, (_, i) =>
      resource(`${tier}-${i + 1}`, tier),
    ),
  ),
];

const flow = (
  tier: Tier,
  approval: { type: string; approvers?: string[]; required?: number },
) => ({
  id: tier,
  title: `Tier ${tier}`,
  requesters: ['group:default/eng'],
  resources: {
    filter: { kind: 'Resource', 'metadata.labels.tier': tier },
    permissions: ['read', FAILING_PERMISSION],
  },
  approval,
  duration: { default: '5s', max: '1h' },
  justification: 'optional',
  provisioner: 'rec',
});

/** `auto`: granted at once; `one`: one of three approvers; `two`: two of three. */
export const FLOWS = [
  flow('auto', { type: 'automatic' }),
  flow('one', {
    type: 'manual',
    approvers: ['group:default/approvers'],
    required: 1,
  }),
  flow('two', {
    type: 'manual',
    approvers: ['group:default/approvers'],
    required: 2,
  }),
];

/** What the parent tells a backend process (JSON in the environment variable REPLICA). */
export interface ReplicaSettings {
  name: string;
  port: number;
  /** postgresql://user@host:port, without a database. */
  pgConnection: string;
  /** Database prefix: the access plugin's database is `<prefix>access`. */
  pgPrefix: string;
  receiverUrl: string;
  webhookSecret: string;
  encryptionKey: string;
  expiryFrequency: string;
}

export const REPLICA_ENV = 'JIT_REPLICA_SETTINGS';
