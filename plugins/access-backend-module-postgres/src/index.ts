/**
 * PostgreSQL provisioner for JIT Access (type `postgres`): a login role per grant, member of
 * the database roles the requested permissions map to, dropped when access ends.
 *
 * @packageDocumentation
 */
export { accessModulePostgres as default } from './module';
export {
  createPostgresProvisionerFactory,
  POSTGRES_PROVISIONER_TYPE,
} from './factory';
export {
  PostgresProvisioner,
  POSTGRES_TARGET_ANNOTATION,
} from './PostgresProvisioner';
export {
  readPostgresProvisionerConfig,
  PostgresConfigError,
  DEFAULT_CONNECTION_LIMIT,
  type PostgresProvisionerSettings,
  type PostgresTarget,
} from './config';
export { loginRoleName, DEFAULT_ROLE_PREFIX } from './roleName';
