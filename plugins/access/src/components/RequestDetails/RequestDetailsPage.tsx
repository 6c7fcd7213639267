import {
  EmptyState,
  InfoCard,
  Link,
  Progress,
} from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { createStyles, makeStyles, Theme } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import { AccessRequest } from '@jit-access/plugin-access-common';
import { ReactNode } from 'react';
import { useParams } from 'react-router-dom';
import { useRequest, useLiveRefresh } from '../../hooks';
import {
  approvedBy,
  BreakGlassChip,
  errorStatus,
  ExpiryCountdown,
  formatSeconds,
  formatTime,
  isBeingRevoked,
  LoadError,
  StatusChip,
  useRequestLink,
} from '../shared';
import { AccessDetails } from '../shared/AccessDetails';
import { ActorName } from './ActorName';
import { HolderActions } from './HolderActions';
import { RequestTimeline } from './RequestTimeline';

const useStyles = makeStyles((theme: Theme) =>
  createStyles({
    list: {
      display: 'grid',
      gridTemplateColumns: 'minmax(120px, max-content) 1fr',
      columnGap: theme.spacing(3),
      rowGap: theme.spacing(1.5),
      margin: 0,
    },
    term: {
      color: theme.palette.text.secondary,
      fontWeight: 500,
    },
    value: { margin: 0, overflowWrap: 'anywhere' },
    resources: { margin: 0, paddingLeft: theme.spacing(2) },
    permission: { marginLeft: theme.spacing(0.5) },
    justification: { whiteSpace: 'pre-wrap' },
    header: {
      display: 'flex',
      alignItems: 'center',
      flexWrap: 'wrap',
      gap: theme.spacing(1),
      marginBottom: theme.spacing(2),
    },
    alert: { marginBottom: theme.spacing(2) },
  }),
);

/** The request's fields, as a description list. */
export function RequestFacts(props: { request: AccessRequest }) {
  const { request: r } = props;
  const classes = useStyles();
  const link = useRequestLink();
  const rows: [string, ReactNode][] = [
    [
      'Status',
      <>
        <StatusChip status={r.status} />
        {r.endReason && (
          <Typography variant="body2" color="textSecondary">
            {r.endReason}
          </Typography>
        )}
      </>,
    ],
    [
      'Resources',
      <ul className={classes.resources}>
        {r.resources.map(x => (
          <li key={x.entityRef}>
            <EntityRefLink entityRef={x.entityRef} />
            {x.permissions.map(p => (
              <Chip
                key={p}
                size="small"
                label={p}
                className={classes.permission}
              />
            ))}
          </li>
        ))}
      </ul>,
    ],
    [
      'Flow',
      <>
        {r.flowTitle}{' '}
        <Typography variant="caption" color="textSecondary" component="span">
          ({r.flowId}, {r.approvalType})
        </Typography>
        {r.breakGlass && <BreakGlassChip className={classes.permission} />}
      </>,
    ],
    ['Requester', <ActorName actor={r.requester} />],
  ];
  if (r.createdBy !== r.requester) {
    rows.push(['Submitted by', <ActorName actor={r.createdBy} />]);
  }
  rows.push(
    [
      'Justification',
      r.justification ? (
        <span className={classes.justification}>{r.justification}</span>
      ) : (
        <Typography variant="body2" color="textSecondary" component="span">
          none given
        </Typography>
      ),
    ],
    ['Duration', formatSeconds(r.durationSeconds)],
  );
  if (r.requiredApprovals > 0) {
    rows.push([
      'Approvals',
      `${approvedBy(r).length} of ${r.requiredApprovals} required`,
    ]);
  }
  if (r.approvers.length) {
    rows.push([
      r.breakGlass ? 'Reviewers' : 'Approvers',
      <>
        {r.approvers.map((a, i) => (
          <span key={a}>
            {i > 0 && ', '}
            <ActorName actor={a} />
          </span>
        ))}
      </>,
    ]);
  }
  rows.push(['Submitted', formatTime(r.createdAt)]);
  if (r.grantedAt) rows.push(['Granted', formatTime(r.grantedAt)]);
  if (r.expiresAt) {
    rows.push([
      r.status === 'granted' ? 'Ends' : 'Was to end',
      <>
        {formatTime(r.expiresAt)}
        {r.status === 'granted' && (
          <>
            {' '}
            (in <ExpiryCountdown expiresAt={r.expiresAt} />)
          </>
        )}
      </>,
    ]);
  }
  if (r.endedAt) rows.push(['Ended', formatTime(r.endedAt)]);
  if (r.extensionsAllowed > 0 || r.extensionsUsed > 0) {
    rows.push([
      'Extensions',
      `${r.extensionsUsed} of ${r.extensionsAllowed} used`,
    ]);
  }
  if (r.againOf) {
    rows.push([
      'Requested again from',
      <Link to={link(r.againOf)}>an earlier request</Link>,
    ]);
  }
  return (
    <dl className={classes.list}>
      {rows.map(([term, value]) => (
        <div key={term} style={{ display: 'contents' }}>
          <dt className={classes.term}>{term}</dt>
          <dd className={classes.value}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Loads one request and shows its details and timeline. */
export function RequestDetailsContent(props: { id: string }) {
  const { id } = props;
  const classes = useStyles();
  const { value, loading, error, reload } = useRequest(id);
  useLiveRefresh(reload);

  if (!value && loading) return <Progress aria-label="Loading the request" />;
  if (!value && error) {
    const status = errorStatus(error);
    if (status === 404 || status === 400) {
      return (
        <EmptyState
          missing="info"
          title="No such request"
          description={
            status === 400
              ? `"${id}" is not a request id.`
              : `There is no access request with id ${id}. It may have been mistyped.`
          }
        />
      );
    }
    if (status === 403) {
      return (
        <EmptyState
          missing="info"
          title="You may not see this request"
          description="Only its requester, whoever submitted it, its approvers and access admins can see an access request."
        />
      );
    }
    return <LoadError what="the request" error={error} onRetry={reload} />;
  }
  if (!value) return null;

  const r = value;
  return (
    <>
      <div className={classes.header}>
        <Typography variant="h5" component="h2">
          Access request
        </Typography>
        <StatusChip status={r.status} />
        <HolderActions request={r} onChanged={reload} />
      </div>
      {error && (
        <Alert
          severity="warning"
          className={classes.alert}
          action={
            <Button
              color="inherit"
              size="small"
              onClick={reload}
              disabled={loading}
            >
              Try again
            </Button>
          }
        >
          Could not refresh the request: {error.message}
        </Alert>
      )}
      {isBeingRevoked(r) && (
        <Alert severity="warning" className={classes.alert}>
          Being revoked: {r.ending?.reason}
        </Alert>
      )}
      {r.lastError && (
        <Alert severity="error" className={classes.alert}>
          {r.status === 'failed'
            ? 'The provisioner could not grant this access: '
            : 'The provisioner could not revoke this access yet; it keeps retrying: '}
          {r.lastError}
        </Alert>
      )}
      <Grid container spacing={3}>
        <Grid item xs={12} md={6}>
          <InfoCard title="Details">
            <RequestFacts request={r} />
          </InfoCard>
          {r.accessDetails && Object.keys(r.accessDetails).length > 0 && (
            <Box mt={3}>
              <InfoCard title="Access details">
                <AccessDetails
                  details={r.accessDetails}
                  title="How to connect"
                />
              </InfoCard>
            </Box>
          )}
          {r.accessDetailsError && (
            <Box mt={3}>
              <Alert severity="warning">{r.accessDetailsError}</Alert>
            </Box>
          )}
        </Grid>
        <Grid item xs={12} md={6}>
          <InfoCard title="Timeline">
            <RequestTimeline request={r} />
          </InfoCard>
        </Grid>
      </Grid>
    </>
  );
}

/**
 * One access request (`/access/requests/:id`, where notifications link): status,
 * resources, flow, people, justification, times and its timeline.
 * @public
 */
export function RequestDetailsPage() {
  const { id } = useParams<{ id: string }>();
  if (!id) {
    return (
      <EmptyState
        missing="info"
        title="No such request"
        description="The address names no request."
      />
    );
  }
  return <RequestDetailsContent id={id} />;
}
