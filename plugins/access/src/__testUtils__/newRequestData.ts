import {
  AccessBundle,
  AccessFlowSummary,
  AccessPreviewItem,
  AccessRequest,
  RequestableResource,
  SubmitAccessRequestBody,
} from '@jit-access/plugin-access-common';
import { AccessApi } from '../api';
import { makeRequest } from './sampleRequests';

function flow(
  id: string,
  title: string,
  type: AccessFlowSummary['approval']['type'],
  opts: {
    approvers?: string[];
    required?: number;
    defaultSeconds: number;
    maxSeconds: number;
    justification?: 'required' | 'optional';
    autoApproveChecks?: string[];
    requiredChecks?: string[];
    permissions: string[];
  },
): AccessFlowSummary {
  return {
    id,
    title,
    requesters: ['*'],
    filter: [],
    permissions: opts.permissions,
    approval: {
      type,
      approvers: opts.approvers ?? [],
      required: opts.required ?? 1,
      allowSelfApproval: false,
      autoApproveChecks: opts.autoApproveChecks ?? [],
      requiredChecks: opts.requiredChecks ?? [],
    },
    duration: {
      defaultSeconds: opts.defaultSeconds,
      maxSeconds: opts.maxSeconds,
      extensions: 1,
    },
    justification: opts.justification ?? 'required',
    provisioner: 'none',
  };
}

export const FLOWS: AccessFlowSummary[] = [
  flow('staging-db', 'Staging databases', 'automatic', {
    defaultSeconds: 3600,
    maxSeconds: 4 * 3600,
    justification: 'optional',
    permissions: ['read', 'write'],
  }),
  flow('prod-db', 'Production databases', 'manual', {
    approvers: ['owner', 'group:default/dba'],
    defaultSeconds: 2 * 3600,
    maxSeconds: 8 * 3600,
    autoApproveChecks: ['on-call'],
    permissions: ['read', 'write'],
  }),
  flow('prod-db-admin', 'Production database admin', 'manual', {
    approvers: ['group:default/dba'],
    required: 2,
    defaultSeconds: 3600,
    maxSeconds: 2 * 3600,
    permissions: ['admin'],
  }),
  flow('cluster-breakglass', 'Cluster break-glass', 'breakglass', {
    approvers: ['group:default/platform-admins'],
    defaultSeconds: 3600,
    maxSeconds: 3600,
    requiredChecks: ['incident-open'],
    permissions: ['cluster-admin'],
  }),
];

function perm(permission: string, flowId: string) {
  const f = FLOWS.find(x => x.id === flowId)!;
  return { permission, flowId, flowTitle: f.title };
}

export const ORDERS_DB: RequestableResource = {
  entityRef: 'resource:default/orders-db',
  kind: 'Resource',
  name: 'orders-db',
  title: 'Orders DB',
  description: 'Orders of the shop',
  type: 'database',
  owner: 'group:default/payments',
  permissions: [
    perm('read', 'prod-db'),
    perm('write', 'prod-db'),
    perm('admin', 'prod-db-admin'),
  ],
};

export const STAGING_DB: RequestableResource = {
  entityRef: 'resource:default/staging-db',
  kind: 'Resource',
  name: 'staging-db',
  type: 'database',
  owner: 'group:default/payments',
  permissions: [perm('read', 'staging-db'), perm('write', 'staging-db')],
};

export const PROD_EKS: RequestableResource = {
  entityRef: 'resource:default/prod-eks',
  kind: 'Resource',
  name: 'prod-eks',
  type: 'kubernetes-cluster',
  owner: 'group:default/platform',
  permissions: [perm('cluster-admin', 'cluster-breakglass')],
};

export const RESOURCES = [ORDERS_DB, PROD_EKS, STAGING_DB];

export const BUNDLES: AccessBundle[] = [
  {
    id: 'incident-kit',
    title: 'Incident kit',
    description: 'What on-call needs',
    resources: [
      { entityRef: 'resource:default/orders-db', permissions: ['read'] },
      { entityRef: 'resource:default/staging-db', permissions: ['read'] },
      {
        entityRef: 'resource:default/prod-eks',
        permissions: ['cluster-admin'],
      },
    ],
  },
  {
    id: 'onboarding',
    title: 'Onboarding',
    resources: [
      { entityRef: 'resource:default/staging-db', permissions: ['read'] },
    ],
  },
];

/** Who approves an item of a flow, as the backend would resolve it. */
function approversOf(f: AccessFlowSummary): string[] {
  if (f.approval.type === 'automatic') return [];
  if (f.id === 'cluster-breakglass') return ['user:default/pat'];
  if (f.id === 'prod-db') return ['user:default/dana', 'user:default/erin'];
  return ['user:default/dana', 'user:default/erin', 'user:default/finn'];
}

/** The (entity, permission) → flow decisions the fake backend makes. */
function plan(
  resources: RequestableResource[],
  body: SubmitAccessRequestBody,
): AccessPreviewItem[] {
  const wanted =
    body.resources ??
    BUNDLES.find(b => b.id === body.bundleId)?.resources ??
    [];
  const items: AccessPreviewItem[] = [];
  wanted.forEach((w, i) => {
    const resource = resources.find(r => r.entityRef === w.entityRef);
    if (!resource)
      throw new Error(
        `resources[${i}].entityRef: no entity "${w.entityRef}" in the catalog`,
      );
    const byFlow = new Map<string, string[]>();
    for (const p of w.permissions) {
      const offered = resource.permissions.find(x => x.permission === p);
      if (!offered)
        throw new Error(
          `resources[${i}]: no access flow lets user:default/alice request "${p}" on ${w.entityRef}`,
        );
      byFlow.set(offered.flowId, [...(byFlow.get(offered.flowId) ?? []), p]);
    }
    for (const [flowId, permissions] of byFlow) {
      const f = FLOWS.find(x => x.id === flowId)!;
      if (body.durationSeconds && body.durationSeconds > f.duration.maxSeconds)
        throw new Error(
          `durationSeconds: ${body.durationSeconds}s is longer than flow "${f.id}" allows (max ${f.duration.maxSeconds}s)`,
        );
      items.push({
        entityRef: w.entityRef,
        permissions,
        flowId,
        flowTitle: f.title,
        approvalType: f.approval.type,
        approvers: approversOf(f),
        requiredApprovals:
          f.approval.type === 'manual' ? f.approval.required : 0,
        checks: [...f.approval.requiredChecks, ...f.approval.autoApproveChecks],
        durationSeconds: body.durationSeconds ?? f.duration.defaultSeconds,
        maxDurationSeconds: f.duration.maxSeconds,
        justificationRequired: f.justification === 'required',
        autoApproved: f.approval.type !== 'manual',
      });
    }
  });
  return items;
}

let nextId = 1;

/** Turns preview items into the requests the backend would create (one per flow). */
export function requestsFor(
  items: AccessPreviewItem[],
  body: SubmitAccessRequestBody,
) {
  const groups = new Map<string, AccessPreviewItem[]>();
  for (const i of items)
    groups.set(i.flowId, [...(groups.get(i.flowId) ?? []), i]);
  const now = '2025-01-01T10:00:00.000Z';
  return [...groups.values()].map((g): AccessRequest => {
    const first = g[0];
    const granted = first.autoApproved;
    const breakGlass = first.approvalType === 'breakglass';
    return makeRequest({
      id: `00000000-0000-4000-8000-${String(nextId++).padStart(12, '0')}`,
      groupId: 'group-1',
      flowId: first.flowId,
      flowTitle: first.flowTitle,
      approvalType: first.approvalType,
      resources: g.map(i => ({
        entityRef: i.entityRef,
        permissions: i.permissions,
      })),
      justification: body.justification ?? '',
      durationSeconds: first.durationSeconds,
      status: granted ? 'granted' : 'pending',
      approvers: first.approvers,
      requiredApprovals: first.requiredApprovals,
      breakGlass,
      createdAt: now,
      updatedAt: now,
      // what the backend answers the requester right after the submission: break-glass
      // access waits for its review (checksApproved), other granted access for nothing
      ...(granted
        ? {
            grantedAt: now,
            expiresAt: '2025-01-01T11:00:00.000Z',
            awaiting: breakGlass ? 'review' : undefined,
            ...(breakGlass ? { review: { status: 'pending' } } : {}),
            allowedActions: ['revoke', 'extend', 'favorite'],
          }
        : {}),
    });
  });
}

/** `count` requestable resources named `<prefix>-0000`... (all read via Production databases). */
export function manyResources(count: number, prefix: string) {
  return Array.from(
    { length: count },
    (_, i): RequestableResource => ({
      entityRef: `resource:default/${prefix}-${String(i).padStart(4, '0')}`,
      kind: 'Resource',
      name: `${prefix}-${String(i).padStart(4, '0')}`,
      type: 'database',
      permissions: [perm('read', 'prod-db')],
    }),
  );
}

/**
 * An in-memory access API over `resources`: searches by name, filters by type and
 * permission, pages by offset, and previews / submits like the backend (one request per
 * flow). Every method is a jest mock so tests can assert calls or override answers.
 */
export function fakeAccessApi(resources: RequestableResource[] = RESOURCES) {
  const api = {
    getFlows: jest.fn(async () => FLOWS),
    getBundles: jest.fn(async () => BUNDLES),
    getResources: jest.fn(
      async (query: Parameters<AccessApi['getResources']>[0] = {}) => {
        const matches = resources
          .filter(r => !query.q || r.name.includes(query.q.toLowerCase()))
          .filter(r => !query.type || r.type === query.type)
          .filter(
            r =>
              !query.permission ||
              r.permissions.some(p => p.permission === query.permission),
          )
          .map(r =>
            query.permission
              ? {
                  ...r,
                  permissions: r.permissions.filter(
                    p => p.permission === query.permission,
                  ),
                }
              : r,
          );
        const start = Number(query.cursor ?? 0);
        const limit = query.limit ?? 50;
        const end = start + limit;
        return {
          items: matches.slice(start, end),
          nextCursor: end < matches.length ? String(end) : undefined,
        };
      },
    ),
    previewRequest: jest.fn(async (body: SubmitAccessRequestBody) => ({
      items: plan(resources, body),
    })),
    submitRequest: jest.fn(
      async (
        body: SubmitAccessRequestBody,
        _options?: { idempotencyKey?: string },
      ) => {
        const items = plan(resources, body);
        for (const i of items) {
          const f = FLOWS.find(x => x.id === i.flowId)!;
          if (f.justification === 'required' && !body.justification?.trim())
            throw new Error(
              `justification: flow "${f.id}" (${f.title}) requires a justification`,
            );
        }
        return { items: requestsFor(items, body) };
      },
    ),
    // My Access, where a submission lands, lists nothing here.
    listRequests: jest.fn(async () => ({ items: [] as AccessRequest[] })),
  };
  return api;
}

export type FakeAccessApi = ReturnType<typeof fakeAccessApi>;

/** The fake as the `AccessApi` the components ask for. */
export function asAccessApi(fake: FakeAccessApi): AccessApi {
  return fake as unknown as AccessApi;
}
