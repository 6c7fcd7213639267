/**
 * What an outbound webhook may subscribe to (`access.webhooks[].events`): the named event
 * types, `prefix.*`, `audit.<action>` and `*`. Config validates subscriptions against this
 * list; `webhooks/eventTypes.ts` maps every audit action onto it (a name missing here fails
 * to compile there, and its test fails for a name here no action produces).
 */
export const NAMED_EVENT_TYPES = [
  'request.created',
  'request.approval_recorded',
  'request.approved',
  'request.rejected',
  'request.cancelled',
  'request.timed_out',
  'access.granted',
  'access.failed',
  'access.expiring',
  'access.expired',
  'access.revoked',
  'extension.requested',
  'access.extended',
  'extension.rejected',
  'extension.cancelled',
  'audit.sealed',
] as const;

/** An event type with its own name (the rest of the trail is `audit.<action>`). */
export type NamedEventType = (typeof NAMED_EVENT_TYPES)[number];

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
  if (
    pattern === '*' ||
    (NAMED_EVENT_TYPES as readonly string[]).includes(pattern)
  )
    return undefined;
  if (/^(request|access|extension|audit)\.\*$/.test(pattern)) return undefined;
  if (/^audit\.[a-z0-9-]+$/.test(pattern)) return undefined;
  return `unknown event "${pattern}" (known: ${NAMED_EVENT_TYPES.join(
    ', ',
  )}, audit.<action>, request.*, access.*, extension.*, audit.*, *)`;
}
