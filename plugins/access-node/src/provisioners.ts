import {
  createExtensionPoint,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { AccessResourceItem } from '@jit-access/plugin-access-common';

/**
 * One resource of a grant, with the catalog entity when the catalog has it (for its
 * annotations, e.g. which database a provisioner should grant on).
 * @public
 */
export interface ProvisionedResource extends AccessResourceItem {
  entity?: Entity;
}

/**
 * What a provisioner is told about the access it grants or revokes.
 * @public
 */
export interface ProvisionerRequest {
  /** The access request id; calls with the same id must be idempotent. */
  requestId: string;
  /** User entity ref of the person receiving access. */
  requester: string;
  requesterEmail?: string;
  flowId: string;
  resources: ProvisionedResource[];
  /** When access ends (ISO 8601); a second line of defence for targets that support it. */
  expiresAt: string;
}

/**
 * What a successful grant returns.
 * @public
 */
export interface ProvisionerGrantResult {
  /** Optional details for the grantee only, such as how to connect. */
  accessDetails?: Record<string, string>;
}

/**
 * Grants and revokes access in a target system.
 *
 * Both calls must be idempotent: called again with the same `requestId` they succeed
 * without doing the work twice. The access backend relies on that to recover after a crash.
 * @public
 */
export interface AccessProvisioner {
  grant(request: ProvisionerRequest): Promise<ProvisionerGrantResult>;
  revoke(request: ProvisionerRequest): Promise<void>;
  /**
   * Optional: access was extended to the new `expiresAt`. For targets that enforce an end
   * themselves (a PostgreSQL role's `VALID UNTIL`). Must be idempotent too.
   */
  extend?(request: ProvisionerRequest): Promise<void>;
}

/**
 * Creates a provisioner of one type from its `access.provisioners.<id>` config.
 * @public
 */
export interface AccessProvisionerFactory {
  /** The `type` value in `access.provisioners.<id>.type`. */
  type: string;
  /**
   * Validates the config and builds the provisioner; throw an Error whose message names the
   * bad key (relative to the provisioner's config) to stop the backend at start.
   */
  create(options: {
    id: string;
    config: Config;
    logger: LoggerService;
  }): AccessProvisioner | Promise<AccessProvisioner>;
}

/**
 * Lets backend modules add provisioner types.
 * @public
 */
export interface AccessProvisionersExtensionPoint {
  addProvisionerType(factory: AccessProvisionerFactory): void;
}

/**
 * Extension point for provisioner types.
 * @public
 */
export const accessProvisionersExtensionPoint =
  createExtensionPoint<AccessProvisionersExtensionPoint>({
    id: 'access.provisioners',
  });
