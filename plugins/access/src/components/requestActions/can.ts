import {
  AccessRequest,
  AccessRequestAction,
} from '@jit-access/plugin-access-common';

/**
 * Whether the backend lets the caller take `action` on `request` now. A request from a
 * backend older than `allowedActions` offers nothing rather than breaking the page.
 */
export function can(request: AccessRequest, action: AccessRequestAction) {
  return (request.allowedActions ?? []).includes(action);
}
