import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { AccessPermissionPolicy } from './policy';

/**
 * Installs {@link AccessPermissionPolicy} as the permission backend's policy, with the
 * admins from `access.permissionPolicy.admins` (default
 * `['group:default/platform-admins']`). Use it instead of
 * `@backstage/plugin-permission-backend-module-allow-all-policy`, which makes everyone an
 * access admin.
 *
 * @public
 */
export const permissionModuleAccessPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'access-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ policy, config, logger }) {
        const accessPolicy = AccessPermissionPolicy.fromConfig(config);
        policy.setPolicy(accessPolicy);
        const { admins } = accessPolicy;
        logger.info(
          admins.length
            ? `JIT Access permission policy: access.admin and access.audit.read are allowed to ${admins.join(
                ', ',
              )} (access.permissionPolicy.admins), every other permission to everyone`
            : 'JIT Access permission policy: access.permissionPolicy.admins is empty, so no one may use access.admin or access.audit.read; every other permission is allowed to everyone',
        );
      },
    });
  },
});
