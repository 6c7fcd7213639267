import { createBackendModule } from '@backstage/backend-plugin-api';
import { accessProvisionersExtensionPoint } from '@jit-access/plugin-access-node';

/** The password the `details` provisioner hands every grantee. */
export const PASSWORD = 'p4ss-w0rd-only-for-alice';

/** A provisioner type `details` whose grants return access details (with a password). */
export const detailsProvisioner = createBackendModule({
  pluginId: 'access',
  moduleId: 'details-provisioner',
  register(env) {
    env.registerInit({
      deps: { provisioners: accessProvisionersExtensionPoint },
      async init({ provisioners }) {
        provisioners.addProvisionerType({
          type: 'details',
          create: () => ({
            async grant(r) {
              return {
                accessDetails: {
                  host: 'db.internal',
                  user: `jit_${r.requestId.slice(0, 8)}`,
                  password: PASSWORD,
                  port: 5432 as any,
                },
              };
            },
            async revoke() {},
          }),
        });
      },
    });
  },
});
