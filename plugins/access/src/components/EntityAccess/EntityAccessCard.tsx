import { AccessDetails } from '../shared/AccessDetails';
import { useCallback, useEffect, useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Divider from '@material-ui/core/Divider';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import LockOpenIcon from '@material-ui/icons/LockOpen';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard, Progress } from '@backstage/core-components';
import { EntityRefLink, useEntity } from '@backstage/plugin-catalog-react';
import { AccessRequest } from '@jit-access/plugin-access-common';
import { useEntityAccess, useLiveRefresh } from '../../hooks';
import {
  ExpiryCountdown,
  LoadError,
  permissionsOn,
  StatusChip,
  shortRef,
} from '../shared';
import { rememberCoverage } from '../../coverage';
import { RequestAccessDialog } from './RequestAccessDialog';
import { RequestDetailsLink } from './RequestDetailsLink';

const useStyles = makeStyles(theme => ({
  section: { marginBottom: theme.spacing(2) },
  details: {
    margin: theme.spacing(1, 0, 0),
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.5),
    '& dt': { color: theme.palette.text.secondary },
    '& dd': {
      margin: 0,
      fontFamily: 'monospace',
      wordBreak: 'break-all',
    },
  },
}));

/** One of the caller's own requests on the entity. */
function MyRequest(props: { request: AccessRequest; entityRef: string }) {
  const { request, entityRef } = props;
  const classes = useStyles();
  return (
    <Box className={classes.section}>
      <Box display="flex" alignItems="center" flexWrap="wrap">
        <Box mr={1}>
          <StatusChip status={request.status} />
        </Box>
        <Typography variant="body2" component="span">
          <strong>{permissionsOn(request, entityRef)}</strong>
          {request.status === 'granted' && request.expiresAt && (
            <>
              {' · ends in '}
              <ExpiryCountdown expiresAt={request.expiresAt} />
            </>
          )}
          {' · '}
          <RequestDetailsLink id={request.id} />
        </Typography>
      </Box>
      {request.status === 'pending' && (
        <Typography variant="body2" color="textSecondary">
          {request.approvers.length
            ? `Waiting for approval from ${request.approvers
                .map(shortRef)
                .join(', ')}`
            : 'Waiting for approval'}
        </Typography>
      )}
      {request.status === 'granting' && (
        <Typography variant="body2" color="textSecondary">
          Approved; the access is being granted.
        </Typography>
      )}
      {request.accessDetails && (
        // The same masked, copyable view as My Access: secrets stay hidden until revealed.
        <AccessDetails details={request.accessDetails} title="How to connect" />
      )}
    </Box>
  );
}

function Holders(props: { holders: AccessRequest[]; entityRef: string }) {
  const { holders, entityRef } = props;
  if (!holders.length) {
    return (
      <Typography variant="body2" color="textSecondary">
        Nobody holds access right now.
      </Typography>
    );
  }
  return (
    <List dense disablePadding aria-label="Who holds access now">
      {holders.map(h => (
        <ListItem key={h.id} disableGutters>
          <ListItemText
            primary={<EntityRefLink entityRef={h.requester} hideIcon />}
            secondary={
              <>
                {permissionsOn(h, entityRef)}
                {h.expiresAt && (
                  <>
                    {' · '}
                    <ExpiryCountdown expiresAt={h.expiresAt} /> left
                  </>
                )}
              </>
            }
            secondaryTypographyProps={{ component: 'div' }}
          />
        </ListItem>
      ))}
    </List>
  );
}

/**
 * The entity page card: the signed-in user's access to this entity (with time left and
 * how to connect), a "Request access" dialog, and for owners and admins who holds access
 * now. Renders nothing for entities no access flow covers.
 *
 * @public
 */
export function EntityAccessCard() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const [dialogOpen, setDialogOpen] = useState(false);
  // Remount the dialog each time it opens, so it starts from a clean form.
  const [dialogKey, setDialogKey] = useState(0);

  const { value, error, loading, retry } = useEntityAccess(entityRef);
  useEffect(() => {
    if (value) rememberCoverage(value.entityRef || entityRef, value.covered);
  }, [value, entityRef]);
  const refresh = useCallback(() => retry(), [retry]);
  useLiveRefresh(refresh);

  if (!value && loading) {
    return (
      <InfoCard title="Access">
        <Progress />
      </InfoCard>
    );
  }
  if (!value && error) {
    return (
      <InfoCard title="Access">
        <LoadError what="access" error={error} onRetry={refresh} />
      </InfoCard>
    );
  }
  if (!value || !value.covered) return null;

  const active = value.mine.filter(r =>
    ['granted', 'granting', 'pending'].includes(r.status),
  );
  return (
    <InfoCard title="Access">
      <Typography variant="subtitle2" component="h3" gutterBottom>
        Your access
      </Typography>
      {active.length === 0 && (
        <Typography variant="body2" color="textSecondary" paragraph>
          You have no access to {shortRef(entityRef)}.
        </Typography>
      )}
      {active.map(r => (
        <MyRequest key={r.id} request={r} entityRef={entityRef} />
      ))}
      {value.permissions.length > 0 ? (
        <Button
          variant="contained"
          color="primary"
          startIcon={<LockOpenIcon />}
          onClick={() => {
            setDialogKey(k => k + 1);
            setDialogOpen(true);
          }}
        >
          Request access
        </Button>
      ) : (
        <Typography variant="body2" color="textSecondary">
          No access flow lets you request access to this entity.
        </Typography>
      )}
      {error && (
        // A refresh failed: keep showing what we had, say it may be stale.
        <Box mt={1}>
          <Typography variant="caption" color="error" role="status">
            Could not refresh: {error.message}
          </Typography>{' '}
          <Button size="small" onClick={refresh} disabled={loading}>
            Try again
          </Button>
        </Box>
      )}
      {value.canSeeHolders && (
        <>
          <Box my={2}>
            <Divider />
          </Box>
          <Typography variant="subtitle2" component="h3" gutterBottom>
            Who holds access now
          </Typography>
          <Holders holders={value.holders ?? []} entityRef={entityRef} />
        </>
      )}
      {dialogOpen && (
        <RequestAccessDialog
          key={dialogKey}
          open
          entityRef={entityRef}
          offers={value.permissions}
          onClose={() => setDialogOpen(false)}
          onSubmitted={refresh}
        />
      )}
    </InfoCard>
  );
}
