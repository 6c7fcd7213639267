import { ResponseError } from '@backstage/errors';
import {
  AccessAuditEntry,
  AccessFlowSummary,
  AccessRequest,
} from '@jit-access/plugin-access-common';

// Test fixtures for the approvals and admin pages (not part of the plugin's exports).

const minutesAgo = (m: number) =>
  new Date(Date.now() - m * 60_000).toISOString();

export function request(
  id: string,
  over: Partial<AccessRequest> = {},
): AccessRequest {
  return {
    id,
    groupId: `g-${id}`,
    requester: 'user:default/alice',
    createdBy: 'user:default/alice',
    flowId: 'prod-db',
    flowTitle: 'Production databases',
    approvalType: 'manual',
    resources: [
      { entityRef: 'resource:default/orders-db', permissions: ['read'] },
    ],
    justification: 'INC-1234: slow queries',
    durationSeconds: 3600,
    status: 'pending',
    approvers: ['user:default/dana', 'user:default/bob'],
    requiredApprovals: 1,
    approvals: [],
    checks: [],
    breakGlass: false,
    extensionsUsed: 0,
    extensionsAllowed: 1,
    createdAt: minutesAgo(30),
    updatedAt: minutesAgo(30),
    favorite: false,
    ...over,
  };
}

export function flow(
  id: string,
  title: string,
  over: Partial<AccessFlowSummary> = {},
): AccessFlowSummary {
  return {
    id,
    title,
    requesters: ['group:default/engineering'],
    filter: [{ kind: 'Resource', 'spec.type': 'database' }],
    permissions: ['read', 'write'],
    approval: {
      type: 'manual',
      approvers: ['owner', 'group:default/dba'],
      required: 1,
      allowSelfApproval: false,
      autoApproveChecks: [],
      requiredChecks: [],
    },
    duration: { defaultSeconds: 3600, maxSeconds: 28800, extensions: 1 },
    justification: 'required',
    provisioner: 'none',
    ...over,
  };
}

export function auditEntry(
  id: number,
  over: Partial<AccessAuditEntry> = {},
): AccessAuditEntry {
  return {
    id: String(id),
    at: minutesAgo(id),
    actor: 'user:default/dana',
    action: 'request-approved',
    requestId: '6f1c2a8e-0000-4000-8000-000000000001',
    severity: 'medium',
    fromStatus: 'pending',
    toStatus: 'granting',
    details: { comment: `entry ${id}` },
    ...over,
  };
}

const ERROR_NAMES: Record<number, string> = {
  400: 'InputError',
  403: 'NotAllowedError',
  404: 'NotFoundError',
  409: 'ConflictError',
  500: 'Error',
};

/**
 * An error as the access client throws it: a real `ResponseError` built from the backend's
 * error body, with the backend's message as its message (as `AccessClient` does).
 */
export async function httpError(
  statusCode: number,
  message: string,
): Promise<ResponseError> {
  const body = {
    error: { name: ERROR_NAMES[statusCode] ?? 'Error', message },
    request: { method: 'POST', url: '/api/access/requests' },
    response: { statusCode },
  };
  const error = await ResponseError.fromResponse({
    headers: {
      get: (h: string) => (h === 'content-type' ? 'application/json' : null),
    } as unknown as Headers,
    ok: false,
    redirected: false,
    status: statusCode,
    statusText: 'Error',
    type: 'basic',
    url: 'http://localhost/api/access/requests',
    text: async () => JSON.stringify(body),
  });
  error.message = error.cause.message;
  return error;
}
