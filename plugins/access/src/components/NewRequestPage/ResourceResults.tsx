import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { RequestableResource } from '@jit-access/plugin-access-common';
import { memo } from 'react';
import { shortRef } from '../shared';
import { normalizeRef } from '../../lib/entityRefs';
import { displayName, SelectedItem } from '../../lib/selection';
import { PermissionPicker } from './PermissionPicker';
import { ResourceName } from './ResourceName';
import { ResourceSearchState } from '../../hooks';

// Narrow columns broke "database" into "datab-ase"; break only between words and at hyphens.
const WHOLE_WORDS = { overflowWrap: 'normal', wordBreak: 'normal' } as const;

/**
 * The loaded pages of a resource search, each row with its permission checkboxes, and a
 * "Load more" button while the server has more.
 */
export const ResourceResults = memo(function ResourceResultsTable(props: {
  search: ResourceSearchState;
  selection: ReadonlyMap<string, SelectedItem>;
  filtered: boolean;
  onToggle(resource: RequestableResource, permission: string): void;
}) {
  const { search, selection, filtered, onToggle } = props;

  if (search.loading) return <Progress />;
  if (search.error)
    return (
      <Box>
        <ResponseErrorPanel
          error={search.error}
          title={`Could not load resources: ${search.error.message}`}
        />
        <Button variant="outlined" onClick={search.retry}>
          Retry
        </Button>
      </Box>
    );
  if (!search.items.length && !search.hasMore)
    return (
      <EmptyState
        missing="data"
        title={filtered ? 'No resources match' : 'No resources you can request'}
        description={
          filtered
            ? 'Try another name, type or permission.'
            : 'No access flow offers you any catalog entity. Ask your platform team which flows apply to you.'
        }
      />
    );

  return (
    <Box>
      <Table size="small" aria-label="Resources">
        <TableHead>
          <TableRow>
            <TableCell>Resource</TableCell>
            <TableCell>Type</TableCell>
            <TableCell>Owner</TableCell>
            <TableCell>Permissions</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {search.items.map(resource => {
            const name = displayName({
              entityRef: resource.entityRef,
              resource,
            });
            const picked =
              selection.get(
                normalizeRef(resource.entityRef) ?? resource.entityRef,
              )?.permissions ?? [];
            return (
              <TableRow key={resource.entityRef} selected={picked.length > 0}>
                <TableCell>
                  <ResourceName name={name} entityRef={resource.entityRef} />
                  {resource.description && (
                    <Typography variant="caption" component="div">
                      {resource.description}
                    </Typography>
                  )}
                </TableCell>
                <TableCell style={WHOLE_WORDS}>
                  {resource.type ?? '—'}
                </TableCell>
                <TableCell style={WHOLE_WORDS}>
                  {resource.owner ? shortRef(resource.owner) : '—'}
                </TableCell>
                <TableCell>
                  <PermissionPicker
                    resource={resource}
                    name={name}
                    checked={picked}
                    onToggle={p => onToggle(resource, p)}
                  />
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      {!search.items.length && search.hasMore && (
        <Typography variant="body2" color="textSecondary">
          Nothing you can request on this page; load more to keep looking.
        </Typography>
      )}
      {search.moreError && (
        <Alert severity="error" role="alert">
          Could not load more resources: {search.moreError.message}
        </Alert>
      )}
      <Box display="flex" alignItems="center" gridGap={16} mt={1}>
        <Typography variant="body2" color="textSecondary">
          Showing {search.items.length}
          {search.hasMore ? '; more available' : ''}
        </Typography>
        {search.hasMore && (
          <Button
            variant="outlined"
            onClick={search.loadMore}
            disabled={search.loadingMore}
            startIcon={
              search.loadingMore ? <CircularProgress size={16} /> : undefined
            }
          >
            {search.moreError ? 'Retry loading more' : 'Load more'}
          </Button>
        )}
      </Box>
    </Box>
  );
});
