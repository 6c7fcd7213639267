import { PermissionApi } from '@backstage/plugin-permission-react';
import { AccessAuditEntry } from '@jit-access/plugin-access-common';
import { inMinutes } from './sampleRequests';

// Test fixtures for the admin page (not part of the plugin's exports).

type Decision = Awaited<ReturnType<PermissionApi['authorize']>>;

/** A permission API that allows exactly the named (basic) permissions. */
export function fakePermissions(
  allowed: string[],
): Pick<PermissionApi, 'authorize'> {
  return {
    authorize: async req =>
      ({
        result: (allowed.includes(req.permission.name)
          ? 'ALLOW'
          : 'DENY') as Decision['result'],
      } as Decision),
  };
}

/** Audit entry `id`, recorded `id` minutes ago: dana approved a request. */
export function auditEntry(
  id: number,
  over: Partial<AccessAuditEntry> = {},
): AccessAuditEntry {
  return {
    id: String(id),
    at: inMinutes(-id),
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
