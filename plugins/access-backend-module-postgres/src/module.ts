import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { accessProvisionersExtensionPoint } from '@jit-access/plugin-access-node';
import { createPostgresProvisionerFactory } from './factory';

/**
 * Adds the provisioner type `postgres` to JIT Access: a PostgreSQL login role per grant,
 * member of the database roles the requested permissions map to, dropped when access ends.
 *
 * @public
 */
export const accessModulePostgres = createBackendModule({
  pluginId: 'access',
  moduleId: 'postgres',
  register(reg) {
    reg.registerInit({
      deps: {
        provisioners: accessProvisionersExtensionPoint,
        lifecycle: coreServices.lifecycle,
      },
      async init({ provisioners, lifecycle }) {
        const factory = createPostgresProvisionerFactory();
        provisioners.addProvisionerType(factory);
        // The admin connection pools are opened lazily and closed with the backend.
        lifecycle.addShutdownHook(() => factory.close());
      },
    });
  },
});
