import { identityApiRef, useApiHolder } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import {
  AccessFlowSummary,
  RequestableResource,
} from '@jit-access/plugin-access-common';
import { useEffect, useMemo, useState } from 'react';

const TYPE_FACET = 'spec.type';

/** True when the flow lets someone with these ownership refs request (`*`: anyone). */
function canRequest(flow: AccessFlowSummary, refs: string[] | undefined) {
  if (!refs) return true;
  const mine = new Set(refs.map(r => r.toLocaleLowerCase('en-US')));
  return flow.requesters.some(
    r => r === '*' || mine.has(r.toLocaleLowerCase('en-US')),
  );
}

/**
 * Every `spec.type` in the catalog that the caller's flows cover: for each flow the
 * signed-in user may request through, the catalog's type facet under that flow's filter,
 * unioned. Asked once per flow list, so for the page's life. Undefined while unknown:
 * flows not loaded, no catalog API, or every facet query failed.
 */
function useCatalogTypes(
  flows: AccessFlowSummary[] | undefined,
): string[] | undefined {
  const apis = useApiHolder();
  const catalogApi = apis.get(catalogApiRef);
  const identityApi = apis.get(identityApiRef);
  const [types, setTypes] = useState<{
    flows: AccessFlowSummary[];
    types?: string[];
  }>();

  useEffect(() => {
    if (!flows || !catalogApi) return undefined;
    let cancelled = false;
    (async () => {
      // Who the user is decides which flows count; unknown, all of them do (a type no
      // flow lets them request then just finds nothing).
      let refs: string[] | undefined;
      try {
        refs = (await identityApi?.getBackstageIdentity())?.ownershipEntityRefs;
      } catch {
        refs = undefined;
      }
      const usable = flows.filter(
        f => f.filter.length > 0 && canRequest(f, refs),
      );
      const answers = await Promise.allSettled(
        usable.map(f =>
          catalogApi.getEntityFacets({
            filter: f.filter,
            facets: [TYPE_FACET],
          }),
        ),
      );
      if (cancelled) return;
      const ok = answers.flatMap(a => (a.status === 'fulfilled' ? [a] : []));
      if (usable.length > 0 && ok.length === 0) {
        setTypes({ flows, types: undefined });
        return;
      }
      const all = new Set<string>();
      for (const a of ok)
        for (const { value } of a.value.facets[TYPE_FACET] ?? [])
          if (value) all.add(value);
      setTypes({ flows, types: [...all] });
    })();
    return () => {
      cancelled = true;
    };
  }, [flows, catalogApi, identityApi]);

  return types && types.flows === flows ? types.types : undefined;
}

/**
 * The Type filter's options: the catalog's types under the caller's flows (see
 * {@link useCatalogTypes}), plus every type seen in a loaded page (all there is when the
 * catalog cannot be asked) and the selected one, so no option vanishes while filtering.
 */
export function useTypeOptions(
  flows: AccessFlowSummary[] | undefined,
  resources: RequestableResource[],
  selected: string,
): string[] {
  const catalogTypes = useCatalogTypes(flows);
  const [seen, setSeen] = useState<ReadonlySet<string>>(() => new Set());
  useEffect(() => {
    const fresh = resources
      .map(r => r.type)
      .filter((t): t is string => !!t && !seen.has(t));
    if (fresh.length) setSeen(new Set([...seen, ...fresh]));
  }, [resources, seen]);
  return useMemo(() => {
    const all = new Set([...(catalogTypes ?? []), ...seen]);
    if (selected) all.add(selected);
    return [...all].sort();
  }, [catalogTypes, seen, selected]);
}
