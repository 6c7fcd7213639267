import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { EntityRefLink, useEntity } from '@backstage/plugin-catalog-react';
import { AccessRequest } from '@jit-access/plugin-access-common';
import { useEntityHistory } from '../../hooks';
import {
  errorStatus,
  ExpiryCountdown,
  LoadError,
  permissionsOn,
  StatusChip,
  formatSeconds,
  relativeTime,
} from '../shared';
import { RequestDetailsLink } from './RequestDetailsLink';

const PAGE_SIZE = 25;

function isForbidden(error: Error): boolean {
  return errorStatus(error) === 403 || error.name === 'NotAllowedError';
}

/**
 * The entity page's "Access" tab: every access request made for this entity, newest
 * first, for the entity's owners and access admins; others get a short explanation. On an
 * entity no flow covers (the tab is normally hidden there), it says so instead, unless
 * the entity has a history from before the flows changed.
 *
 * @public
 */
export function EntityAccessContent() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const state = useEntityHistory(entityRef, PAGE_SIZE);

  if (state.loading && !state.items.length && !state.error) return <Progress />;
  if (state.covered === false && !state.items.length) {
    return (
      <EmptyState
        missing="info"
        title="No access flow covers this entity"
        description="Access to this entity cannot be requested through Backstage: none of the configured access flows matches it. Ask your Backstage admins to add a flow if it should be requestable."
      />
    );
  }
  if (state.error && !state.items.length) {
    if (isForbidden(state.error)) {
      return (
        <EmptyState
          missing="info"
          title="Access history is for owners and admins"
          description="Only the owners of this entity and access admins can see who requested access to it. Use the Access card on the Overview tab to see or request your own access."
        />
      );
    }
    return <LoadError what="the access history" error={state.error} />;
  }

  const columns: TableColumn<AccessRequest>[] = [
    {
      title: 'Requester',
      field: 'requester',
      render: r => <EntityRefLink entityRef={r.requester} hideIcon />,
    },
    {
      title: 'Permissions',
      render: r => permissionsOn(r, entityRef),
    },
    {
      title: 'Status',
      field: 'status',
      render: r => <StatusChip status={r.status} title={r.endReason} />,
    },
    { title: 'Flow', field: 'flowTitle' },
    {
      title: 'Requested',
      field: 'createdAt',
      render: r => (
        <span title={new Date(r.createdAt).toLocaleString()}>
          {relativeTime(r.createdAt)}
        </span>
      ),
    },
    {
      title: 'Duration',
      render: r =>
        r.status === 'granted' && r.expiresAt ? (
          <>
            <ExpiryCountdown expiresAt={r.expiresAt} /> left
          </>
        ) : (
          formatSeconds(r.durationSeconds)
        ),
    },
    {
      title: 'Justification',
      field: 'justification',
      render: r => (
        <Typography variant="body2" style={{ whiteSpace: 'pre-wrap' }}>
          {r.justification || '—'}
        </Typography>
      ),
    },
    {
      title: '',
      render: r => <RequestDetailsLink id={r.id} />,
    },
  ];

  return (
    <>
      {state.covered === false && (
        <Box mb={2}>
          <Typography variant="body2" color="textSecondary">
            No access flow covers this entity any more; these are its past
            requests.
          </Typography>
        </Box>
      )}
      {state.error && (
        <Box mb={2}>
          <ResponseErrorPanel
            error={state.error}
            title={`Could not refresh: ${state.error.message}`}
          />
        </Box>
      )}
      <Table<AccessRequest>
        title="Access history"
        subtitle="Every request made for this entity, newest first"
        columns={columns}
        data={state.items}
        options={{ paging: false, search: false, padding: 'dense' }}
        emptyContent={
          <Box p={3}>
            <Typography variant="body2" color="textSecondary">
              Nobody has requested access to this entity yet.
            </Typography>
          </Box>
        }
      />
      {(state.nextCursor || state.moreError) && (
        <Box mt={2} display="flex" alignItems="center">
          <Button
            variant="outlined"
            onClick={state.loadMore}
            disabled={state.loadingMore || !state.nextCursor}
          >
            {state.loadingMore ? 'Loading…' : 'Load older requests'}
          </Button>
          {state.moreError && (
            <Box ml={2}>
              <Typography variant="body2" color="error" role="alert">
                Could not load more: {state.moreError.message}
              </Typography>
            </Box>
          )}
        </Box>
      )}
    </>
  );
}
