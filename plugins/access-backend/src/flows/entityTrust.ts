import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ANNOTATION_ORIGIN_LOCATION,
  DEFAULT_NAMESPACE,
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { AccessFlow, CatalogFilter, EntityTrust } from '../config/AccessConfig';

// Anyone who can register a catalog entity matching a flow's filter otherwise chooses the
// provisioner's target (annotations) and the approvers (owner) of requests for it.

const lower = (s: string) => s.toLocaleLowerCase('en-US');

/** True when the trust restricts anything. */
export function restrictsTrust(trust: EntityTrust | undefined): boolean {
  return Boolean(trust?.namespaces || trust?.origins);
}

/**
 * Why an entity is outside the trust, or undefined when it is trusted. The namespace comes
 * from the ref; without the entity, an origin restriction cannot be met.
 */
export function untrustedReason(
  trust: EntityTrust | undefined,
  entityRef: string,
  entity: Entity | undefined,
  trustedBy: string,
): string | undefined {
  if (trust?.namespaces) {
    const namespace = parseEntityRef(entityRef).namespace ?? DEFAULT_NAMESPACE;
    if (!trust.namespaces.some(n => lower(n) === lower(namespace))) {
      return `${entityRef} is in namespace "${namespace}", which ${trustedBy} does not trust (trusted: ${quoted(
        trust.namespaces,
      )})`;
    }
  }
  if (trust?.origins) {
    if (!entity) {
      return `${entityRef} is not in the catalog, so ${trustedBy} cannot tell which catalog location it comes from`;
    }
    const origin = entity.metadata.annotations?.[ANNOTATION_ORIGIN_LOCATION];
    if (origin && !isNormalOrigin(origin)) {
      return `${entityRef} comes from ${JSON.stringify(
        origin,
      )}, which is not a catalog location in normal form; ${trustedBy} trusts none such`;
    }
    if (!origin || !trust.origins.some(prefix => isUnder(origin, prefix))) {
      return `${entityRef} comes from ${
        origin ? `"${origin}"` : 'no known catalog location'
      }, which is not a location ${trustedBy} trusts (trusted: ${quoted(
        trust.origins,
      )})`;
    }
  }
  return undefined;
}

/** True when the entity is inside the trust. */
export function trustsEntity(
  trust: EntityTrust | undefined,
  entity: Entity,
): boolean {
  if (!restrictsTrust(trust)) return true;
  return (
    untrustedReason(trust, stringifyEntityRef(entity), entity, 'it') ===
    undefined
  );
}

/**
 * Narrows a catalog filter to the trusted namespaces, so the catalog is not even asked for
 * the others. Undefined when the filter can only match untrusted namespaces.
 */
export function narrowFilterToNamespaces(
  filter: CatalogFilter,
  namespaces: string[] | undefined,
): CatalogFilter | undefined {
  if (!namespaces) return filter;
  const key =
    Object.keys(filter).find(k => lower(k) === 'metadata.namespace') ??
    'metadata.namespace';
  const current = filter[key];
  const allowed =
    current === undefined
      ? namespaces
      : (Array.isArray(current) ? current : [current]).filter(v =>
          namespaces.some(n => lower(n) === lower(v)),
        );
  return allowed.length ? { ...filter, [key]: allowed } : undefined;
}

/**
 * Warns at start-up about flows that grant through a provisioner that changes something
 * outside Backstage, to any entity their filter matches, wherever it was registered.
 */
export function warnAboutUntrustedFlows(
  flows: AccessFlow[],
  noopProvisionerIds: string[],
  logger: LoggerService,
): void {
  flows.forEach((flow, i) => {
    if (noopProvisionerIds.includes(flow.provisioner)) return;
    if (restrictsTrust(flow.trust)) return;
    logger.warn(
      `access: flow "${flow.id}" grants through provisioner "${flow.provisioner}" on any catalog entity its filter matches, in any namespace and from any catalog location, and takes its approvers and target from that entity; whoever can register such an entity decides them. Set access.flows[${i}].resources.namespaces (and origins) to the catalog you trust.`,
    );
  });
}

/**
 * False for an origin read differently when fetched than as text: control characters
 * (URL parsing drops tab, CR and LF, so `.<TAB>.` becomes `..`) or a `url:` target that
 * is not already in the WHATWG URL parser's normal form (case, port, dot segments).
 */
function isNormalOrigin(origin: string): boolean {
  if ([...origin].some(c => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
    return false;
  if (!origin.startsWith('url:')) return true;
  const target = origin.slice('url:'.length);
  try {
    return new URL(target).href === target;
  } catch {
    return false;
  }
}

/**
 * True when the origin is the prefix or lies under it on a path boundary, so that
 * `…/catalog` does not also trust `…/catalog-evil`. Dot segments past the prefix (`..`,
 * `%2e%2e`; URLs also split on `\`) could climb out of it, so they are never trusted.
 */
function isUnder(origin: string, prefix: string): boolean {
  if (!origin.startsWith(prefix)) return false;
  const rest = origin.slice(prefix.length);
  if (rest && !prefix.endsWith('/') && !rest.startsWith('/')) return false;
  return !rest.split(/[/\\]/).some(segment => /^(\.|%2e){1,2}$/i.test(segment));
}

function quoted(values: string[]): string {
  return values.map(v => `"${v}"`).join(', ');
}
