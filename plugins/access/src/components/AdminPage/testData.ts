import { PermissionApi } from '@backstage/plugin-permission-react';

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
