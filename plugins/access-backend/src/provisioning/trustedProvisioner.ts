import {
  AccessProvisioner,
  ProvisionerRequest,
} from '@jit-access/plugin-access-node';
import { EntityTrust } from '../config/AccessConfig';
import { restrictsTrust, untrustedReason } from '../flows/entityTrust';

/**
 * A provisioner that refuses to grant (or extend) on entities outside
 * `access.provisioners.<id>.trust`, whichever flow asks: the entity's annotations choose
 * what it grants on. Revoking is never refused, so access always ends.
 */
export function withEntityTrust(
  id: string,
  trust: EntityTrust | undefined,
  provisioner: AccessProvisioner,
): AccessProvisioner {
  if (!restrictsTrust(trust)) return provisioner;
  const assertTrusted = (request: ProvisionerRequest) => {
    for (const r of request.resources) {
      const reason = untrustedReason(
        trust,
        r.entityRef,
        r.entity,
        `provisioner "${id}"`,
      );
      if (reason) {
        throw new Error(`Refused: ${reason} (access.provisioners.${id}.trust)`);
      }
    }
  };
  const { extend } = provisioner;
  return {
    async grant(request) {
      assertTrusted(request);
      return provisioner.grant(request);
    },
    revoke: request => provisioner.revoke(request),
    ...(extend
      ? {
          async extend(request: ProvisionerRequest) {
            assertTrusted(request);
            return extend.call(provisioner, request);
          },
        }
      : {}),
  };
}
