import { EmptyState } from '@backstage/core-components';
import Checkbox from '@material-ui/core/Checkbox';
import FormControl from '@material-ui/core/FormControl';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormLabel from '@material-ui/core/FormLabel';
import Grid from '@material-ui/core/Grid';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import Paper from '@material-ui/core/Paper';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import Typography from '@material-ui/core/Typography';
import { makeStyles, Theme } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import {
  AccessBundle,
  AccessFlowSummary,
  AccessRequest,
} from '@jit-access/plugin-access-common';
import { useCallback, useMemo, useState } from 'react';
import { useBundles } from '../../hooks';
import { LoadedList, shortRef } from '../shared';
import { RequestForm, RequestTarget, useItemError } from './RequestForm';

const NO_FLOWS: string[] = [];

const useStyles = makeStyles((theme: Theme) => ({
  panel: { padding: theme.spacing(2) },
  list: { maxHeight: 480, overflowY: 'auto' },
  itemError: { borderLeft: `4px solid ${theme.palette.error.main}` },
}));

/**
 * Bundle tab of New Request: pick a bundle, keep all or some of its resources, then
 * preview and submit it as `{ bundleId, resources }`.
 */
export function BundleTab(props: {
  flows?: AccessFlowSummary[];
  initialBundleId?: string;
  onSubmitted(items: AccessRequest[]): void;
}) {
  const { flows, initialBundleId, onSubmitted } = props;
  const classes = useStyles();
  const bundles = useBundles();
  const [pickedId, setPickedId] = useState<string | undefined>(initialBundleId);
  // Indices of the bundle's resources left out; empty means all ticked (the default).
  const [unticked, setUnticked] = useState<ReadonlySet<number>>(
    () => new Set(),
  );
  const [itemError, onItemError] = useItemError();

  const bundle: AccessBundle | undefined = bundles.value?.find(
    b => b.id === pickedId,
  );
  const ticked = useMemo(
    () => (bundle ? bundle.resources.filter((_, i) => !unticked.has(i)) : []),
    [bundle, unticked],
  );
  const target = useMemo<RequestTarget | undefined>(
    () =>
      bundle && ticked.length
        ? {
            bundleId: bundle.id,
            resources: ticked.map(r => ({
              entityRef: r.entityRef,
              permissions: r.permissions,
            })),
          }
        : undefined,
    [bundle, ticked],
  );
  const describeItem = useCallback(
    (index: number) =>
      ticked[index]
        ? `${shortRef(ticked[index].entityRef)} (${ticked[index].entityRef})`
        : undefined,
    [ticked],
  );

  const erroredRef =
    itemError !== undefined ? ticked[itemError.index]?.entityRef : undefined;

  return (
    <LoadedList
      state={bundles}
      what="bundles"
      empty={
        <EmptyState
          missing="content"
          title="No bundles"
          description="Your platform team has not configured any bundles. Request resources one by one on the Resources tab."
        />
      }
    >
      {list => (
        <Grid container spacing={3}>
          <Grid item xs={12} md={6}>
            <Paper variant="outlined" className={classes.panel}>
              {initialBundleId && !list.some(b => b.id === initialBundleId) && (
                <Alert severity="warning">
                  No bundle "{initialBundleId}". Pick one of these.
                </Alert>
              )}
              <FormControl component="fieldset">
                <FormLabel component="legend">Bundle</FormLabel>
                <RadioGroup
                  aria-label="Bundle"
                  name="bundle"
                  value={pickedId ?? ''}
                  onChange={e => {
                    setPickedId(e.target.value);
                    setUnticked(new Set());
                  }}
                >
                  {list.map(b => (
                    <FormControlLabel
                      key={b.id}
                      value={b.id}
                      control={<Radio color="primary" />}
                      label={
                        <span>
                          {b.title}{' '}
                          <Typography
                            component="span"
                            variant="caption"
                            color="textSecondary"
                          >
                            ({b.resources.length} resource
                            {b.resources.length === 1 ? '' : 's'})
                            {b.description ? ` — ${b.description}` : ''}
                          </Typography>
                        </span>
                      }
                    />
                  ))}
                </RadioGroup>
              </FormControl>
            </Paper>
          </Grid>
          <Grid item xs={12} md={6}>
            <Paper variant="outlined" className={classes.panel}>
              {!bundle ? (
                <Typography variant="body1">
                  Pick a bundle to see its resources.
                </Typography>
              ) : (
                <>
                  <Typography variant="h6" component="h3">
                    {bundle.title}: {ticked.length} of {bundle.resources.length}{' '}
                    selected
                  </Typography>
                  <FormControlLabel
                    control={
                      <Checkbox
                        color="primary"
                        checked={unticked.size === 0}
                        indeterminate={
                          unticked.size > 0 &&
                          unticked.size < bundle.resources.length
                        }
                        onChange={() =>
                          setUnticked(
                            unticked.size === 0
                              ? new Set(bundle.resources.map((_, i) => i))
                              : new Set(),
                          )
                        }
                      />
                    }
                    label="All resources"
                  />
                  <List dense className={classes.list}>
                    {bundle.resources.map((r, i) => (
                      <ListItem
                        key={r.entityRef}
                        className={
                          erroredRef === r.entityRef
                            ? classes.itemError
                            : undefined
                        }
                      >
                        <FormControlLabel
                          control={
                            <Checkbox
                              color="primary"
                              checked={!unticked.has(i)}
                              onChange={() => {
                                const next = new Set(unticked);
                                if (next.has(i)) next.delete(i);
                                else next.add(i);
                                setUnticked(next);
                              }}
                            />
                          }
                          label={
                            <span>
                              {shortRef(r.entityRef)} (
                              {r.permissions.join(', ')})
                              {erroredRef === r.entityRef && (
                                <Typography
                                  variant="caption"
                                  color="error"
                                  component="span"
                                >
                                  {' '}
                                  — {itemError?.message}
                                </Typography>
                              )}
                            </span>
                          }
                        />
                      </ListItem>
                    ))}
                  </List>
                  <RequestForm
                    key={bundle.id}
                    idPrefix="new-request-bundle"
                    target={target}
                    notReadyReason="Tick at least one resource of the bundle."
                    flowIds={NO_FLOWS}
                    flows={flows}
                    describeItem={describeItem}
                    onItemError={onItemError}
                    onSubmitted={onSubmitted}
                  />
                </>
              )}
            </Paper>
          </Grid>
        </Grid>
      )}
    </LoadedList>
  );
}
