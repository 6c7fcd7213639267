import { AccessProvisionerFactory } from '@jit-access/plugin-access-node';
import { readPostgresProvisionerConfig } from './config';
import { PostgresProvisioner } from './PostgresProvisioner';

/**
 * The provisioner type, `access.provisioners.<id>.type: postgres`.
 * @public
 */
export const POSTGRES_PROVISIONER_TYPE = 'postgres';

/**
 * The `postgres` provisioner type, plus `close()` to shut down the connection pools of every
 * provisioner it created (the module calls it on backend shutdown).
 * @public
 */
export function createPostgresProvisionerFactory(): AccessProvisionerFactory & {
  close(): Promise<void>;
} {
  const created: PostgresProvisioner[] = [];
  return {
    type: POSTGRES_PROVISIONER_TYPE,
    create({ id, config, logger }) {
      const provisioner = new PostgresProvisioner({
        id,
        settings: readPostgresProvisionerConfig(config),
        logger,
      });
      created.push(provisioner);
      return provisioner;
    },
    async close() {
      await Promise.all(created.splice(0).map(p => p.close()));
    },
  };
}
