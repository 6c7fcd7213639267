import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ApiHolder } from '@backstage/core-plugin-api';
import { accessApiRef } from '../../api';

/** How long an answer about an entity's coverage is trusted. */
export const COVERAGE_TTL_MS = 5 * 60_000;

type Cached = { covered: boolean; at: number };

// Module-level on purpose: entity pages mount and unmount as people browse, and the
// answer ("does any flow cover this entity?") only changes when the flows config does.
const known = new Map<string, Cached>();
const inFlight = new Map<string, Promise<boolean>>();

function refOf(entity: Entity): string {
  return stringifyEntityRef(entity).toLocaleLowerCase('en-US');
}

/** Records what the backend said about an entity (the card calls this on every load). */
export function rememberCoverage(
  entityRef: string,
  covered: boolean,
  now: number = Date.now(),
) {
  known.set(entityRef.toLocaleLowerCase('en-US'), { covered, at: now });
}

/** The remembered answer, or undefined when unknown or older than the TTL. */
export function knownCoverage(
  entityRef: string,
  now: number = Date.now(),
): boolean | undefined {
  const hit = known.get(entityRef.toLocaleLowerCase('en-US'));
  if (!hit || now - hit.at > COVERAGE_TTL_MS) return undefined;
  return hit.covered;
}

/** Forgets every remembered answer (tests). */
export function clearCoverageCache() {
  known.clear();
  inFlight.clear();
}

/**
 * Synchronous entity filter for the access card and tab, as the new frontend system's
 * `EntityCardBlueprint` / `EntityContentBlueprint` (and the legacy `EntityLayout.Route`)
 * need one: the backend's remembered answer when there is a fresh one, otherwise
 * "is it a Resource" — the kind access flows are written for. The card itself renders
 * nothing when the backend says an entity is not covered, so a Resource no flow covers
 * shows no card, and after its first visit no card slot or tab either.
 *
 * @public
 */
export function isAccessAvailable(entity: Entity): boolean {
  const remembered = knownCoverage(refOf(entity));
  if (remembered !== undefined) return remembered;
  return entity.kind.toLocaleLowerCase('en-US') === 'resource';
}

/**
 * Asks the access backend whether any flow covers the entity, remembering the answer for
 * a few minutes. Fits the legacy `EntitySwitch.Case if` prop, which may be asynchronous.
 *
 * @public
 */
export async function isAccessCovered(
  entity: Entity,
  context: { apis: ApiHolder },
): Promise<boolean> {
  const ref = refOf(entity);
  const remembered = knownCoverage(ref);
  if (remembered !== undefined) return remembered;
  const api = context.apis.get(accessApiRef);
  if (!api) return false;
  let pending = inFlight.get(ref);
  if (!pending) {
    pending = api
      .getEntityAccess(stringifyEntityRef(entity))
      .then(summary => {
        rememberCoverage(ref, summary.covered);
        return summary.covered;
      })
      // Unreachable backend: hide the card rather than break the entity page.
      .catch(() => false)
      .finally(() => inFlight.delete(ref));
    inFlight.set(ref, pending);
  }
  return pending;
}
