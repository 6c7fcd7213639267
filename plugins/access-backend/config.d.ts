import { HumanDuration } from '@backstage/types';

/**
 * A duration: `30m`, `1h`, `7d`, `2w`, ISO 8601 (`PT1H`), or `{ hours: 1 }`.
 */
type AccessDuration = string | HumanDuration;

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
      description?: string;
      /** `*`, or user / group entity refs (`group:default/engineering`); groups by direct membership. */
      requesters: string[];
      resources: {
        /** Catalog filter (`kind`, `spec.type`, `metadata.labels.env`, ...); a list means OR. */
        filter: AccessCatalogFilter | AccessCatalogFilter[];
        /** Permission names this flow offers, e.g. `read`, `write`. */
        permissions: string[];
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
    /** Named sets of resources requested together. */
    bundles?: Array<{
      id: string;
      title: string;
      description?: string;
      resources: Array<{ entityRef: string; permissions: string[] }>;
    }>;
    /** Provisioner instances by id; `type` names a provisioner type installed by a backend module. */
    provisioners?: {
      [id: string]: {
        type: string;
        [key: string]: unknown;
      };
    };
    /** Approval checks by id; `type` names a check type installed by a backend module. */
    checks?: {
      [id: string]: {
        type: string;
        [key: string]: unknown;
      };
    };
    /** A pending request nobody decides ends as expired after this long. Default `7d`. */
    pendingTimeout?: AccessDuration;
    expiry?: {
      /** How often the expiry task looks for grants to end. Default `5s`. */
      frequency?: AccessDuration;
      /** Most revocations run at once. Default 8. */
      revokeConcurrency?: number;
    };
  };
}
