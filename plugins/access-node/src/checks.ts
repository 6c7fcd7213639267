import {
  LoggerService,
  createExtensionPoint,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { Config } from '@backstage/config';

/**
 * What a check knows about the request it decides on.
 * @public
 */
export interface AccessCheckContext {
  /** The access request id. */
  requestId: string;
  requester: {
    /** User entity ref, e.g. `user:default/alice`. */
    ref: string;
    email?: string;
    displayName?: string;
  };
  /** The requested entities (as the catalog has them) and permissions. */
  resources: { entityRef: string; permissions: string[]; entity?: Entity }[];
  flow: { id: string; title: string };
  justification: string;
  durationSeconds: number;
  /** Aborted when the check's time is up; pass it to HTTP calls. */
  signal: AbortSignal;
  /**
   * True when the check re-verifies access it approved earlier (see
   * {@link AccessCheck.reverify}), false or absent for a first decision (a new request or
   * an extension). A check may answer differently then: for example, when the system it
   * asks answers that the requester is not known there (any more), that is `error` for a
   * first decision (people decide instead) but `failed` when re-verifying (the person was
   * offboarded, so the access is revoked). An outage stays `error` either way.
   */
  reverifying?: boolean;
}

/**
 * The answer of a check.
 *
 * - `passed`: the condition holds (for example the requester is on call)
 * - `failed`: the condition was verified not to hold
 * - `error`: it could not be verified (timeout, outage, malformed answer); never approves
 * @public
 */
export interface AccessCheckOutcome {
  outcome: 'passed' | 'failed' | 'error';
  /** A short, human-readable account of what the check saw. Never include secrets. */
  detail: string;
}

/**
 * One configured check.
 * @public
 */
export interface AccessCheck {
  /** Decides on a new request (or an extension of one). */
  run(context: AccessCheckContext): Promise<AccessCheckOutcome>;
  /**
   * When true, grants this check approved are re-verified periodically with `run` and
   * revoked once it answers `failed` (an `error` answer revokes nothing).
   */
  reverify?: boolean;
}

/**
 * Creates checks of one type from their `access.checks.<id>` config.
 * @public
 */
export interface AccessCheckFactory {
  /** The `type` value in `access.checks.<id>.type`, e.g. `pagerduty-oncall`. */
  type: string;
  /**
   * Validates the config and builds the check. The core reads the generic keys `type` and
   * `maxDuration` itself; the check reads the rest. Throw an Error whose message names the
   * bad key (relative to the check's config) to stop the backend at start.
   */
  create(options: {
    id: string;
    config: Config;
    logger: LoggerService;
  }): AccessCheck | Promise<AccessCheck>;
}

/**
 * Lets backend modules add check types.
 * @public
 */
export interface AccessChecksExtensionPoint {
  addCheckType(factory: AccessCheckFactory): void;
}

/**
 * Extension point for check types.
 * @public
 */
export const accessChecksExtensionPoint =
  createExtensionPoint<AccessChecksExtensionPoint>({
    id: 'access.checks',
  });
