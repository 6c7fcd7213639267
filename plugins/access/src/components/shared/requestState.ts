import { AccessRequest } from '@jit-access/plugin-access-common';

/**
 * True while a decided revocation (or expiry) has not gone through yet: the access is
 * still there and the backend retries (`ending` says why and who decided it).
 */
export function isBeingRevoked(r: AccessRequest): boolean {
  return r.status === 'granted' && !!r.ending;
}

/** Approvals of the request itself (not of extensions or reviews) by distinct people. */
export function approvedBy(r: AccessRequest): string[] {
  return [
    ...new Set(
      r.approvals
        .filter(a => a.kind === 'request' && a.decision === 'approved')
        .map(a => a.approver),
    ),
  ];
}

/** Approvers who could still approve: the listed approvers minus those who already did. */
export function remainingApprovers(r: AccessRequest): string[] {
  const done = new Set(
    r.approvals.filter(a => a.kind === 'request').map(a => a.approver),
  );
  return r.approvers.filter(a => !done.has(a));
}

/** How many more approvals a pending request needs. */
export function missingApprovals(r: AccessRequest): number {
  return Math.max(0, r.requiredApprovals - approvedBy(r).length);
}
