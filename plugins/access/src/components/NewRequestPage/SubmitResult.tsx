import { Link, LinkButton } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import { makeStyles, Theme } from '@material-ui/core/styles';
import {
  ACCESS_REQUEST_STATUS_LABELS,
  AccessRequest,
} from '@jit-access/plugin-access-common';
import { useEffect, useRef } from 'react';
import {
  approvedBy,
  describeResources,
  formatSeconds,
  formatTime,
  StatusChip,
} from '../shared';
import { listPeople } from './logic';

/** Resources named per request before "and N more". */
const RESOURCES_SHOWN = 10;

const useStyles = makeStyles((theme: Theme) => ({
  request: { padding: theme.spacing(2), marginTop: theme.spacing(2) },
  head: { display: 'flex', alignItems: 'center', gap: theme.spacing(1) },
  actions: {
    display: 'flex',
    gap: theme.spacing(1),
    marginTop: theme.spacing(3),
  },
}));

/** What happens next for one created request, in plain words. */
function outlook(r: AccessRequest): string {
  switch (r.status) {
    case 'granted':
      return r.expiresAt
        ? `Active until ${formatTime(r.expiresAt)}.`
        : 'Active.';
    case 'granting':
      return 'Approved; the access is being granted.';
    case 'pending': {
      if (r.approvalType !== 'manual' || r.approvers.length === 0)
        return 'Waiting for its checks.';
      const left = Math.max(r.requiredApprovals - approvedBy(r).length, 1);
      return `Waiting for ${left} approval${
        left === 1 ? '' : 's'
      } from ${listPeople(r.approvers)}.`;
    }
    default:
      return `${ACCESS_REQUEST_STATUS_LABELS[r.status]}${
        r.endReason ? `: ${r.endReason}` : '.'
      }`;
  }
}

/**
 * The requests a submission was split into (one per flow and approver set), with their
 * status and who approves the pending ones.
 */
export function SubmitResult(props: {
  items: AccessRequest[];
  myAccessLink: string;
  /** Link to one request's page, when that route is available. */
  requestLink?: (id: string) => string | undefined;
  onAnother(): void;
}) {
  const { items, myAccessLink, requestLink, onAnother } = props;
  const classes = useStyles();
  const heading = useRef<HTMLHeadingElement>(null);
  // Move focus to the outcome so keyboard and screen-reader users land on it.
  useEffect(() => heading.current?.focus(), []);

  return (
    <Box component="section" aria-labelledby="new-request-result">
      <Typography
        variant="h5"
        component="h2"
        id="new-request-result"
        tabIndex={-1}
        ref={heading}
      >
        Submitted: {items.length} request{items.length === 1 ? '' : 's'}
      </Typography>
      {items.length > 1 && (
        <Typography variant="body2" color="textSecondary">
          Your submission was split by approval flow and approvers; each part is
          decided on its own.
        </Typography>
      )}
      {items.map(r => {
        const link = requestLink?.(r.id);
        return (
          <Paper
            key={r.id}
            variant="outlined"
            className={classes.request}
            data-testid="submitted-request"
          >
            <div className={classes.head}>
              <Typography variant="subtitle1" component="h3">
                {link ? <Link to={link}>{r.flowTitle}</Link> : r.flowTitle}
              </Typography>
              <StatusChip status={r.status} />
            </div>
            <Typography variant="body2">
              {describeResources(r, RESOURCES_SHOWN)} ·{' '}
              {formatSeconds(r.durationSeconds)}
            </Typography>
            <Typography variant="body1">{outlook(r)}</Typography>
            {r.checks.map(c => (
              <Typography
                key={`${c.checkId}-${c.at}`}
                variant="body2"
                color={c.outcome === 'passed' ? 'textSecondary' : 'error'}
              >
                Check {c.checkId} {c.outcome}: {c.detail}
              </Typography>
            ))}
          </Paper>
        );
      })}
      <div className={classes.actions}>
        <LinkButton to={myAccessLink} variant="contained" color="primary">
          Go to My Access
        </LinkButton>
        <Button variant="outlined" onClick={onAnother}>
          Make another request
        </Button>
      </div>
    </Box>
  );
}
