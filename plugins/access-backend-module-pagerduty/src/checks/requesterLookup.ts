import { LoggerService } from '@backstage/backend-plugin-api';
import {
  AccessCheckContext,
  AccessCheckOutcome,
} from '@jit-access/plugin-access-node';
import {
  PagerDutyCallOptions,
  PagerDutyClient,
  PagerDutyError,
  PagerDutyUser,
} from '../client/PagerDutyClient';
import {
  EntityService,
  EntityServiceRef,
  PAGERDUTY_INTEGRATION_KEY_ANNOTATION,
  requestedServices,
} from './entityServices';

/**
 * The PagerDuty user of the requester, found by e-mail, or the outcome to answer when there
 * is none: `error` for a first decision (people decide instead), but `failed` when
 * re-verifying access granted earlier: PagerDuty answered that nobody has the e-mail any
 * more (an offboarded person), which is not an outage. A requester without e-mail in the
 * catalog is `error` either way (nothing was asked of PagerDuty).
 */
export async function findRequesterUser(
  client: PagerDutyClient,
  context: AccessCheckContext,
): Promise<{ user: PagerDutyUser } | { outcome: AccessCheckOutcome }> {
  const email = context.requester.email?.trim();
  if (!email) {
    return {
      outcome: {
        outcome: 'error',
        detail: `${context.requester.ref} has no e-mail in the catalog, so no PagerDuty user can be found`,
      },
    };
  }
  const user = await client.findUserByEmail(email, {
    signal: context.signal,
    fresh: context.reverifying,
  });
  if (!user) {
    return {
      outcome: context.reverifying
        ? {
            outcome: 'failed',
            detail: `no PagerDuty user with e-mail ${email} any more, so not on call`,
          }
        : {
            outcome: 'error',
            detail: `no PagerDuty user with e-mail ${email}`,
          },
    };
  }
  return { user };
}

/** The requester's PagerDuty user and, with `entityService`, the requested services. */
export interface RequesterAndServices {
  user: PagerDutyUser;
  services?: EntityService[];
}

/**
 * What both checks look at: the requester's PagerDuty user and, when `entityService` is
 * set, the PagerDuty services of the requested entities; or the outcome to answer when
 * either is missing. The entities are read first, as they need no call to PagerDuty.
 */
export async function findRequesterAndServices(
  client: PagerDutyClient,
  context: AccessCheckContext,
  entityService: boolean,
): Promise<RequesterAndServices | { outcome: AccessCheckOutcome }> {
  let refs: EntityServiceRef[] | undefined;
  if (entityService) {
    const requested = requestedServices(context.resources);
    if ('outcome' in requested) {
      return requested;
    }
    refs = requested.services;
  }
  const found = await findRequesterUser(client, context);
  if ('outcome' in found) {
    return found;
  }
  if (!refs) return { user: found.user };
  const resolved = await resolveIntegrationKeys(client, refs, {
    signal: context.signal,
    fresh: context.reverifying,
  });
  if ('outcome' in resolved) return resolved;
  return { user: found.user, services: resolved.services };
}

/**
 * The service of each entity annotated only with an integration key, as PagerDuty's own
 * plugin finds it; `failed` when PagerDuty has no service with the key.
 */
async function resolveIntegrationKeys(
  client: PagerDutyClient,
  refs: EntityServiceRef[],
  options: PagerDutyCallOptions,
): Promise<{ services: EntityService[] } | { outcome: AccessCheckOutcome }> {
  const services: EntityService[] = [];
  const unmatched: string[] = [];
  for (const ref of refs) {
    if (ref.serviceId) {
      services.push({ entityRef: ref.entityRef, serviceId: ref.serviceId });
      continue;
    }
    const service = await client.findServiceByIntegrationKey(
      ref.integrationKey!,
      options,
    );
    if (service) {
      services.push({ entityRef: ref.entityRef, serviceId: service.id });
    } else {
      unmatched.push(ref.entityRef);
    }
  }
  if (unmatched.length > 0) {
    return {
      outcome: {
        outcome: 'failed',
        detail: `no PagerDuty service has the ${PAGERDUTY_INTEGRATION_KEY_ANNOTATION} of ${unmatched.join(
          ', ',
        )}`,
      },
    };
  }
  return { services };
}

/**
 * An exception while checking becomes `error` (never `passed`), without the token; it is
 * logged as a warning for whoever runs the backend.
 */
export function errorOutcome(
  client: PagerDutyClient,
  e: unknown,
  logger?: LoggerService,
): AccessCheckOutcome {
  const detail = client.redact(
    e instanceof PagerDutyError
      ? e.message
      : `PagerDuty check failed: ${e instanceof Error ? e.message : String(e)}`,
  );
  logger?.warn(`PagerDuty check could not decide: ${detail}`);
  return { outcome: 'error', detail };
}
