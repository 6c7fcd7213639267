// @ts-check
/**
 * The benchmark's catalog: a deterministic set of users, groups and requestable resources.
 * Shared by the bench backend (which serves it from memory as the catalog service) and by
 * the orchestrator (which needs the same names to seed and to call the API).
 * CommonJS so that both the TypeScript backend and the ESM scripts can load it.
 */

const TEAMS = 20;
const MEMBERS_PER_TEAM = 10;
const TYPES = [
  'database',
  'kubernetes-cluster',
  'cloud-account',
  'queue',
  'bucket',
];
const ENVS = ['prod', 'staging', 'dev'];
// Words in names and descriptions; `q=orders` matches about 1 entity in 16.
const WORDS = [
  'orders',
  'payments',
  'analytics',
  'billing',
  'search',
  'inventory',
  'shipping',
  'identity',
  'reporting',
  'catalog',
  'pricing',
  'ledger',
  'fraud',
  'messaging',
  'recommendations',
  'checkout',
];

const REQUESTER = 'user:default/bench-requester';
const APPROVER = 'user:default/bench-approver';

const pad = (n, w) => String(n).padStart(w, '0');
const teamName = t => `team-${pad(t, 2)}`;
const userName = i => `u-${pad(i, 3)}`;
const resourceName = i => `res-${pad(i, 5)}-${WORDS[i % WORDS.length]}`;

/**
 * @param {number} total how many entities in all (users, groups and resources)
 */
function generateEntities(total) {
  /** @type {any[]} */
  const entities = [];
  const users = TEAMS * MEMBERS_PER_TEAM;
  for (let t = 0; t < TEAMS; t++) {
    const members = [];
    for (let m = 0; m < MEMBERS_PER_TEAM; m++)
      members.push(userName(t * MEMBERS_PER_TEAM + m));
    entities.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: teamName(t), namespace: 'default', title: `Team ${t}` },
      spec: { type: 'team', children: [] },
      relations: members.map(u => ({
        type: 'hasMember',
        targetRef: `user:default/${u}`,
      })),
    });
  }
  const user = (name, groups) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default' },
    spec: {
      profile: { email: `${name}@bench.example`, displayName: name },
      memberOf: groups,
    },
    relations: groups.map(g => ({
      type: 'memberOf',
      targetRef: `group:default/${g}`,
    })),
  });
  for (let i = 0; i < users; i++) {
    entities.push(
      user(userName(i), [teamName(Math.floor(i / MEMBERS_PER_TEAM))]),
    );
  }
  entities.push(user('bench-requester', [teamName(0)]));
  entities.push(user('bench-approver', [teamName(1)]));
  const resources = Math.max(0, total - entities.length);
  for (let i = 0; i < resources; i++) {
    const owner = teamName(i % TEAMS);
    const word = WORDS[i % WORDS.length];
    entities.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name: resourceName(i),
        namespace: 'default',
        title: `${word} ${TYPES[i % TYPES.length]} ${i}`,
        description: `The ${word} ${TYPES[i % TYPES.length]} in ${
          ENVS[i % ENVS.length]
        }, owned by ${owner}.`,
        labels: { env: ENVS[i % ENVS.length] },
      },
      spec: { type: TYPES[i % TYPES.length], owner: `group:default/${owner}` },
      relations: [{ type: 'ownedBy', targetRef: `group:default/${owner}` }],
    });
  }
  return entities;
}

/** The entity ref of the i-th resource. */
const resourceRef = i => `resource:default/${resourceName(i)}`;
/** The members of the team owning the i-th resource (its approvers under `owner`). */
const approversOfResource = i => {
  const t = i % TEAMS;
  const out = [];
  for (let m = 0; m < MEMBERS_PER_TEAM; m++)
    out.push(`user:default/${userName(t * MEMBERS_PER_TEAM + m)}`);
  return out.sort();
};
/** How many resources a catalog of `total` entities holds. */
const resourceCount = total =>
  Math.max(0, total - TEAMS - TEAMS * MEMBERS_PER_TEAM - 2);
/** Some other requester, for noise rows. */
const otherUser = i =>
  `user:default/${userName(i % (TEAMS * MEMBERS_PER_TEAM))}`;

module.exports = {
  generateEntities,
  resourceRef,
  resourceCount,
  approversOfResource,
  otherUser,
  REQUESTER,
  APPROVER,
  WORDS,
};
