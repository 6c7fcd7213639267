import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import Chip from '@material-ui/core/Chip';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Toolbar from '@material-ui/core/Toolbar';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles, Theme } from '@material-ui/core/styles';
import { EmptyState, Link } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { AccessRequest } from '@jit-access/plugin-access-common';
import { useEffect, useMemo, useState } from 'react';
import { useRequestList, useLiveRefresh } from '../../hooks';
import { requestRouteRef } from '../../routes';
import {
  ApproveAction,
  DecisionDialog,
  DecisionMode,
  RejectAction,
  can,
  DialogHost,
} from '../requestActions';
import {
  approvalsSoFar,
  AWAITED_LABELS,
  awaitedDecision,
  CheckChips,
  formatSeconds,
  PagedTable,
  RelativeTime,
  RequesterLink,
  ResourceList,
  shortRef,
  StatusChip,
  VisuallyHidden,
  waitingSince,
} from '../shared';

const PAGE_SIZE = 25;

const useStyles = makeStyles((theme: Theme) => ({
  toolbar: { gap: theme.spacing(1), paddingLeft: theme.spacing(2) },
  grow: { flex: 1 },
  justification: {
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    maxWidth: 320,
  },
  review: {
    borderColor: theme.palette.error.main,
    color: theme.palette.error.main,
  },
  actions: { whiteSpace: 'nowrap' },
}));

type DialogState = { mode: DecisionMode; requests: AccessRequest[] };

/** The toolbar's buttons that decide on every selected request, one per decision. */
const BATCH_BUTTONS: {
  mode: DecisionMode;
  label: string;
  variant: 'contained' | 'outlined';
  color: 'primary' | 'secondary';
}[] = [
  {
    mode: 'approve',
    label: 'Approve selected',
    variant: 'contained',
    color: 'primary',
  },
  {
    mode: 'reject',
    label: 'Reject selected',
    variant: 'outlined',
    color: 'secondary',
  },
];

/** Whether the caller may decide on `r` at all (the backend's answer). */
const decides = (r: AccessRequest) => can(r, 'approve') || can(r, 'reject');

function Approvals(props: { request: AccessRequest }) {
  const r = props.request;
  const a = awaitedDecision(r);
  if (!a) return null;
  if (a === 'review')
    return <Typography variant="body2">One reviewer decides</Typography>;
  const so = approvalsSoFar(r, a);
  const text = `${so.length} of ${r.requiredApprovals}`;
  if (so.length === 0) return <Typography variant="body2">{text}</Typography>;
  return (
    <Tooltip
      title={so
        .map(x => `${shortRef(x.approver)}${x.comment ? `: ${x.comment}` : ''}`)
        .join('; ')}
    >
      <Typography variant="body2" tabIndex={0}>
        {text}
      </Typography>
    </Tooltip>
  );
}

function Duration(props: { request: AccessRequest }) {
  const r = props.request;
  const a = awaitedDecision(r);
  if (a === 'extension' && r.extension)
    return (
      <Typography variant="body2">
        +{formatSeconds(r.extension.durationSeconds)} more
      </Typography>
    );
  return (
    <Typography variant="body2">{formatSeconds(r.durationSeconds)}</Typography>
  );
}

/** The approvals queue: what waits for the signed-in user's decision. */
export function WaitingTab() {
  const classes = useStyles();
  const requestLink = useRouteRef(requestRouteRef);
  const list = useRequestList({ view: 'approvals', pageSize: PAGE_SIZE });
  useLiveRefresh(list.retry);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [dialog, setDialog] = useState<DialogState | undefined>();

  // A failed reload shows the error instead of the list: nothing on it stays selected.
  const items = useMemo(
    () => (list.error ? [] : list.items ?? []),
    [list.error, list.items],
  );
  const decidable = useMemo(() => items.filter(decides), [items]);

  // Forget selections that left the page (decided elsewhere, or another page shown).
  useEffect(() => {
    setSelected(prev => {
      const ids = new Set(decidable.map(r => r.id));
      const kept = [...prev].filter(id => ids.has(id));
      return kept.length === prev.size ? prev : new Set(kept);
    });
  }, [decidable]);

  const chosen = decidable.filter(r => selected.has(r.id));
  const allSelected =
    decidable.length > 0 && chosen.length === decidable.length;
  const toggle = (id: string) =>
    setSelected(prev => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const toggleAll = () =>
    setSelected(allSelected ? new Set() : new Set(decidable.map(r => r.id)));

  // A batch decision needs every chosen request to allow it.
  const chosenAllow = (mode: DecisionMode) =>
    chosen.length > 0 && chosen.every(r => can(r, mode));
  const decided = () => {
    setSelected(new Set());
    list.retry();
  };

  return (
    <DialogHost>
      <PagedTable
        pages={list}
        what="your approvals"
        empty={
          <EmptyState
            missing="content"
            title="Nothing is waiting for you"
            description="Access requests, extensions and break-glass reviews that need your decision show up here."
          />
        }
        label="Waiting for my decision"
        pagerLabel="Approvals"
        toolbar={
          <Toolbar className={classes.toolbar} variant="dense">
            <Typography
              variant="body2"
              className={classes.grow}
              aria-live="polite"
            >
              {chosen.length} selected
            </Typography>
            {BATCH_BUTTONS.map(b => (
              <Button
                key={b.mode}
                variant={b.variant}
                color={b.color}
                size="small"
                disabled={!chosenAllow(b.mode)}
                onClick={() => setDialog({ mode: b.mode, requests: chosen })}
              >
                {b.label}
              </Button>
            ))}
          </Toolbar>
        }
        columns={[
          <TableCell key="select" padding="checkbox">
            <Checkbox
              checked={allSelected}
              indeterminate={chosen.length > 0 && !allSelected}
              disabled={decidable.length === 0}
              onChange={toggleAll}
              inputProps={{ 'aria-label': 'Select all on this page' }}
            />
          </TableCell>,
          'Request',
          'Duration',
          'Justification',
          'Checks',
          'Approvals',
          'Waiting',
          <TableCell key="actions">
            <VisuallyHidden>Actions</VisuallyHidden>
          </TableCell>,
        ]}
      >
        {rows =>
          rows.map(r => {
            const a = awaitedDecision(r);
            const since = a ? waitingSince(r, a) : r.updatedAt;
            const who = shortRef(r.requester);
            const what = r.resources.map(x => shortRef(x.entityRef)).join(', ');
            // Names buttons apart when one person has several requests on the page.
            const whoWhat = `${who} (${what})`;
            const justification =
              a === 'extension' && r.extension
                ? r.extension.justification
                : r.justification;
            return (
              <TableRow key={r.id} hover data-testid={`row-${r.id}`}>
                <TableCell padding="checkbox">
                  <Checkbox
                    checked={selected.has(r.id)}
                    disabled={!decides(r)}
                    onChange={() => toggle(r.id)}
                    inputProps={{
                      'aria-label': `Select the request of ${who} for ${what}`,
                    }}
                  />
                </TableCell>
                <TableCell>
                  <Box display="flex" alignItems="center" mb={0.5}>
                    <RequesterLink request={r} />
                    <Box ml={1}>
                      {a ? (
                        <Chip
                          size="small"
                          variant="outlined"
                          label={AWAITED_LABELS[a]}
                          className={
                            a === 'review' ? classes.review : undefined
                          }
                        />
                      ) : (
                        <StatusChip status={r.status} />
                      )}
                    </Box>
                  </Box>
                  <ResourceList request={r} />
                  <Typography variant="caption" color="textSecondary">
                    {r.flowTitle} ·{' '}
                    <Link to={requestLink({ id: r.id })}>Details</Link>
                  </Typography>
                </TableCell>
                <TableCell>
                  <Duration request={r} />
                </TableCell>
                <TableCell>
                  <Typography variant="body2" className={classes.justification}>
                    {justification || '—'}
                  </Typography>
                </TableCell>
                <TableCell>
                  <CheckChips checks={r.checks} />
                </TableCell>
                <TableCell>
                  <Approvals request={r} />
                </TableCell>
                <TableCell>
                  <RelativeTime at={since} />
                </TableCell>
                <TableCell className={classes.actions}>
                  {decides(r) ? (
                    <>
                      <ApproveAction
                        request={r}
                        name={whoWhat}
                        onChanged={decided}
                      />
                      <RejectAction
                        request={r}
                        name={whoWhat}
                        onChanged={decided}
                      />
                    </>
                  ) : (
                    <Typography variant="body2" color="textSecondary">
                      Nothing to decide
                    </Typography>
                  )}
                </TableCell>
              </TableRow>
            );
          })
        }
      </PagedTable>
      {dialog && (
        <DecisionDialog
          mode={dialog.mode}
          requests={dialog.requests}
          onClose={changed => {
            setDialog(undefined);
            if (changed) decided();
          }}
        />
      )}
    </DialogHost>
  );
}
