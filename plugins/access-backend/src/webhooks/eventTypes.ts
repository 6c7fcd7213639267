import { EventAction } from '../audit/auditActions';
import { NamedEventType } from '../config/eventSubscriptions';

/**
 * Outbound webhook event types, by the audit action that produces them. Every audit entry
 * is an event: the request lifecycle has the names below; `null` is `audit.<action>` (for
 * a SIEM that wants the whole trail). A new action without an entry here fails to compile.
 */
export const EVENT_TYPE_BY_ACTION: {
  [A in EventAction]: NamedEventType | null;
} = {
  'request-submitted': 'request.created',
  'breakglass-requested': 'request.created',
  'approval-recorded': 'request.approval_recorded',
  'request-approved': 'request.approved',
  'request-auto-approved': 'request.approved',
  'request-rejected': 'request.rejected',
  'request-rejected-by-checks': 'request.rejected',
  'request-cancelled': 'request.cancelled',
  'request-timed-out': 'request.timed_out',
  'access-granted': 'access.granted',
  'breakglass-granted': 'access.granted',
  'grant-failed': 'access.failed',
  'access-expiring': 'access.expiring',
  'access-expired': 'access.expired',
  'access-revoked': 'access.revoked',
  'breakglass-review-rejected': 'access.revoked',
  'extension-requested': 'extension.requested',
  'extension-approved': 'access.extended',
  'extension-rejected': 'extension.rejected',
  'extension-rejected-by-checks': 'extension.rejected',
  'extension-cancelled': 'extension.cancelled',
  'checks-evaluated': null,
  'grant-cleanup-done': null,
  'grant-cleanup-failed': null,
  'late-grant-undo': null,
  'revoke-requested': null,
  'revoke-failed': null,
  'breakglass-reviewed': null,
  'provisioner-extend-failed': null,
  'reverify-error': null,
  'audit-chain-mark': null,
  // Not an audit entry: the chain's head after each seal batch, to keep outside the database.
  'audit-sealed': 'audit.sealed',
};

/** The event type of an audit action. */
export function eventTypeOf(action: EventAction): string {
  return EVENT_TYPE_BY_ACTION[action] ?? `audit.${action}`;
}
