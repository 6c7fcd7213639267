import Box from '@material-ui/core/Box';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { EmptyState, Progress } from '@backstage/core-components';
import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import {
  AccessApproval,
  AccessRequest,
} from '@jit-access/plugin-access-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useRequestList, useLiveRefresh } from '../../hooks';
import {
  formatTime,
  LoadError,
  PagedTable,
  relativeTime,
  RequestOverviewCells,
  StatusChip,
} from '../shared';

const PAGE_SIZE = 25;

const DECISION_LABELS: Record<AccessApproval['decision'], string> = {
  approved: 'Approved',
  rejected: 'Rejected',
  acknowledged: 'Acknowledged',
};

const KIND_LABELS: Record<AccessApproval['kind'], string> = {
  request: 'the request',
  extension: 'an extension',
  review: 'the break-glass review',
};

const REVIEW_LABELS: Record<
  NonNullable<AccessRequest['review']>['status'],
  string
> = {
  pending: 'Review pending',
  acknowledged: 'Review acknowledged',
  revoked: 'Revoked on review',
  rejected: 'Review rejected',
};

function MyDecisions(props: { approvals: AccessApproval[] }) {
  if (props.approvals.length === 0)
    return (
      <Typography variant="body2" color="textSecondary">
        —
      </Typography>
    );
  return (
    <>
      {props.approvals.map(a => (
        <Box key={`${a.kind}-${a.at}`} mb={0.5}>
          <Typography variant="body2">
            <strong>{DECISION_LABELS[a.decision]}</strong> {KIND_LABELS[a.kind]}{' '}
            <span title={formatTime(a.at)}>{relativeTime(a.at)}</span>
          </Typography>
          {a.comment && (
            <Typography variant="caption" color="textSecondary">
              “{a.comment}”
            </Typography>
          )}
        </Box>
      ))}
    </>
  );
}

/** History: requests the signed-in user decided on, with their decision and where each stands now. */
export function DecidedTab() {
  const identityApi = useApi(identityApiRef);
  const me = useAsyncRetry(
    async () => (await identityApi.getBackstageIdentity()).userEntityRef,
    [identityApi],
  );
  const list = useRequestList({ view: 'decided', pageSize: PAGE_SIZE });
  useLiveRefresh(list.retry);

  if (me.error)
    return <LoadError what="who you are" error={me.error} onRetry={me.retry} />;
  // The rows need who you are: wait for it, unless the list failed (that error shows now).
  if (me.loading && !list.error) return <Progress />;

  return (
    <PagedTable
      pages={list}
      what="your decisions"
      empty={
        <EmptyState
          missing="content"
          title="You have not decided on any request yet"
          description="Requests, extensions and break-glass reviews you approve or reject are listed here."
        />
      }
      label="Decided by me"
      pagerLabel="Decided"
      columns={['Requester', 'Resources', 'Flow', 'My decision', 'Status now']}
    >
      {items =>
        items.map(r => (
          <TableRow key={r.id} data-testid={`row-${r.id}`}>
            <RequestOverviewCells request={r} />
            <TableCell>
              <MyDecisions
                approvals={r.approvals.filter(a => a.approver === me.value)}
              />
            </TableCell>
            <TableCell>
              <StatusChip status={r.status} title={r.endReason} />
              {r.breakGlass && r.review && (
                <Typography
                  variant="caption"
                  display="block"
                  color="textSecondary"
                >
                  {REVIEW_LABELS[r.review.status]}
                </Typography>
              )}
              {r.extension?.status === 'pending' && (
                <Typography
                  variant="caption"
                  display="block"
                  color="textSecondary"
                >
                  Extension waiting
                </Typography>
              )}
            </TableCell>
          </TableRow>
        ))
      }
    </PagedTable>
  );
}
