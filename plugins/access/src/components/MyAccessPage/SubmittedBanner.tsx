import { Link } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
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
  listPeople,
  StatusChip,
  useRequestLink,
} from '../shared';

/** Resources named per request before "and N more". */
const RESOURCES_SHOWN = 10;
const useStyles = makeStyles(theme => ({
  banner: { marginBottom: theme.spacing(1) },
  heading: { fontWeight: theme.typography.fontWeightBold as number },
  list: { margin: theme.spacing(1, 0, 0), paddingLeft: theme.spacing(2.5) },
  item: { marginBottom: theme.spacing(1) },
  head: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
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
 * What a submission from New Request was split into (one request per flow and approver
 * set): how many, each one's flow (linking to its page), status and what happens next.
 * Takes the focus when it appears, so keyboard and screen-reader users land on it.
 */
export function SubmittedBanner(props: {
  items: AccessRequest[];
  onDismiss(): void;
  /** New Request's path, when the app binds the route. */
  newRequestLink?: string;
}) {
  const { items, onDismiss, newRequestLink } = props;
  const classes = useStyles();
  const requestLink = useRequestLink();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const count = items.length;

  return (
    <Alert
      severity="success"
      className={classes.banner}
      role="region"
      aria-labelledby="access-submitted-heading"
      onClose={onDismiss}
      closeText="Dismiss"
    >
      <Typography
        variant="subtitle1"
        component="h2"
        id="access-submitted-heading"
        className={classes.heading}
        tabIndex={-1}
        ref={heading}
      >
        Submitted: {count} request{count === 1 ? '' : 's'}
      </Typography>
      {count > 1 && (
        <Typography variant="body2">
          Your submission was split by approval flow and approvers; each part is
          decided on its own.
        </Typography>
      )}
      <ul className={classes.list}>
        {items.map(r => (
          <li
            key={r.id}
            className={classes.item}
            data-testid="submitted-request"
          >
            <div className={classes.head}>
              <Link to={requestLink(r.id)}>{r.flowTitle}</Link>
              <StatusChip status={r.status} />
            </div>
            <Typography variant="body2">
              {describeResources(r, RESOURCES_SHOWN)} ·{' '}
              {formatSeconds(r.durationSeconds)}
            </Typography>
            <Typography variant="body2">{outlook(r)}</Typography>
            {r.checks.map(c => (
              <Typography
                key={`${c.checkId}-${c.at}`}
                variant="body2"
                color={c.outcome === 'passed' ? 'textSecondary' : 'error'}
              >
                Check {c.checkId} {c.outcome}: {c.detail}
              </Typography>
            ))}
          </li>
        ))}
      </ul>
      {newRequestLink && (
        <Typography variant="body2">
          <Link to={newRequestLink}>Make another request</Link>
        </Typography>
      )}
    </Alert>
  );
}
