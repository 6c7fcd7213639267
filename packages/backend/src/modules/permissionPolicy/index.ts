export { permissionModuleJitAccessPolicy as default } from './module';
export {
  JitAccessPermissionPolicy,
  PLATFORM_ADMINS_GROUP_REF,
  PLATFORM_ADMIN_PERMISSIONS,
} from './policy';
