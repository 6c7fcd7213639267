import TableCell from '@material-ui/core/TableCell';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import CheckCircleIcon from '@material-ui/icons/CheckCircle';
import ErrorIcon from '@material-ui/icons/Error';
import HighlightOffIcon from '@material-ui/icons/HighlightOff';
import {
  AccessCheckResult,
  AccessRequest,
  AccessRequestStatus,
} from '@jit-access/plugin-access-common';
import {
  approvedBy,
  CheckChip,
  formatRemaining,
  formatTime,
  missingApprovals,
  remainingApprovers,
  shortRef,
  StatusChip,
} from '../shared';
import { CancelAction } from '../requestActions';
import { RequestTableCard, SectionProps } from './common';

const OPEN: readonly AccessRequestStatus[] = ['pending', 'granting'];
const PAGE_SIZE = 50;
/** Approver names shown before "and N more". */
const MAX_NAMES = 5;

const useStyles = makeStyles(theme => ({
  checks: { display: 'flex', flexWrap: 'wrap', gap: theme.spacing(0.5) },
  passed: { color: theme.palette.success.main },
  failed: { color: theme.palette.error.main },
  error: { color: theme.palette.warning.main },
}));

function names(refs: string[]): string {
  const shown = refs.slice(0, MAX_NAMES).map(shortRef).join(', ');
  return refs.length > MAX_NAMES
    ? `${shown} and ${refs.length - MAX_NAMES} more`
    : shown;
}

/** Who still has to approve, in words. */
export function approvalSummary(r: AccessRequest): string {
  if (r.status === 'granting') return 'Approved; being granted';
  const approved = approvedBy(r);
  const missing = missingApprovals(r);
  if (r.requiredApprovals === 0 || missing === 0) return 'Waiting for checks';
  const remaining = remainingApprovers(r);
  let text = `${missing} more approval${missing === 1 ? '' : 's'} needed`;
  if (remaining.length) text += ` from ${names(remaining)}`;
  if (approved.length) text += `; approved by ${names(approved)}`;
  return text;
}

/** A check's chip with an icon for its outcome. */
function OutcomeCheckChip(props: { check: AccessCheckResult }) {
  const { check } = props;
  const classes = useStyles();
  const icons: Record<AccessCheckResult['outcome'], JSX.Element> = {
    passed: <CheckCircleIcon className={classes.passed} />,
    failed: <HighlightOffIcon className={classes.failed} />,
    error: <ErrorIcon className={classes.error} />,
  };
  return <CheckChip check={check} icon={icons[check.outcome]} />;
}

/** Requests waiting for approval or being granted. */
export function OpenSection(props: SectionProps) {
  const { refreshKey, onChanged } = props;
  const classes = useStyles();
  return (
    <RequestTableCard
      title="Open requests"
      status={OPEN}
      pageSize={PAGE_SIZE}
      refreshKey={refreshKey}
      empty="No requests are waiting."
      columns={['Status', 'Approvals', 'Checks', 'Waiting']}
    >
      {r => (
        <>
          <TableCell>
            <StatusChip status={r.status} />
          </TableCell>
          <TableCell>
            <Typography variant="body2">{approvalSummary(r)}</Typography>
          </TableCell>
          <TableCell>
            {r.checks.length ? (
              <div className={classes.checks}>
                {r.checks.map((c, i) => (
                  <OutcomeCheckChip key={`${c.checkId}-${i}`} check={c} />
                ))}
              </div>
            ) : (
              <Typography variant="body2" color="textSecondary">
                none
              </Typography>
            )}
          </TableCell>
          <TableCell>
            <Typography
              variant="body2"
              title={`Submitted ${formatTime(r.createdAt)}`}
            >
              {formatRemaining(
                Math.max(1000, Date.now() - Date.parse(r.createdAt)),
              )}
            </Typography>
          </TableCell>
          <TableCell align="right">
            {/* Shown even when unavailable, saying why (e.g. being granted). */}
            <CancelAction request={r} onChanged={onChanged} explain />
          </TableCell>
        </>
      )}
    </RequestTableCard>
  );
}
