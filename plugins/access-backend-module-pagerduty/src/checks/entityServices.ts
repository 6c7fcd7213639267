import {
  AccessCheckContext,
  AccessCheckOutcome,
} from '@jit-access/plugin-access-node';

/** The annotation PagerDuty's Backstage plugin uses to link an entity to its service. */
export const PAGERDUTY_SERVICE_ID_ANNOTATION = 'pagerduty.com/service-id';
/** The other one: an Events API integration key of the service. */
export const PAGERDUTY_INTEGRATION_KEY_ANNOTATION =
  'pagerduty.com/integration-key';

/** A requested entity and its PagerDuty service. */
export interface EntityService {
  entityRef: string;
  serviceId: string;
}

/** A requested entity and how its annotations name its service. */
export interface EntityServiceRef {
  entityRef: string;
  serviceId?: string;
  /** Only when there is no service id. */
  integrationKey?: string;
}

/**
 * The PagerDuty service of each requested entity, the entities without one (`missing`: the
 * catalog has them, without the annotation) and those the check got no entity for
 * (`unknown`: not in the catalog, e.g. deleted since).
 */
export function servicesOfRequestedEntities(
  resources: AccessCheckContext['resources'],
): {
  services: EntityServiceRef[];
  missing: string[];
  unknown: string[];
} {
  const services: EntityServiceRef[] = [];
  const missing: string[] = [];
  const unknown: string[] = [];
  for (const r of resources) {
    if (!r.entity) {
      unknown.push(r.entityRef);
      continue;
    }
    const annotations = r.entity.metadata.annotations ?? {};
    const serviceId = annotations[PAGERDUTY_SERVICE_ID_ANNOTATION]?.trim();
    const integrationKey =
      annotations[PAGERDUTY_INTEGRATION_KEY_ANNOTATION]?.trim();
    if (serviceId) {
      services.push({ entityRef: r.entityRef, serviceId });
    } else if (integrationKey) {
      services.push({ entityRef: r.entityRef, integrationKey });
    } else {
      missing.push(r.entityRef);
    }
  }
  return { services, missing, unknown };
}

/**
 * The `error` outcome for requested entities the check got no entity for: nothing says
 * whether they have a PagerDuty service, so this neither approves nor revokes.
 */
export function unknownEntitiesOutcome(unknown: string[]): AccessCheckOutcome {
  return {
    outcome: 'error',
    detail: `${unknown.join(', ')} ${
      unknown.length === 1 ? 'is' : 'are'
    } not in the catalog, so ${
      unknown.length === 1 ? 'its' : 'their'
    } PagerDuty service is unknown`,
  };
}

/** The detail of a `failed` outcome for entities without a PagerDuty service. */
export function missingAnnotationDetail(missing: string[]): string {
  return `${missing.join(', ')} ${
    missing.length === 1 ? 'has' : 'have'
  } no ${PAGERDUTY_SERVICE_ID_ANNOTATION} or ${PAGERDUTY_INTEGRATION_KEY_ANNOTATION} annotation, so no PagerDuty service to check`;
}

/**
 * The PagerDuty services of the requested entities, or the outcome when they cannot all be
 * checked: `error` for entities not in the catalog, `failed` for entities without the
 * annotation or when nothing was requested.
 */
export function requestedServices(
  resources: AccessCheckContext['resources'],
): { services: EntityServiceRef[] } | { outcome: AccessCheckOutcome } {
  const { services, missing, unknown } = servicesOfRequestedEntities(resources);
  if (unknown.length > 0) {
    return { outcome: unknownEntitiesOutcome(unknown) };
  }
  if (missing.length > 0) {
    return {
      outcome: { outcome: 'failed', detail: missingAnnotationDetail(missing) },
    };
  }
  if (services.length === 0) {
    return {
      outcome: { outcome: 'failed', detail: 'no requested entity to check' },
    };
  }
  return { services };
}
