import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Clock } from '../clock';
import { AccessConfig } from '../config/AccessConfig';
import { AccessStore } from '../database/AccessStore';
import { RequestStore } from '../database/requests/RequestStore';
import { AccessEvents } from '../events/AccessEvents';
import { CatalogDirectory } from '../flows/CatalogDirectory';
import { FlowResolver } from '../flows/FlowResolver';
import { ProvisionerRegistry } from '../provisioning/ProvisionerRegistry';
import { CheckRegistry } from '../checks/CheckRegistry';
import { DetailsCipher } from '../provisioning/DetailsCipher';

/** Who is calling, as the router established it. */
export interface Caller {
  /** User entity ref, or `service:<subject>` for service principals. */
  ref: string;
  type: 'user' | 'service';
  /** Holds the access admin permission. */
  isAdmin: boolean;
  /** A user's credentials: what they submit or preview is read from the catalog as them. */
  credentials?: BackstageCredentials;
}

/**
 * Request store methods that change a request row. Only {@link RequestWriter} calls them
 * (see `singleWriter.test.ts`); everything else gets the request store without them.
 */
export type RequestWriteMethod =
  | 'insertRequest'
  | 'updateRequest'
  | 'expireWithoutProvisioner'
  | 'clearExtendPending'
  | 'markExpiryNotified';

/**
 * The store as the use cases see it: every aggregate store as it is, but `requests`
 * without the request writes.
 */
export type RequestReadStore = Omit<AccessStore, 'requests'> & {
  readonly requests: Omit<RequestStore, RequestWriteMethod>;
};

/** What the request use cases are built from (see `AccessRequestService`). */
export interface RequestDeps {
  store: RequestReadStore;
  resolver: FlowResolver;
  directory: CatalogDirectory;
  provisioners: ProvisionerRegistry;
  checks: CheckRegistry;
  cipher: DetailsCipher;
  events: AccessEvents;
  clock: Clock;
  config: AccessConfig;
  logger: LoggerService;
}
