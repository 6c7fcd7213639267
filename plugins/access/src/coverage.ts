import { useEffect } from 'react';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ApiHolder, useApiHolder } from '@backstage/core-plugin-api';
import {
  AccessEntityFilter,
  AccessFlowSummary,
  FlatEntity,
  flattenEntity,
  matchesAnyFilter,
} from '@jit-access/plugin-access-common';
import { AccessApi, accessApiRef } from './api';

/** How long an answer about an entity's coverage is trusted. */
export const COVERAGE_TTL_MS = 5 * 60_000;

/** How long the flows snapshot counts as fresh; past it, the next use refreshes it. */
export const FLOWS_TTL_MS = 5 * 60_000;

/**
 * How long a snapshot that could not be refreshed is still used (flows change only with
 * the backend's config); past it, the filter falls back to "is it a Resource".
 */
export const FLOWS_MAX_AGE_MS = 60 * 60_000;

/** After a failed flows fetch, background refreshes wait this long before trying again. */
const FLOWS_RETRY_MS = 30_000;

/** The warm-up's retry delays when fetching the flows fails (e.g. before sign-in). */
const WARM_RETRY_DELAYS_MS = [2_000, 5_000, 15_000, 30_000, 60_000];

type Cached = { covered: boolean; at: number };
type FlowsSource = Pick<AccessApi, 'getFlows'>;

// Module-level on purpose: entity pages mount and unmount as people browse, and the
// answer ("does any flow cover this entity?") only changes when the flows config does.
const known = new Map<string, Cached>();
const inFlight = new Map<string, Promise<boolean>>();

// The flows snapshot: every flow's filter alternatives, from `GET /flows` (all flows,
// whoever may request through them, which is what "covered" means on the backend too).
let flows: { filters: AccessEntityFilter[]; at: number } | undefined;
let flowsLoad: Promise<boolean> | undefined;
let flowsFailedAt: number | undefined;
// Where background refreshes fetch from: the last access API seen (the warm-up, the
// legacy async filter).
let flowsSource: FlowsSource | undefined;

// The catalog hands out the same entity object on every render of its page.
const flattened = new WeakMap<Entity, FlatEntity>();

function refOf(entity: Entity): string {
  return stringifyEntityRef(entity).toLocaleLowerCase('en-US');
}

function flat(entity: Entity): FlatEntity {
  let hit = flattened.get(entity);
  if (!hit) {
    hit = flattenEntity(entity);
    flattened.set(entity, hit);
  }
  return hit;
}

/**
 * Records what the backend said about an entity (the card calls this on every load), and
 * refreshes the flows snapshot when it is no longer fresh.
 */
export function rememberCoverage(
  entityRef: string,
  covered: boolean,
  now: number = Date.now(),
) {
  known.set(entityRef.toLocaleLowerCase('en-US'), { covered, at: now });
  refreshFlowsIfStale(now);
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

/** Replaces the flows snapshot with what `GET /flows` returned. */
export function rememberFlows(
  list: AccessFlowSummary[],
  now: number = Date.now(),
) {
  flows = {
    filters: list.flatMap(f => (Array.isArray(f.filter) ? f.filter : [])),
    at: now,
  };
  flowsFailedAt = undefined;
}

/**
 * Whether any flow in the snapshot matches the entity (the backend's matcher), or
 * undefined when there is no usable snapshot. A snapshot past its TTL still answers, up to
 * {@link FLOWS_MAX_AGE_MS}, while a refresh runs in the background.
 */
export function flowsCoverage(
  entity: Entity,
  now: number = Date.now(),
): boolean | undefined {
  refreshFlowsIfStale(now);
  if (!flows || now - flows.at > FLOWS_MAX_AGE_MS) return undefined;
  return matchesAnyFilter(flat(entity), flows.filters);
}

/**
 * Fetches the flows into the snapshot (one fetch at a time). Resolves to true when the
 * snapshot was refreshed, false when the fetch failed (the old snapshot stays).
 */
export function refreshFlows(
  api: FlowsSource | undefined = flowsSource,
): Promise<boolean> {
  if (api) flowsSource = api;
  if (!api) return Promise.resolve(false);
  if (!flowsLoad) {
    flowsLoad = Promise.resolve()
      .then(() => api.getFlows())
      .then(
        list => {
          rememberFlows(list);
          return true;
        },
        () => {
          flowsFailedAt = Date.now();
          return false;
        },
      )
      .finally(() => {
        flowsLoad = undefined;
      });
  }
  return flowsLoad;
}

/** Fetches the flows unless the snapshot is fresh. */
export function ensureFlows(
  api: FlowsSource,
  now: number = Date.now(),
): Promise<boolean> {
  flowsSource = api;
  if (flows && now - flows.at <= FLOWS_TTL_MS) return Promise.resolve(true);
  return refreshFlows(api);
}

function refreshFlowsIfStale(now: number) {
  if (!flowsSource || flowsLoad) return;
  if (flows && now - flows.at <= FLOWS_TTL_MS) return;
  if (flowsFailedAt !== undefined && now - flowsFailedAt < FLOWS_RETRY_MS)
    return;
  // Fire and forget: the answer is for the next render.
  refreshFlows(flowsSource);
}

/** Forgets every remembered answer and the flows snapshot (tests). */
export function clearCoverageCache() {
  known.clear();
  inFlight.clear();
  flows = undefined;
  flowsLoad = undefined;
  flowsFailedAt = undefined;
  flowsSource = undefined;
}

/**
 * Synchronous entity filter for the access card and tab, as the new frontend system's
 * `EntityCardBlueprint` / `EntityContentBlueprint` (and the legacy `EntityLayout.Route`)
 * need one. In order:
 *
 * 1. what the backend said about this entity in the last few minutes;
 * 2. whether any flow's filter matches the entity, from the flows the plugin fetched
 *    (the same matcher as the backend; the new frontend system fetches them when the app
 *    starts, the legacy `isAccessCovered` on the first entity page);
 * 3. "is it a Resource" (the kind access flows are mostly written for), until then.
 *
 * The card itself renders nothing when the backend says an entity is not covered.
 *
 * @public
 */
export function isAccessAvailable(entity: Entity): boolean {
  const remembered = knownCoverage(refOf(entity));
  if (remembered !== undefined) return remembered;
  const fromFlows = flowsCoverage(entity);
  if (fromFlows !== undefined) return fromFlows;
  return entity.kind.toLocaleLowerCase('en-US') === 'resource';
}

/**
 * Asks the backend whether any flow covers the entity (`GET /entity-access`), unless it
 * answered in the last few minutes. One request per entity at a time; rejects when the
 * backend cannot be asked.
 */
export function fetchCoverage(
  entityRef: string,
  api: Pick<AccessApi, 'getEntityAccess'>,
): Promise<boolean> {
  const ref = entityRef.toLocaleLowerCase('en-US');
  const remembered = knownCoverage(ref);
  if (remembered !== undefined) return Promise.resolve(remembered);
  let pending = inFlight.get(ref);
  if (!pending) {
    pending = Promise.resolve()
      .then(() => api.getEntityAccess(entityRef))
      .then(summary => {
        rememberCoverage(ref, summary.covered);
        return summary.covered;
      })
      .finally(() => inFlight.delete(ref));
    inFlight.set(ref, pending);
  }
  return pending;
}

/**
 * Asks the access backend whether any flow covers the entity, remembering the answer for
 * a few minutes. Fits the legacy `EntitySwitch.Case if` prop, which may be asynchronous.
 * Also loads the flows, so that {@link isAccessAvailable} knows about other entities.
 *
 * @public
 */
export async function isAccessCovered(
  entity: Entity,
  context: { apis: ApiHolder },
): Promise<boolean> {
  const api = context.apis.get(accessApiRef);
  if (!api) return false;
  ensureFlows(api);
  // Unreachable backend: hide the card rather than break the entity page.
  return fetchCoverage(stringifyEntityRef(entity), api).catch(() => false);
}

/**
 * Renders nothing; once mounted, fetches the flows so that {@link isAccessAvailable}
 * can answer for entities nobody asked the backend about yet. Retries with a growing delay
 * when the fetch fails (for example while nobody is signed in yet).
 */
export function AccessFlowsWarmup(): null {
  const apis = useApiHolder();
  useEffect(() => {
    const api = apis.get(accessApiRef);
    if (!api) return undefined;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    const run = () => {
      ensureFlows(api).then(ok => {
        if (ok || cancelled) return;
        const delay =
          WARM_RETRY_DELAYS_MS[
            Math.min(attempt++, WARM_RETRY_DELAYS_MS.length - 1)
          ];
        timer = setTimeout(run, delay);
      });
    };
    run();
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [apis]);
  return null;
}
