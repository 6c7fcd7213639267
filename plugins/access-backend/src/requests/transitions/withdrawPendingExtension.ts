import { RequestPatch } from '../../database/AccessStore';
import { RequestRecord } from '../../database/types';

/**
 * Closes a pending extension as rejected, for `reason`: the approver's, the requester's
 * cancellation, or the end of the access it would have extended (revocation,
 * re-verification and expiry alike; an open break-glass review outlives the access).
 * Nothing when no extension is pending.
 */
export function withdrawPendingExtension(
  r: RequestRecord,
  reason: string,
  decidedAt?: number,
): RequestPatch {
  if (r.awaiting !== 'extension' || !r.extension) return {};
  return {
    awaiting: null,
    extension: {
      ...r.extension,
      status: 'rejected',
      reason,
      ...(decidedAt !== undefined
        ? { decidedAt: new Date(decidedAt).toISOString() }
        : {}),
    },
  };
}
