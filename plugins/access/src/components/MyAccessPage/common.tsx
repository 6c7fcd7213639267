import { Link, Progress, ResponseErrorPanel } from '@backstage/core-components';
import Button from '@material-ui/core/Button';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { AccessRequest } from '@jit-access/plugin-access-common';
import { ReactNode } from 'react';
import { shortRef } from '../shared';
import { useRequestLink } from '../RequestDetails/useRequestLink';
import { RequestPages } from './useRequestPages';

const useStyles = makeStyles(theme => ({
  refreshing: { marginBottom: theme.spacing(1) },
  staleError: { marginBottom: theme.spacing(2) },
  visuallyHidden: {
    position: 'absolute',
    width: 1,
    height: 1,
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
  },
  pager: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'flex-end',
    gap: theme.spacing(1),
    marginTop: theme.spacing(1),
  },
}));

/** Text only screen readers get (e.g. the header of an actions column). */
export function VisuallyHidden(props: { children: ReactNode; id?: string }) {
  const classes = useStyles();
  return (
    <span id={props.id} className={classes.visuallyHidden}>
      {props.children}
    </span>
  );
}

/** `orders-db (read, write), prod-eks (read) and 3 more`. */
export function summarizeResources(r: AccessRequest, max = 3): string {
  const shown = r.resources
    .slice(0, max)
    .map(x => `${shortRef(x.entityRef)} (${x.permissions.join(', ')})`)
    .join(', ');
  const more = r.resources.length - max;
  return more > 0 ? `${shown} and ${more} more` : shown;
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
  pages: RequestPages;
  title: string;
  empty: ReactNode;
  children: (items: AccessRequest[]) => ReactNode;
  /** Show Previous / Next when there is more than one page. */
  pager?: boolean;
}) {
  const { pages, title, empty, children, pager } = props;
  const classes = useStyles();
  const { page, error, loading } = pages;
  if (!page) {
    if (error) {
      return (
        <ResponseErrorPanel
          title={`Could not load ${title.toLocaleLowerCase('en-US')}: ${
            error.message
          }`}
          error={error}
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
        </div>
      )}
      {loading && (
        <LinearProgress
          className={classes.refreshing}
          aria-label={`Refreshing ${title}`}
        />
      )}
      {page.items.length === 0 ? (
        <Typography variant="body2" color="textSecondary" component="div">
          {pages.pageIndex > 0 ? 'No more requests.' : empty}
        </Typography>
      ) : (
        children(page.items)
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
            Page {pages.pageIndex + 1}
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
