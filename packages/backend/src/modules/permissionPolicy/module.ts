import { createBackendModule } from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { JitAccessPermissionPolicy } from './policy';

/** Installs {@link JitAccessPermissionPolicy} as the permission backend's policy. */
export const permissionModuleJitAccessPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'jit-access-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy(new JitAccessPermissionPolicy());
      },
    });
  },
});
