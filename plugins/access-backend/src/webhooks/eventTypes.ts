import { EventAction } from '../audit/auditActions';

/**
 * Outbound webhook event types, by the audit action that produces them. Every audit entry
 * is an event: the request lifecycle has the names below; `null` is `audit.<action>` (for
 * a SIEM that wants the whole trail). A new action without an entry here fails to compile.
 */
export const EVENT_TYPE_BY_ACTION: { [A in EventAction]: string | null } = {
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

/** The named event types, for config validation and docs. */
export const NAMED_EVENT_TYPES: readonly string[] = [
  ...new Set(
    Object.values(EVENT_TYPE_BY_ACTION).filter((t): t is string => t !== null),
  ),
];

/** The event type of an audit action. */
export function eventTypeOf(action: EventAction): string {
  return EVENT_TYPE_BY_ACTION[action] ?? `audit.${action}`;
}

/**
 * Whether a subscription pattern covers an event type: an exact name, `prefix.*`
 * (e.g. `request.*`, `audit.*`) or `*`.
 */
export function subscribes(patterns: readonly string[], type: string): boolean {
  return patterns.some(
    p =>
      p === '*' ||
      p === type ||
      (p.endsWith('.*') && type.startsWith(p.slice(0, -1))),
  );
}

/** Why a subscription pattern is not valid, or undefined when it is. */
export function patternProblem(pattern: string): string | undefined {
  if (pattern === '*' || NAMED_EVENT_TYPES.includes(pattern)) return undefined;
  if (/^(request|access|extension|audit)\.\*$/.test(pattern)) return undefined;
  if (/^audit\.[a-z0-9-]+$/.test(pattern)) return undefined;
  return `unknown event "${pattern}" (known: ${NAMED_EVENT_TYPES.join(
    ', ',
  )}, audit.<action>, request.*, access.*, extension.*, audit.*, *)`;
}
