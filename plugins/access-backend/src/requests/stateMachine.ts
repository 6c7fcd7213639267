import { AccessRequestStatus } from '@jit-access/plugin-access-common';

/** Every legal status change. Anything else is a bug or a lost race. */
export const TRANSITIONS: Record<
  AccessRequestStatus,
  readonly AccessRequestStatus[]
> = {
  pending: ['granting', 'rejected', 'cancelled', 'expired'],
  granting: ['granted', 'failed'],
  granted: ['expired', 'revoked'],
  expired: [],
  rejected: [],
  revoked: [],
  failed: [],
  cancelled: [],
};

/** True when `from -> to` is a legal transition. */
export function canTransition(
  from: AccessRequestStatus,
  to: AccessRequestStatus,
): boolean {
  return TRANSITIONS[from].includes(to);
}
