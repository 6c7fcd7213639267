import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import Button from '@material-ui/core/Button';
import LinearProgress from '@material-ui/core/LinearProgress';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  AccessRequest,
  AccessRequestStatus,
} from '@jit-access/plugin-access-common';
import { ReactNode } from 'react';
import { CursorPages, useRequestList } from '../../hooks';
import type { OnChanged } from '../requestActions';
import {
  describeResources,
  LoadError,
  useRequestLink,
  VisuallyHidden,
} from '../shared';

const useStyles = makeStyles(theme => ({
  refreshing: { marginBottom: theme.spacing(1) },
  staleError: { marginBottom: theme.spacing(2) },
  retry: { marginTop: theme.spacing(1) },
  pager: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'flex-end',
    gap: theme.spacing(1),
    marginTop: theme.spacing(1),
  },
}));

/** What the page gives each of its sections. */
export interface SectionProps {
  /** Changes whenever the sections should reload. */
  refreshKey: number;
  onChanged: OnChanged;
}

/** `orders-db (read, write), prod-eks (read) and 3 more`. */
export function summarizeResources(r: AccessRequest): string {
  return describeResources(r, 3);
}

/** The request's resources as a link to its details page. */
export function RequestLink(props: { request: AccessRequest }) {
  const link = useRequestLink();
  const { request } = props;
  return (
    <Link
      to={link(request.id)}
      title={request.resources
        .map(x => `${x.entityRef} (${x.permissions.join(', ')})`)
        .join('\n')}
    >
      {summarizeResources(request)}
    </Link>
  );
}

/**
 * The loading, error and empty states of one listing; `children` renders the items.
 * A failed refresh keeps the last good items on screen under the error.
 */
export function PagedSection(props: {
  pages: CursorPages<AccessRequest>;
  title: string;
  empty: ReactNode;
  children: (items: AccessRequest[]) => ReactNode;
  /** Show Previous / Next when there is more than one page. */
  pager?: boolean;
}) {
  const { pages, title, empty, children, pager } = props;
  const classes = useStyles();
  const { items, error, loading } = pages;
  if (!items) {
    if (error) {
      return (
        <LoadError
          what={title.toLocaleLowerCase('en-US')}
          error={error}
          onRetry={pages.retry}
        />
      );
    }
    return <Progress aria-label={`Loading ${title}`} />;
  }
  return (
    <>
      {error && (
        <div className={classes.staleError}>
          <ResponseErrorPanel
            title={`Could not refresh ${title.toLocaleLowerCase('en-US')}: ${
              error.message
            }`}
            error={error}
          />
          <Button
            size="small"
            variant="outlined"
            className={classes.retry}
            onClick={pages.retry}
            disabled={loading}
          >
            Try again
          </Button>
        </div>
      )}
      {loading && (
        <LinearProgress
          className={classes.refreshing}
          aria-label={`Refreshing ${title}`}
        />
      )}
      {items.length === 0 ? (
        <Typography variant="body2" color="textSecondary" component="div">
          {pages.page > 1 ? 'No more requests.' : empty}
        </Typography>
      ) : (
        children(items)
      )}
      {pager && (pages.hasPrevious || pages.hasNext) && (
        <nav className={classes.pager} aria-label={`${title} pages`}>
          <Button
            size="small"
            onClick={pages.previous}
            disabled={!pages.hasPrevious || loading}
          >
            Previous
          </Button>
          <Typography variant="body2" aria-live="polite">
            Page {pages.page}
          </Typography>
          <Button
            size="small"
            onClick={pages.next}
            disabled={!pages.hasNext || loading}
          >
            Next
          </Button>
        </nav>
      )}
    </>
  );
}

/**
 * A card with a table of the user's requests, a page at a time: each row starts with the
 * request (its resources, linked, and its flow) and ends with its actions. `title` names
 * the card, the table, its loading and error states and its pager.
 */
export function RequestTableCard(props: {
  title: string;
  /** Which of the user's requests it lists, `pageSize` at a time. */
  status: readonly AccessRequestStatus[];
  pageSize: number;
  refreshKey: number;
  empty: ReactNode;
  /** The headings between the request and the actions. */
  columns: readonly string[];
  /** A row's cells after the request: one per column, then the actions. */
  children: (request: AccessRequest) => ReactNode;
}) {
  const { title, status, pageSize, refreshKey, empty, columns, children } =
    props;
  const pages = useRequestList({ view: 'mine', status, pageSize }, refreshKey);
  return (
    <InfoCard title={title}>
      <PagedSection pages={pages} title={title} pager empty={empty}>
        {items => (
          <Table size="small" aria-label={title}>
            <TableHead>
              <TableRow>
                <TableCell>Request</TableCell>
                {columns.map(column => (
                  <TableCell key={column}>{column}</TableCell>
                ))}
                <TableCell>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {items.map(r => (
                <TableRow key={r.id}>
                  <TableCell>
                    <RequestLink request={r} />
                    <Typography
                      variant="caption"
                      component="div"
                      color="textSecondary"
                    >
                      {r.flowTitle}
                    </Typography>
                  </TableCell>
                  {children(r)}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </PagedSection>
    </InfoCard>
  );
}
