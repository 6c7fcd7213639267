import { AccessRequest } from '@jit-access/plugin-access-common';
import { isBeingRevoked } from '../shared';

/*
 * Why an action the backend does not list in `allowedActions` is off, in words, for the
 * buttons that stay on screen disabled. They only explain: whether an action is offered
 * is the backend's answer, never decided here.
 */

/** Why the holder cannot ask for an extension now. */
export function whyNoExtension(r: AccessRequest): string {
  if (isBeingRevoked(r)) return 'This access is being revoked';
  if (r.awaiting === 'extension')
    return 'An extension is already waiting for approval';
  if (r.extensionsAllowed === 0)
    return `Flow "${r.flowTitle}" does not allow extensions`;
  if (r.extensionsUsed >= r.extensionsAllowed)
    return `Already extended ${r.extensionsUsed} time(s), the most flow "${r.flowTitle}" allows`;
  return 'This access cannot be extended now';
}

/** Why the access cannot be revoked now. */
export function whyNoRevoke(r: AccessRequest): string {
  return isBeingRevoked(r)
    ? 'This access is already being revoked'
    : 'This access cannot be revoked now';
}

/** Why the request cannot be cancelled now. */
export function whyNoCancel(r: AccessRequest): string {
  return r.status === 'granting'
    ? 'Being granted; it can no longer be cancelled'
    : 'This request can no longer be cancelled';
}
