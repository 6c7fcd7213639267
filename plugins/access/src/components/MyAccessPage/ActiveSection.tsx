import { InfoCard, LinkButton } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import {
  AccessRequest,
  AccessRequestStatus,
} from '@jit-access/plugin-access-common';
import { useRequestList } from '../../hooks';
import {
  BreakGlassChip,
  ExpiryCountdown,
  formatSeconds,
  isBeingRevoked,
  relativeTime,
} from '../shared';
import { AccessDetails } from '../shared/AccessDetails';
import {
  CancelAction,
  ExtendAction,
  FavoriteAction,
  OnChanged,
  RevokeAction,
} from '../requestActions';
import { PagedSection, RequestLink, SectionProps } from './common';

const ACTIVE: readonly AccessRequestStatus[] = ['granted'];
const PAGE_SIZE = 50;

const useStyles = makeStyles(theme => ({
  list: {
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(2),
    listStyle: 'none',
    margin: 0,
    padding: 0,
  },
  grant: { padding: theme.spacing(2) },
  head: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
  },
  title: { flex: 1, minWidth: 200 },
  countdown: {
    display: 'flex',
    alignItems: 'baseline',
    gap: theme.spacing(0.5),
  },
  actions: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    marginTop: theme.spacing(1),
  },
  block: { marginTop: theme.spacing(1.5) },
}));

function ActiveGrant(props: { request: AccessRequest; onChanged: OnChanged }) {
  const { request: r, onChanged } = props;
  const classes = useStyles();
  const revoking = isBeingRevoked(r);
  return (
    <Paper
      variant="outlined"
      className={classes.grant}
      component="li"
      aria-label={`Active access ${r.id}`}
    >
      <div className={classes.head}>
        <Typography
          variant="subtitle1"
          component="h3"
          className={classes.title}
        >
          <RequestLink request={r} />
        </Typography>
        {r.breakGlass && (
          <BreakGlassChip title="Emergency access: it will be reviewed" />
        )}
        {r.expiresAt && (
          <span className={classes.countdown}>
            <Typography variant="body2" color="textSecondary" component="span">
              {revoking ? 'Ending' : 'Ends in'}
            </Typography>
            <ExpiryCountdown expiresAt={r.expiresAt} />
          </span>
        )}
      </div>
      <Typography variant="body2" color="textSecondary">
        {r.flowTitle}
        {r.grantedAt && ` · granted ${relativeTime(r.grantedAt)}`}
        {` · extensions used ${r.extensionsUsed} of ${r.extensionsAllowed}`}
      </Typography>

      {revoking && (
        <Alert severity="warning" className={classes.block}>
          Being revoked: {r.ending?.reason}
        </Alert>
      )}
      {r.lastError && (
        <Alert severity="error" className={classes.block}>
          The provisioner could not revoke this access yet; it keeps retrying.{' '}
          {r.lastError}
        </Alert>
      )}
      {r.awaiting === 'extension' && r.extension && (
        <Alert
          severity="info"
          className={classes.block}
          action={
            <CancelAction request={r} onChanged={onChanged} what="extension" />
          }
        >
          Extension of {formatSeconds(r.extension.durationSeconds)} waiting for
          approval
        </Alert>
      )}
      {r.accessDetails && Object.keys(r.accessDetails).length > 0 && (
        <Box className={classes.block}>
          <AccessDetails details={r.accessDetails} />
        </Box>
      )}
      {r.accessDetailsError && (
        <Alert severity="warning" className={classes.block}>
          {r.accessDetailsError}
        </Alert>
      )}

      <div className={classes.actions}>
        {/* Shown even when unavailable, saying why (e.g. an extension is pending). */}
        <ExtendAction request={r} onChanged={onChanged} explain />
        <RevokeAction request={r} onChanged={onChanged} explain />
        <FavoriteAction request={r} onChanged={onChanged} />
      </div>
    </Paper>
  );
}

/** The grants the user holds now, with their countdowns and actions. */
export function ActiveSection(
  props: SectionProps & { newRequestLink?: string },
) {
  const { refreshKey, onChanged, newRequestLink } = props;
  const classes = useStyles();
  const pages = useRequestList(
    { view: 'mine', status: ACTIVE, pageSize: PAGE_SIZE },
    refreshKey,
  );
  return (
    <InfoCard title="Active access">
      <PagedSection
        pages={pages}
        title="Active access"
        pager
        empty={
          <Box display="flex" alignItems="center" flexWrap="wrap" gridGap={16}>
            <span>You hold no access right now.</span>
            {newRequestLink && (
              <LinkButton
                to={newRequestLink}
                variant="outlined"
                color="primary"
              >
                New request
              </LinkButton>
            )}
          </Box>
        }
      >
        {items => (
          <ul className={classes.list} aria-label="Active access">
            {items.map(r => (
              <ActiveGrant key={r.id} request={r} onChanged={onChanged} />
            ))}
          </ul>
        )}
      </PagedSection>
    </InfoCard>
  );
}
