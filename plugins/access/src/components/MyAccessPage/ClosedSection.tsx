import TableCell from '@material-ui/core/TableCell';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  AccessRequest,
  TERMINAL_STATUSES,
} from '@jit-access/plugin-access-common';
import { RelativeTime, StatusChip } from '../shared';
import { AgainAction, FavoriteAction } from '../requestActions';
import { RequestTableCard, SectionProps } from './common';

/** Page size of the closed requests; the backend pages, we never load everything. */
export const CLOSED_PAGE_SIZE = 20;

const useStyles = makeStyles(theme => ({
  reason: {
    display: 'block',
    maxWidth: 360,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
    marginTop: theme.spacing(0.5),
  },
  actions: { whiteSpace: 'nowrap' },
}));

/**
 * A closed request's status, with the reason it ended: cut to one line, in full in the
 * status chip's tooltip (on hover, and on keyboard focus: the chip is focusable) and in
 * its accessible description.
 */
export function EndedStatus(props: { request: AccessRequest }) {
  const { request: r } = props;
  const classes = useStyles();
  return (
    <>
      <StatusChip status={r.status} title={r.endReason} />
      {r.endReason && (
        <Typography
          variant="caption"
          color="textSecondary"
          className={classes.reason}
          title={r.endReason}
        >
          {r.endReason}
        </Typography>
      )}
    </>
  );
}

/** Ended requests, a page at a time. */
export function ClosedSection(props: SectionProps) {
  const { refreshKey, onChanged } = props;
  const classes = useStyles();
  return (
    <RequestTableCard
      title="Closed requests"
      status={TERMINAL_STATUSES}
      pageSize={CLOSED_PAGE_SIZE}
      refreshKey={refreshKey}
      empty="No closed requests yet."
      columns={['Status', 'Ended']}
    >
      {r => {
        const ended = r.endedAt ?? r.updatedAt;
        return (
          <>
            <TableCell>
              <EndedStatus request={r} />
            </TableCell>
            <TableCell>
              <RelativeTime at={ended} />
            </TableCell>
            <TableCell align="right" className={classes.actions}>
              <AgainAction request={r} onChanged={onChanged} />
              <FavoriteAction request={r} onChanged={onChanged} />
            </TableCell>
          </>
        );
      }}
    </RequestTableCard>
  );
}
