import { createExtensionPoint } from '@backstage/backend-plugin-api';

/**
 * The request in an access event, as in an outbound webhook's `data.request`
 * (docs/webhooks.md): no secrets, nothing internal.
 * @public
 */
export interface AccessEventRequest {
  id: string;
  status: string;
  requester: string;
  createdBy: string;
  flowId: string;
  flowTitle: string;
  approvalType: string;
  resources: { entityRef: string; permissions: string[] }[];
  justification: string;
  durationSeconds: number;
  approvers: string[];
  breakGlass: boolean;
  createdAt: string;
  grantedAt?: string;
  expiresAt?: string;
  endedAt?: string;
  endReason?: string;
  /** Path of the request in the portal, relative to the app's base URL. */
  link: string;
}

/**
 * One access event: the body an outbound webhook receives (docs/webhooks.md).
 * @public
 */
export interface AccessEvent {
  /** `evt_<uuid>`, the same on every attempt. */
  id: string;
  /** e.g. `request.approved`, `access.expired`, or `audit.<action>`. */
  type: string;
  /** When the change happened (ISO 8601). */
  timestamp: string;
  data: {
    action: string;
    actor: string;
    severity: string;
    fromStatus?: string;
    toStatus?: string;
    details: Record<string, unknown>;
    request?: AccessEventRequest;
  };
}

/**
 * Receives access events through the access plugin's outbox, with the guarantees of
 * outbound webhooks: written in the transaction of the change, delivered at least once, in
 * order per request, retried with backoff (2 s doubling to 10 min) until `deliver` resolves.
 * @public
 */
export interface AccessEventSink {
  /** Kebab-case, unique among sinks; names the sink in logs and in the outbox. */
  id: string;
  /** Event types or patterns, as `access.webhooks[].events` (`request.*`, `*`, ...). */
  events: string[];
  /** Limit of one attempt; the `signal` aborts then. Default 30 s. */
  timeoutMs?: number;
  /**
   * Delivers one event. Resolving marks it delivered; throwing (or not settling within the
   * timeout) retries it later, and holds back the later events of the same request.
   */
  deliver(event: AccessEvent, options: { signal: AbortSignal }): Promise<void>;
}

/**
 * Lets backend modules receive access events (the counterpart of outbound webhooks).
 * @public
 */
export interface AccessEventSinksExtensionPoint {
  addEventSink(sink: AccessEventSink): void;
}

/**
 * Extension point for event sinks.
 * @public
 */
export const accessEventSinksExtensionPoint =
  createExtensionPoint<AccessEventSinksExtensionPoint>({
    id: 'access.event-sinks',
  });
