import { HumanDuration } from '@backstage/types';

/**
 * A duration: `30m`, `1h`, `7d`, `2w`, ISO 8601 (`PT1H`), `{ hours: 1 }`, or a number of seconds.
 */
type AccessDuration = string | number | HumanDuration;

/** A catalog filter; every key must match, a list of values matches any of them. */
type AccessCatalogFilter = { [key: string]: string | string[] };

export interface Config {
  /** JIT Access: who may request which catalog entities, how it is approved, for how long. */
  access?: {
    /**
     * Access flows, in precedence order: for a (requester, entity, permission) the first flow
     * whose requesters include the requester, whose filter matches the entity and that offers
     * the permission decides.
     */
    flows?: Array<{
      /** Unique kebab-case id, e.g. `prod-db`. */
      id: string;
      /** Shown to requesters and approvers. */
      title: string;
      /** Free text about the flow, shown with it (e.g. on the Admin page's Flows tab). */
      description?: string;
      /** `*`, or user / group entity refs (`group:default/engineering`); groups by direct membership. */
      requesters: string[];
      resources: {
        /** Catalog filter (`kind`, `spec.type`, `metadata.labels.env`, ...); a list means OR. */
        filter: AccessCatalogFilter | AccessCatalogFilter[];
        /** Permission names this flow offers, e.g. `read`, `write`. */
        permissions: string[];
        /**
         * Entity namespaces the flow trusts (case-insensitive); entities in others are not
         * offered and cannot be requested. Default: every namespace (with a start-up warning
         * when the flow has a provisioner other than `none`).
         */
        namespaces?: string[];
        /**
         * Prefixes of the `backstage.io/managed-by-origin-location` annotation the flow
         * trusts, e.g. `url:https://github.com/acme/catalog/blob/main/` (end with `/`; pin
         * the protected branch, as GitHub serves fork commits under the parent's path).
         * Origins with control characters or not in normal URL form are never trusted.
         * Default: any.
         */
        origins?: string[];
      };
      approval: {
        /** `manual`: people approve; `automatic`: granted at once; `breakglass`: granted at once on a justification, reviewed afterwards. */
        type: 'manual' | 'automatic' | 'breakglass';
        /** `owner` (the entity's owner, or its members if a group), user refs or group refs (their members). */
        approvers?: string[];
        /** Distinct approvals needed (N of M). Default 1. */
        required?: number;
        /** Whether a requester who is also an approver may approve their own request. Default false. */
        allowSelfApproval?: boolean;
        /** Check ids (under `access.checks`); any that passes approves without a person. */
        autoApproveChecks?: string[];
        /** Check ids that must all pass before anything else happens. */
        requiredChecks?: string[];
      };
      duration: {
        /** Used when the requester does not choose. */
        default: AccessDuration;
        /** The longest a requester may choose, and the longest one extension may add. */
        max: AccessDuration;
        /** How many times active access may be extended. Default 0. */
        extensions?: number;
      };
      /** Default `required`; break-glass flows always require one. */
      justification?: 'required' | 'optional';
      /** Id of a provisioner under `access.provisioners`, or `none` (default) to record the grant only. */
      provisioner?: string;
    }>;
    /**
     * Named sets of resources requested together. Not checked against the flows at start-up:
     * each item goes through the flows when submitted, like any other.
     */
    bundles?: Array<{
      /** Unique kebab-case id, e.g. `incident-kit`; what a submission names as `bundleId`. */
      id: string;
      /** Shown to requesters in the bundle picker. */
      title: string;
      /** Free text shown next to the title. */
      description?: string;
      /** At least one item. */
      resources: Array<{
        /** An entity ref with kind, e.g. `resource:default/orders-db`. */
        entityRef: string;
        /** Permission names asked for on that entity (at least one). */
        permissions: string[];
      }>;
    }>;
    /**
     * Provisioner instances by id, named by flows. `type` is `webhook` (built in) or a type a
     * backend module installs (`postgres` from `@jit-access/plugin-access-backend-module-postgres`).
     */
    provisioners?: {
      [id: string]: {
        type: string;
        /**
         * The entities this provisioner grants on, whichever flow asks: a grant (or
         * extension) on any other fails. Revoking is never refused. Default: any.
         */
        trust?: {
          /** Entity namespaces (case-insensitive). */
          namespaces?: string[];
          /** Prefixes of the `backstage.io/managed-by-origin-location` annotation. */
          origins?: string[];
        };
        /** webhook: where `access.grant` / `access.revoke` events are POSTed. */
        url?: string;
        /**
         * webhook: the Standard Webhooks signing secret (`whsec_...`).
         * @visibility secret
         */
        secret?: string;
        /**
         * webhook: extra request headers. Every value is a secret (kept out of logs).
         * @deepVisibility secret
         */
        headers?: { [name: string]: string };
        /** webhook: how long one try may take. Default `10s`. */
        timeout?: AccessDuration;
        /** webhook: retries after a 429 / 5xx / network error. Default 3. */
        retries?: number;
        /** webhook: an answer with a larger body is a failed try (retried). Default 1048576 (1 MiB). */
        maxResponseBytes?: number;
        [key: string]: unknown;
      };
    };
    /**
     * Approval checks by id, named by flows in `approval.requiredChecks` and
     * `approval.autoApproveChecks`. `type` names a check type: `webhook` is built in;
     * `pagerduty-oncall` and `pagerduty-incident` come with
     * `@jit-access/plugin-access-backend-module-pagerduty`.
     */
    checks?: {
      [id: string]: {
        /** `webhook`, or a type installed by a backend module. */
        type: string;
        /** The longest access this check may auto-approve (requests are shortened to it). */
        maxDuration?: AccessDuration;
        /** webhook: the URL to call; `{{...}}` placeholders are filled and URL-encoded. */
        url?: string;
        /** webhook: `POST` (default) or `GET` (which sends no body). */
        method?: 'GET' | 'POST';
        /**
         * webhook: request headers, e.g. `Authorization: Bearer ${ITSM_TOKEN}`. Every value is
         * a secret (kept out of logs, check details and the audit trail).
         * @deepVisibility secret
         */
        headers?: { [name: string]: string };
        /** webhook: a JSON body template; `{{requester.email}}` etc. are filled JSON-escaped. */
        body?: string;
        /** webhook: every validator must hold; one holds when its JSONPath selects an expected value. */
        validators?: Array<{
          jsonPath: string;
          expectedValues: Array<string | number | boolean>;
        }>;
        /** webhook: how long to wait for an answer. Default `5s`. */
        timeout?: AccessDuration;
        /** webhook: retries after a 429 / 5xx / network error. Default 2. */
        retries?: number;
        /** webhook: an answer with a larger body is an `error` outcome. Default 1048576 (1 MiB). */
        maxResponseBytes?: number;
        [key: string]: unknown;
      };
    };
    notifications?: {
      /** Tell holders this long before their access ends; `false` to never. Default `15m`. */
      expiringSoon?: AccessDuration | false;
    };
    encryption?: {
      /**
       * 32 bytes in base64 (`openssl rand -base64 32`) that encrypt access details at rest
       * (AES-256-GCM); its id is derived from it. Required in production (`NODE_ENV=production`
       * or `auth.environment: production`); elsewhere a development key is generated and kept
       * in the database. Set this or `keys`, not both.
       * @visibility secret
       */
      key?: string;
      /**
       * Keys with ids, for rotation: the first encrypts new access details, the others only
       * decrypt what they encrypted before. See docs/provisioners.md#rotating-the-keys.
       */
      keys?: Array<{
        /** 1 to 64 letters, digits, `_` or `-`; stored with each value it encrypts. */
        id: string;
        /**
         * 32 bytes in base64.
         * @visibility secret
         */
        key: string;
      }>;
    };
    /** The audit chain's seal key (docs/concepts.md#audit-trail). */
    audit?: {
      /**
       * 32 bytes in base64 (`openssl rand -base64 32`), different from every
       * `access.encryption` key, that seal the audit chain (HMAC-SHA256). Required in
       * production; elsewhere a development key is generated and kept in the database. Set
       * this or `keys`, not both.
       * @visibility secret
       */
      key?: string;
      /**
       * Keys with ids, for rotation: the first seals new entries, the others only verify the
       * entries they sealed. Keep every previous key for as long as the entries it sealed
       * must verify.
       */
      keys?: Array<{
        /** 1 to 64 letters, digits, `_` or `-`; stored with each entry it seals. */
        id: string;
        /**
         * 32 bytes in base64.
         * @visibility secret
         */
        key: string;
      }>;
      /**
       * Recovery only: `<seq>:<hash>` of the chain head to seal on from after a reported
       * break (a missing or rewritten stored head), checked against the heads you exported;
       * `0:` is the empty chain (everything is sealed from entry 1).
       * Logged as an error at every start: remove it once the sealer has run.
       * See docs/concepts.md#audit-trail.
       */
      acceptHead?: string;
      /**
       * `<seq>:<hash>` where the entries sealed before key ids end (logged once after the
       * upgrade, and sent as `legacyUpTo` in `audit.sealed`): the record of them must match.
       */
      legacyHead?: string;
      /**
       * Retired `access.encryption` keys (32 bytes in base64), used only to verify the
       * entries sealed before key ids (without `key_id`), never as audit keys.
       * @visibility secret
       */
      legacyKeys?: string[];
    };
    /**
     * Outbound webhooks: every change of a request, signed (Standard Webhooks), delivered
     * from a database outbox in order per request and retried until taken.
     * See docs/webhooks.md.
     */
    webhooks?: Array<{
      /** Kebab-case, unique. */
      id: string;
      /** http(s) URL of the receiver. */
      url: string;
      /**
       * Standard Webhooks secret, `whsec_` + base64.
       * @visibility secret
       */
      secret: string;
      /**
       * Event types (`request.created`, `access.revoked`, ...), `audit.<action>`, or patterns
       * (`request.*`, `access.*`, `extension.*`, `audit.*`, `*`). Default `*`.
       */
      events?: string[];
      /**
       * Extra headers on every delivery. Every value is a secret (kept out of logs).
       * @deepVisibility secret
       */
      headers?: { [name: string]: string };
      /** Limit of one attempt. Default `10s`. */
      timeout?: AccessDuration;
      /** An answer with a larger body is a failed attempt (retried). Default 1048576 (1 MiB). */
      maxResponseBytes?: number;
    }>;
    /** Re-verification of grants approved by a re-verifying check (PagerDuty on-call). */
    reverify?: {
      /** How often. Default `5m`. */
      frequency?: AccessDuration;
    };
    /** Services that may file requests for users (the `requester` field of a submission). */
    onBehalfOf?: {
      /**
       * Service subjects, exactly as Backstage gives them: a static token's `subject`
       * (`itsm-workflow`), `external:...` for JWKS tokens, `plugin:<pluginId>` for another
       * backend plugin. Default none: no service may act on behalf of users.
       */
      allowedServices?: string[];
    };
    /** A pending request nobody decides ends as expired after this long. Default `7d`. */
    pendingTimeout?: AccessDuration;
    expiry?: {
      /** How often the expiry task looks for grants to end. Default `5s`. */
      frequency?: AccessDuration;
      /** Most revocations run at once. Default 8. */
      revokeConcurrency?: number;
    };
    /** What one submission, and one requester, may set going. See docs/configuration.md. */
    limits?: {
      /** Requests of one submission whose checks run at once, 1–256. Default 8. */
      checkConcurrency?: number;
      /** Provisioner `grant` calls of one submission at once, 1–256. Default 4. */
      grantConcurrency?: number;
      /**
       * Submissions and extension requests per requester in any 60 s, counted per backend
       * replica; more are answered 429 with `Retry-After`. A submission counts once whatever
       * its items. Default 30; `false`: no limit.
       */
      submissionsPerMinute?: number | false;
      /**
       * Most `pending` requests one requester may have (counted in the database): a
       * submission that would take them past it is refused whole with 429, saying how many
       * more fit. Default 1000 (one full submission); `false`: no limit.
       */
      openPendingPerUser?: number | false;
    };
  };
}
