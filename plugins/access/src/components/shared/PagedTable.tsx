import LinearProgress from '@material-ui/core/LinearProgress';
import Paper from '@material-ui/core/Paper';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableContainer from '@material-ui/core/TableContainer';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { Progress } from '@backstage/core-components';
import { Fragment, ReactElement, ReactNode } from 'react';
import { CursorPager } from './CursorPager';
import { CursorPages } from '../../hooks/useCursorPages';
import { EmptyPageRow } from './EmptyPageRow';
import { LoadError } from './LoadError';

/**
 * A column heading of a {@link PagedTable}: its text, or a whole `TableCell` where the
 * heading needs more (a select-all checkbox, visually hidden text).
 */
export type PagedTableColumn = string | ReactElement;

/** Props of {@link PagedTable}. */
export interface PagedTableProps<T> {
  pages: CursorPages<T>;
  /** What is listed, for the load error: `Could not load <what>`. */
  what: string;
  /** Shown instead of the table when the first page has nothing. */
  empty: ReactNode;
  /** The table's accessible name. */
  label: string;
  /** Names the pager: its navigation is labelled `<pagerLabel> pages`. */
  pagerLabel: string;
  columns: readonly PagedTableColumn[];
  /** Shown above the table on the same paper (bulk actions, say). */
  toolbar?: ReactNode;
  /** The accessible name of the progress bar shown while a page loads. */
  progressLabel?: string;
  /** The rows of the current page. */
  children: (items: T[]) => ReactNode;
}

/**
 * One page of a cursor-paged listing as a table, with its load error, first load,
 * empty state, progress bar while another page loads, and pager. A later page that came
 * back empty (its items were decided or removed meanwhile) keeps the table with a way
 * back to the first page, so the pager stays usable.
 */
export function PagedTable<T>(props: PagedTableProps<T>) {
  const { pages, columns } = props;
  if (pages.error) {
    return (
      <LoadError what={props.what} error={pages.error} onRetry={pages.retry} />
    );
  }
  if (!pages.items) return <Progress />;
  if (pages.items.length === 0 && !pages.hasPrevious) return <>{props.empty}</>;
  return (
    <>
      <Paper>
        {props.toolbar}
        {pages.loading && (
          <LinearProgress aria-label={props.progressLabel ?? 'Refreshing'} />
        )}
        <TableContainer>
          <Table size="small" aria-label={props.label}>
            <TableHead>
              <TableRow>
                {columns.map((column, i) =>
                  typeof column === 'string' ? (
                    <TableCell key={column}>{column}</TableCell>
                  ) : (
                    <Fragment key={i}>{column}</Fragment>
                  ),
                )}
              </TableRow>
            </TableHead>
            <TableBody>
              {pages.items.length === 0 && (
                <EmptyPageRow colSpan={columns.length} onFirst={pages.first} />
              )}
              {props.children(pages.items)}
            </TableBody>
          </Table>
        </TableContainer>
      </Paper>
      <CursorPager label={props.pagerLabel} pages={pages} />
    </>
  );
}
