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
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { AccessRequest } from '@jit-access/plugin-access-common';
import { useEffect, useMemo, useState } from 'react';
import { accessApiRef } from '../../api';
import { requestRouteRef } from '../../routes';
import {
  BatchActionDialog,
  CheckChips,
  formatSeconds,
  formatTime,
  PagedTable,
  relativeTime,
  RequesterLink,
  ResourceList,
  shortRef,
  StatusChip,
  useCursorPages,
  useLiveRefresh,
  VisuallyHidden,
} from '../shared';
import {
  approvalsSoFar,
  AWAITED_LABELS,
  awaitedDecision,
  decisionWording,
  waitingSince,
} from './awaiting';
import { decisionResult, singleDecisionText, toActionItem } from './describe';

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

type DialogState = { mode: 'approve' | 'reject'; requests: AccessRequest[] };

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
  const api = useApi(accessApiRef);
  const requestLink = useRouteRef(requestRouteRef);
  const list = useCursorPages('approvals', cursor =>
    api.listRequests({ view: 'approvals', cursor, limit: PAGE_SIZE }),
  );
  useLiveRefresh(list.retry);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [dialog, setDialog] = useState<DialogState | undefined>();

  // A failed reload shows the error instead of the list: nothing on it stays selected.
  const items = useMemo(
    () => (list.error ? [] : list.items ?? []),
    [list.error, list.items],
  );
  const decidable = useMemo(
    () => items.filter(r => awaitedDecision(r) !== undefined),
    [items],
  );

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

  const dialogProps = (() => {
    if (!dialog) return undefined;
    const { mode, requests } = dialog;
    const reject = mode === 'reject';
    const common = {
      items: requests.map(toActionItem),
      fieldLabel: reject ? 'Reason' : 'Comment (optional)',
      textRequired: reject,
      helperText: reject
        ? 'The requester sees this reason; it is also kept in the audit log.'
        : 'Shown to the requester and kept in the audit log.',
      destructive: reject,
      perform: async (id: string, text?: string) => {
        const before = requests.find(r => r.id === id)!;
        const after = reject
          ? await api.reject(id, text ?? '')
          : await api.approve(id, text);
        return decisionResult(before, after, mode);
      },
    };
    if (requests.length === 1) {
      const r = requests[0];
      const t = singleDecisionText(r, awaitedDecision(r) ?? 'request', mode);
      return {
        ...common,
        title: t.title,
        description: t.description,
        confirmLabel: t.confirm,
        doneLabel: t.done,
      };
    }
    const reviews = requests.filter(
      r => awaitedDecision(r) === 'review',
    ).length;
    const reviewNote = reject
      ? ` ${reviews} break-glass review(s) among them: active access is revoked.`
      : ` ${reviews} break-glass review(s) among them are acknowledged.`;
    return {
      ...common,
      title: reject
        ? `Reject ${requests.length} selected`
        : `Approve ${requests.length} selected`,
      description: `Each one is decided on its own, one after the other; if one fails the others still go ahead.${
        reviews ? reviewNote : ''
      }${reject ? ' The same reason is sent for all.' : ''}`,
      confirmLabel: reject ? 'Reject all' : 'Approve all',
      doneLabel: reject ? 'Rejected' : 'Approved',
    };
  })();

  return (
    <>
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
            <Button
              variant="contained"
              color="primary"
              size="small"
              disabled={chosen.length === 0}
              onClick={() => setDialog({ mode: 'approve', requests: chosen })}
            >
              Approve selected
            </Button>
            <Button
              variant="outlined"
              color="secondary"
              size="small"
              disabled={chosen.length === 0}
              onClick={() => setDialog({ mode: 'reject', requests: chosen })}
            >
              Reject selected
            </Button>
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
            const wording = a ? decisionWording(r, a) : undefined;
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
                    disabled={!a}
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
                  <Typography variant="body2" title={formatTime(since)}>
                    {relativeTime(since)}
                  </Typography>
                </TableCell>
                <TableCell className={classes.actions}>
                  {wording ? (
                    <>
                      <Button
                        size="small"
                        color="primary"
                        aria-label={`${wording.approve}: ${whoWhat}`}
                        onClick={() =>
                          setDialog({ mode: 'approve', requests: [r] })
                        }
                      >
                        {wording.approve}
                      </Button>
                      <Button
                        size="small"
                        color="secondary"
                        aria-label={`${wording.reject}: ${whoWhat}`}
                        onClick={() =>
                          setDialog({ mode: 'reject', requests: [r] })
                        }
                      >
                        {wording.reject}
                      </Button>
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
      {dialogProps && (
        <BatchActionDialog
          open
          {...dialogProps}
          onClose={changed => {
            setDialog(undefined);
            if (changed) {
              setSelected(new Set());
              list.retry();
            }
          }}
        />
      )}
    </>
  );
}
