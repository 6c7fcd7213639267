import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Submit access requests for oneself (and, for service principals, on behalf of a user).
 * Flow rules decide what may be requested; this permission gates the feature as a whole.
 * @public
 */
export const accessRequestCreatePermission = createPermission({
  name: 'access.request.create',
  attributes: { action: 'create' },
});

/**
 * Submit a request on behalf of another user. Only service principals (for example an
 * ITSM workflow with a static token) may do this; users are always refused.
 * @public
 */
export const accessRequestCreateOnBehalfPermission = createPermission({
  name: 'access.request.create.onbehalf',
  attributes: { action: 'create' },
});

/**
 * Administer access: see every request (`view=all`), revoke any grant, decide on any
 * break-glass review. Grant it to your platform admins in your permission policy.
 * @public
 */
export const accessAdminPermission = createPermission({
  name: 'access.admin',
  attributes: { action: 'update' },
});

/**
 * Read and export the access audit log.
 * @public
 */
export const accessAuditReadPermission = createPermission({
  name: 'access.audit.read',
  attributes: { action: 'read' },
});

/**
 * Every permission the access plugin defines, for policies and the permission integration router.
 * @public
 */
export const accessPermissions = [
  accessRequestCreatePermission,
  accessRequestCreateOnBehalfPermission,
  accessAdminPermission,
  accessAuditReadPermission,
];
