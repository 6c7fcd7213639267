import { Progress } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import { makeStyles, Theme } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import {
  AccessFlowSummary,
  AccessRequest,
  RequestableResource,
} from '@jit-access/plugin-access-common';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  LinkedResource,
  useResourceLookup,
  useResourceSearch,
} from '../../hooks';
import { FilterSelect } from './FilterSelect';
import { DeepLink, linkedToResolve, MAX_LINKED } from '../../lib/deepLink';
import { normalizeRef } from '../../lib/entityRefs';
import { displayName, MAX_SELECTED, SelectedItem } from '../../lib/selection';
import { RequestForm, RequestTarget, useItemError } from './RequestForm';
import { ResourceResults } from './ResourceResults';
import { SearchField } from './SearchField';
import { SelectedList } from './SelectedList';
import { useTypeOptions } from './useTypeOptions';

const useStyles = makeStyles((theme: Theme) => ({
  filters: {
    display: 'grid',
    gridTemplateColumns:
      'minmax(200px, 2fr) minmax(140px, 1fr) minmax(140px, 1fr)',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(2),
  },
  panel: { padding: theme.spacing(2) },
  message: { marginBottom: theme.spacing(2) },
}));

const LIMIT_TEXT = MAX_SELECTED.toLocaleString('en-US');

function keyOf(ref: string): string {
  return normalizeRef(ref) ?? ref;
}

/**
 * Resources tab of New Request: search and filter what the caller may request, pick up to
 * 1,000 entities with their permissions, then preview and submit.
 */
export function ResourcesTab(props: {
  flows?: AccessFlowSummary[];
  deepLink: DeepLink;
  onSubmitted(items: AccessRequest[]): void;
}) {
  const { flows, deepLink, onSubmitted } = props;
  const classes = useStyles();
  const lookup = useResourceLookup();

  const [q, setQ] = useState('');
  const [type, setType] = useState('');
  const [permission, setPermission] = useState('');
  const search = useResourceSearch({ q, type, permission });

  const [selection, setSelection] = useState<ReadonlyMap<string, SelectedItem>>(
    () => new Map(),
  );
  const [limitMessage, setLimitMessage] = useState<string>();
  const [itemError, onItemError] = useItemError();
  const [linkProblems, setLinkProblems] = useState<string[]>([]);
  const [resolving, setResolving] = useState(deepLink.entities.length > 0);

  // Deep links (`?entity=...&permission=...`) prefill the selection once.
  useEffect(() => {
    if (!deepLink.entities.length) return undefined;
    let cancelled = false;
    (async () => {
      const results: LinkedResource[] = [];
      const { entities, leftOut } = linkedToResolve(deepLink.entities);
      for (const link of entities) {
        results.push(await lookup.resolveLinked(link));
        if (cancelled) return;
      }
      const problems = results.flatMap(r => (r.problem ? [r.problem] : []));
      if (leftOut > 0)
        problems.push(
          `This link names ${(entities.length + leftOut).toLocaleString(
            'en-US',
          )} resources: only the first ${MAX_LINKED} were looked up; the other ${leftOut.toLocaleString(
            'en-US',
          )} were left out.`,
        );
      setSelection(prev => {
        const next = new Map(prev);
        for (const { item } of results) {
          if (!item || next.size >= MAX_SELECTED) continue;
          const existing = next.get(keyOf(item.entityRef));
          next.set(keyOf(item.entityRef), {
            ...item,
            permissions: [
              ...new Set([
                ...(existing?.permissions ?? []),
                ...item.permissions,
              ]),
            ],
          });
        }
        return next;
      });
      setLinkProblems(problems);
      setResolving(false);
    })();
    return () => {
      cancelled = true;
    };
  }, [lookup, deepLink]);

  const items = useMemo(() => [...selection.values()], [selection]);

  const typeOptions = useTypeOptions(flows, search.items, type);
  const permissionOptions = useMemo(() => {
    const all = new Set<string>();
    flows?.forEach(f => f.permissions.forEach(p => all.add(p)));
    search.items.forEach(r =>
      r.permissions.forEach(p => all.add(p.permission)),
    );
    if (permission) all.add(permission);
    return [...all].sort();
  }, [flows, search.items, permission]);

  const toggle = useCallback(
    (resource: RequestableResource, perm: string) => {
      const key = keyOf(resource.entityRef);
      const existing = selection.get(key);
      if (!existing && selection.size >= MAX_SELECTED) {
        setLimitMessage(
          `You can request at most ${LIMIT_TEXT} resources at once: ${displayName(
            { entityRef: resource.entityRef, resource },
          )} was not added. Remove some, or submit these first.`,
        );
        return;
      }
      setLimitMessage(undefined);
      const next = new Map(selection);
      const permissions = existing?.permissions.includes(perm)
        ? existing.permissions.filter(p => p !== perm)
        : [...(existing?.permissions ?? []), perm];
      if (permissions.length === 0) next.delete(key);
      else
        next.set(key, {
          entityRef: existing?.entityRef ?? resource.entityRef,
          resource: existing?.resource ?? resource,
          permissions,
        });
      setSelection(next);
    },
    [selection],
  );

  // Adds every match of the current search, page by page from the server, until the
  // selection is full: picking hundreds by hand is no way to build a big request.
  const [adding, setAdding] = useState(false);
  const latestSelection = useRef(selection);
  latestSelection.current = selection;
  const addAllMatching = async () => {
    if (!permission || adding) return;
    setAdding(true);
    setLimitMessage(undefined);
    // Enough to fill the selection even if none of them is picked yet.
    const { found, failure } = await lookup.allMatching(
      { q, type, permission },
      MAX_SELECTED,
    );
    // Merge into the selection as it is now: the user may have ticked more meanwhile.
    const next = new Map(latestSelection.current);
    let full = false;
    for (const resource of found) {
      if (!resource.permissions.some(p => p.permission === permission))
        continue;
      const key = keyOf(resource.entityRef);
      const existing = next.get(key);
      if (existing?.permissions.includes(permission)) continue;
      if (!existing && next.size >= MAX_SELECTED) {
        full = true;
        break;
      }
      next.set(key, {
        entityRef: existing?.entityRef ?? resource.entityRef,
        resource: existing?.resource ?? resource,
        permissions: [...(existing?.permissions ?? []), permission],
      });
    }
    setSelection(next);
    setAdding(false);
    if (failure)
      setLimitMessage(
        `Could not add all matches: ${failure}. Those loaded so far were added.`,
      );
    else if (full)
      setLimitMessage(
        `Stopped at ${LIMIT_TEXT} resources, the most one request can hold; the other matches were not added.`,
      );
  };

  const toggleSelected = useCallback(
    (item: SelectedItem, perm: string) => {
      if (item.resource) toggle(item.resource, perm);
    },
    [toggle],
  );
  const remove = useCallback((item: SelectedItem) => {
    setSelection(prev => {
      const next = new Map(prev);
      next.delete(keyOf(item.entityRef));
      return next;
    });
    setLimitMessage(undefined);
  }, []);
  const clear = useCallback(() => {
    setSelection(new Map());
    setLimitMessage(undefined);
  }, []);

  const flowIds = useMemo(() => {
    const ids = new Set<string>();
    for (const item of items)
      for (const p of item.permissions) {
        const flowId = item.resource?.permissions.find(
          x => x.permission === p,
        )?.flowId;
        if (flowId) ids.add(flowId);
      }
    return [...ids];
  }, [items]);

  const incomplete = items.find(i => i.permissions.length === 0);
  const target = useMemo<RequestTarget | undefined>(
    () =>
      items.length && !incomplete
        ? {
            resources: items.map(i => ({
              entityRef: i.entityRef,
              permissions: i.permissions,
            })),
          }
        : undefined,
    [items, incomplete],
  );
  let notReadyReason: string | undefined;
  if (!items.length) notReadyReason = 'Pick at least one resource.';
  else if (incomplete)
    notReadyReason = `Choose a permission for ${displayName(incomplete)}.`;

  const describeItem = useCallback(
    (index: number) =>
      items[index]
        ? `${displayName(items[index])} (${items[index].entityRef})`
        : undefined,
    [items],
  );

  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={7}>
        <Paper variant="outlined" className={classes.panel}>
          <div className={classes.filters}>
            <SearchField onSearch={setQ} />
            <FilterSelect
              id="new-request-type"
              label="Type"
              value={type}
              onChange={setType}
              allLabel="All types"
              options={typeOptions}
            />
            <FilterSelect
              id="new-request-permission"
              label="Permission"
              value={permission}
              onChange={setPermission}
              allLabel="All permissions"
              options={permissionOptions}
            />
          </div>
          {limitMessage && (
            <Alert
              severity="warning"
              role="alert"
              className={classes.message}
              onClose={() => setLimitMessage(undefined)}
            >
              {limitMessage}
            </Alert>
          )}
          {permission && search.items.length > 0 && !search.loading && (
            <Box mb={1}>
              <Button
                size="small"
                variant="outlined"
                onClick={addAllMatching}
                disabled={adding}
              >
                {adding
                  ? 'Adding…'
                  : `Add all matches with "${permission}" (up to ${LIMIT_TEXT})`}
              </Button>
            </Box>
          )}
          <ResourceResults
            search={search}
            selection={selection}
            filtered={!!(q.trim() || type || permission)}
            onToggle={toggle}
          />
        </Paper>
      </Grid>
      <Grid item xs={12} md={5}>
        <Paper variant="outlined" className={classes.panel}>
          {resolving && (
            <Box mb={2}>
              <Typography variant="body2">Loading linked resources…</Typography>
              <Progress />
            </Box>
          )}
          {linkProblems.length > 0 && (
            <Alert
              severity="warning"
              className={classes.message}
              onClose={() => setLinkProblems([])}
            >
              {linkProblems.map(p => (
                <div key={p}>{p}</div>
              ))}
            </Alert>
          )}
          <SelectedList
            items={items}
            onToggle={toggleSelected}
            onRemove={remove}
            onClear={clear}
            error={itemError}
          />
          <RequestForm
            idPrefix="new-request-resources"
            target={target}
            notReadyReason={notReadyReason}
            flowIds={flowIds}
            flows={flows}
            describeItem={describeItem}
            onItemError={onItemError}
            onSubmitted={onSubmitted}
          />
        </Paper>
      </Grid>
    </Grid>
  );
}
