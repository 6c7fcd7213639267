import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import FormControl from '@material-ui/core/FormControl';
import InputLabel from '@material-ui/core/InputLabel';
import LinearProgress from '@material-ui/core/LinearProgress';
import ListItemText from '@material-ui/core/ListItemText';
import MenuItem from '@material-ui/core/MenuItem';
import Paper from '@material-ui/core/Paper';
import Select from '@material-ui/core/Select';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableContainer from '@material-ui/core/TableContainer';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { EmptyState, Link, Progress } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import {
  ACCESS_REQUEST_STATUS_LABELS,
  ACCESS_REQUEST_STATUSES,
  AccessRequest,
  AccessRequestStatus,
} from '@jit-access/plugin-access-common';
import { useState } from 'react';
import { accessApiRef } from '../../api';
import { requestRouteRef } from '../../routes';
import {
  BatchActionDialog,
  CursorPager,
  describeResources,
  EmptyPageRow,
  ExpiryCountdown,
  formatSeconds,
  formatTime,
  isBeingRevoked,
  LoadError,
  relativeTime,
  RequesterLink,
  ResourceList,
  shortRef,
  StatusChip,
  useCursorPages,
  useLiveRefresh,
} from '../shared';

const PAGE_SIZE = 25;

function Ends(props: { request: AccessRequest }) {
  const r = props.request;
  if (r.status === 'granted' && r.expiresAt)
    return <ExpiryCountdown expiresAt={r.expiresAt} />;
  if (r.endedAt)
    return (
      <Typography variant="body2" title={formatTime(r.endedAt)}>
        ended {relativeTime(r.endedAt)}
      </Typography>
    );
  return (
    <Typography variant="body2" color="textSecondary">
      {formatSeconds(r.durationSeconds)} once granted
    </Typography>
  );
}

/** Every request (admins), filtered by status, with revoke on active grants. */
export function AllRequestsTab() {
  const api = useApi(accessApiRef);
  const requestLink = useRouteRef(requestRouteRef);
  const [statuses, setStatuses] = useState<AccessRequestStatus[]>([]);
  const list = useCursorPages(`all:${statuses.join(',')}`, cursor =>
    api.listRequests({
      view: 'all',
      status: statuses.length ? statuses : undefined,
      cursor,
      limit: PAGE_SIZE,
    }),
  );
  useLiveRefresh(list.retry);
  const [revoking, setRevoking] = useState<AccessRequest | undefined>();

  const filter = (
    <FormControl variant="outlined" size="small" style={{ minWidth: 260 }}>
      <InputLabel id="access-admin-status-label">Status</InputLabel>
      <Select
        labelId="access-admin-status-label"
        label="Status"
        multiple
        value={statuses}
        onChange={e => setStatuses(e.target.value as AccessRequestStatus[])}
        renderValue={value =>
          (value as AccessRequestStatus[])
            .map(s => ACCESS_REQUEST_STATUS_LABELS[s])
            .join(', ')
        }
      >
        {ACCESS_REQUEST_STATUSES.map(s => (
          <MenuItem key={s} value={s}>
            <Checkbox checked={statuses.includes(s)} size="small" />
            <ListItemText primary={ACCESS_REQUEST_STATUS_LABELS[s]} />
          </MenuItem>
        ))}
      </Select>
    </FormControl>
  );

  let body;
  if (list.error) {
    body = (
      <LoadError what="the requests" error={list.error} onRetry={list.retry} />
    );
  } else if (!list.items) {
    body = <Progress />;
  } else if (list.items.length === 0 && !list.hasPrevious) {
    body = (
      <EmptyState
        missing="data"
        title={
          statuses.length
            ? 'No requests with these statuses'
            : 'No access requests yet'
        }
        description={
          statuses.length
            ? 'Change or clear the status filter to see more.'
            : 'Requests show up here as soon as someone asks for access.'
        }
      />
    );
  } else {
    body = (
      <>
        <Paper>
          {list.loading && <LinearProgress aria-label="Refreshing" />}
          <TableContainer>
            <Table size="small" aria-label="All access requests">
              <TableHead>
                <TableRow>
                  <TableCell>Requester</TableCell>
                  <TableCell>Resources</TableCell>
                  <TableCell>Flow</TableCell>
                  <TableCell>Status</TableCell>
                  <TableCell>Requested</TableCell>
                  <TableCell>Ends</TableCell>
                  <TableCell>Actions</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {list.items.length === 0 && (
                  <EmptyPageRow colSpan={7} onFirst={list.first} />
                )}
                {list.items.map(r => (
                  <TableRow key={r.id} data-testid={`row-${r.id}`}>
                    <TableCell>
                      <RequesterLink request={r} />
                    </TableCell>
                    <TableCell>
                      <ResourceList request={r} />
                    </TableCell>
                    <TableCell>
                      <Typography variant="body2">{r.flowTitle}</Typography>
                      <Typography variant="caption">
                        <Link to={requestLink({ id: r.id })}>Details</Link>
                      </Typography>
                    </TableCell>
                    <TableCell>
                      <StatusChip status={r.status} title={r.endReason} />
                      {r.breakGlass && (
                        <Typography
                          variant="caption"
                          display="block"
                          color="error"
                        >
                          Break-glass
                          {r.review?.status === 'pending'
                            ? ', review pending'
                            : ''}
                        </Typography>
                      )}
                    </TableCell>
                    <TableCell>
                      <Typography
                        variant="body2"
                        title={formatTime(r.createdAt)}
                      >
                        {relativeTime(r.createdAt)}
                      </Typography>
                    </TableCell>
                    <TableCell>
                      <Ends request={r} />
                    </TableCell>
                    <TableCell>
                      {r.status === 'granted' && !isBeingRevoked(r) && (
                        <Button
                          size="small"
                          color="secondary"
                          variant="outlined"
                          aria-label={`Revoke: ${shortRef(r.requester)}`}
                          onClick={() => setRevoking(r)}
                        >
                          Revoke
                        </Button>
                      )}
                      {isBeingRevoked(r) && (
                        <Typography
                          variant="body2"
                          color="textSecondary"
                          title={r.lastError}
                        >
                          Revocation in progress
                        </Typography>
                      )}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </TableContainer>
        </Paper>
        <CursorPager label="All requests" pages={list} />
      </>
    );
  }

  return (
    <>
      <Box mb={2} display="flex" alignItems="center" style={{ gap: 8 }}>
        {filter}
        {statuses.length > 0 && (
          <Button size="small" onClick={() => setStatuses([])}>
            Clear filter
          </Button>
        )}
        <Box flex={1} />
        {/* Signals only reach a request's requester and approvers; admins refresh by hand. */}
        <Button onClick={list.retry} disabled={list.loading}>
          Refresh
        </Button>
      </Box>
      {body}
      {revoking && (
        <BatchActionDialog
          open
          title="Revoke access"
          description={`Ends ${shortRef(
            revoking.requester,
          )}'s access to ${describeResources(
            revoking,
          )} now. The holder is notified with your reason.`}
          items={[
            {
              id: revoking.id,
              label: `${shortRef(revoking.requester)}: ${describeResources(
                revoking,
              )}`,
            },
          ]}
          fieldLabel="Reason"
          textRequired
          helperText="Shown to the holder and kept in the audit log."
          confirmLabel="Revoke"
          doneLabel="Revoked"
          destructive
          perform={async (id, text) => {
            const after = await api.revoke(id, text);
            // The backend answers 200 even when the provisioner failed; it retries then.
            return after.status === 'granted'
              ? {
                  severity: 'warning',
                  message: `Revocation started but the provisioner failed; it is retried${
                    after.lastError ? ` (${after.lastError})` : ''
                  }`,
                }
              : undefined;
          }}
          onClose={changed => {
            setRevoking(undefined);
            if (changed) list.retry();
          }}
        />
      )}
    </>
  );
}
