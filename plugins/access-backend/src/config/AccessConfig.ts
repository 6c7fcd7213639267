import { AccessApprovalType } from '@jit-access/plugin-access-common';

/** A catalog filter: every key must match; a list of values means any of them. */
export type CatalogFilter = Record<string, string | string[]>;

/**
 * Which catalog entities a flow or provisioner trusts (`access.flows[].resources.namespaces`
 * and `.origins`, `access.provisioners.<id>.trust`). An unset list trusts everything.
 */
export interface EntityTrust {
  /** Entity namespaces, compared case-insensitively. */
  namespaces?: string[];
  /** Prefixes of the `backstage.io/managed-by-origin-location` annotation. */
  origins?: string[];
}

/** A validated access flow. */
export interface AccessFlow {
  id: string;
  title: string;
  description?: string;
  /** `*`, or user / group entity refs (full form). */
  requesters: string[];
  /** Alternatives: an entity matches when it matches any of them. */
  filters: CatalogFilter[];
  permissions: string[];
  approval: {
    type: AccessApprovalType;
    /** `owner`, or user / group entity refs (full form). */
    approvers: string[];
    required: number;
    allowSelfApproval: boolean;
    autoApproveChecks: string[];
    requiredChecks: string[];
  };
  duration: { defaultSeconds: number; maxSeconds: number; extensions: number };
  justification: 'required' | 'optional';
  provisioner: string;
  /** The entities the flow applies to at all, on top of its filters. */
  trust?: EntityTrust;
}

/** A validated bundle. */
export interface AccessBundleConfig {
  id: string;
  title: string;
  description?: string;
  resources: { entityRef: string; permissions: string[] }[];
}

/** A configured provisioner instance. */
export interface ProvisionerConfig {
  id: string;
  type: string;
  /** The entities the provisioner grants on; a grant for any other fails. */
  trust?: EntityTrust;
}

/** A configured check: the keys the core reads for every check type. */
export interface CheckConfig {
  id: string;
  type: string;
  /** The longest access this check may auto-approve. */
  maxDurationSeconds?: number;
}

/** An outbound webhook (`access.webhooks[]`): who hears about which changes. */
export interface OutboundWebhookConfig {
  id: string;
  url: string;
  /** Standard Webhooks secret, `whsec_<base64>`. */
  secret: string;
  headers: Record<string, string>;
  /** Event types or patterns (`request.*`, `*`). */
  events: string[];
  /** Limit for each delivery attempt. */
  timeoutMs: number;
  /** An answer with a larger body is a failed attempt. Default 1 MiB. */
  maxResponseBytes?: number;
}

/** `access.limits`: how much one submission, and one user, may set going. */
export interface AccessLimits {
  /** Requests of one submission whose checks run at once. */
  checkConcurrency: number;
  /** Provisioner `grant` calls of one submission at once. */
  grantConcurrency: number;
  /** Submissions per requester in any 60 s (per backend replica); `Infinity`: no limit. */
  submissionsPerMinute: number;
  /** No new submission while the requester has this many `pending` requests; `Infinity`: no limit. */
  openPendingPerUser: number;
}

/** Everything under `access.*`, validated once at start. */
export interface AccessConfig {
  flows: AccessFlow[];
  bundles: AccessBundleConfig[];
  provisioners: ProvisionerConfig[];
  checks: CheckConfig[];
  pendingTimeoutSeconds: number;
  expiryFrequencySeconds: number;
  /** How long before the end of access its holder is told (0: never). */
  expiringSoonNoticeSeconds: number;
  /** How often grants approved by a re-verifying check are checked again. */
  reverifyFrequencySeconds: number;
  /** Most revocations run at once by the expiry task. */
  revokeConcurrency: number;
  /** Bounds on what one user's submissions may start (`access.limits`). */
  limits: AccessLimits;
  webhooks: OutboundWebhookConfig[];
  /** Service subjects that may file requests for users (`access.onBehalfOf.allowedServices`). */
  onBehalfOfServices: string[];
}
