/**
 * A permission policy for JIT Access, installed on the permission backend: only the
 * configured admins (`access.permissionPolicy.admins`) administer access and read its audit
 * log; every other permission is allowed.
 *
 * @packageDocumentation
 */
export { permissionModuleAccessPolicy as default } from './module';
export { AccessPermissionPolicy, ACCESS_ADMIN_PERMISSIONS } from './policy';
