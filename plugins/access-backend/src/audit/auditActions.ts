/**
 * Every action the backend writes to the audit trail. Audit entries, the notices and
 * signals sent after a change, and outbound webhook events all name one of these, so a
 * misspelt action or an action without an event mapping fails to compile.
 */
export const AUDIT_ACTIONS = [
  'request-submitted',
  'breakglass-requested',
  'checks-evaluated',
  'approval-recorded',
  'request-approved',
  'request-auto-approved',
  'request-rejected',
  'request-rejected-by-checks',
  'request-cancelled',
  'request-timed-out',
  'access-granted',
  'breakglass-granted',
  'grant-failed',
  'grant-cleanup-done',
  'grant-cleanup-failed',
  'late-grant-undo',
  'access-expiring',
  'access-expired',
  'revoke-requested',
  'access-revoked',
  'revoke-failed',
  'breakglass-reviewed',
  'breakglass-review-rejected',
  'extension-requested',
  'extension-approved',
  'extension-rejected',
  'extension-rejected-by-checks',
  'extension-cancelled',
  'provisioner-extend-failed',
  'reverify-error',
  'audit-chain-mark',
] as const;

/** An action of the audit trail; see {@link AUDIT_ACTIONS}. */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * What produces an outbound webhook event: every audit action, and the audit chain's
 * head after each seal batch (`audit-sealed`, kept outside the database, not an entry).
 */
export type EventAction = AuditAction | 'audit-sealed';
