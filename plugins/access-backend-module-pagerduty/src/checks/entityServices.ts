import { AccessCheckContext } from '@jit-access/plugin-access-node';

/** The annotation PagerDuty's Backstage plugin uses to link an entity to its service. */
export const PAGERDUTY_SERVICE_ID_ANNOTATION = 'pagerduty.com/service-id';

/** The PagerDuty service of each requested entity, and the entities without one. */
export function servicesOfRequestedEntities(
  resources: AccessCheckContext['resources'],
): {
  services: { entityRef: string; serviceId: string }[];
  missing: string[];
} {
  const services: { entityRef: string; serviceId: string }[] = [];
  const missing: string[] = [];
  for (const r of resources) {
    const serviceId =
      r.entity?.metadata.annotations?.[PAGERDUTY_SERVICE_ID_ANNOTATION]?.trim();
    if (serviceId) {
      services.push({ entityRef: r.entityRef, serviceId });
    } else {
      missing.push(r.entityRef);
    }
  }
  return { services, missing };
}

/** The detail of a `failed` outcome for entities without a PagerDuty service. */
export function missingAnnotationDetail(missing: string[]): string {
  return `${missing.join(', ')} ${
    missing.length === 1 ? 'has' : 'have'
  } no ${PAGERDUTY_SERVICE_ID_ANNOTATION} annotation, so no PagerDuty service to check`;
}
