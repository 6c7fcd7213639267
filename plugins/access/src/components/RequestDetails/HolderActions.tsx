import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { makeStyles } from '@material-ui/core/styles';
import {
  AccessRequest,
  TERMINAL_STATUSES,
} from '@jit-access/plugin-access-common';
import useAsync from 'react-use/esm/useAsync';
import {
  CancelAction,
  ExtendAction,
  RequestAgainAction,
  RevokeAction,
  StarButton,
} from '../MyAccessPage/actions';

const useStyles = makeStyles(theme => ({
  actions: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    marginLeft: 'auto',
  },
}));

/**
 * What the requester can do with their own request from its page (approvers and
 * admins act from their own pages). Nothing for anyone else: the backend would refuse.
 */
export function HolderActions(props: {
  request: AccessRequest;
  onChanged: () => void;
}) {
  const { request: r, onChanged } = props;
  const classes = useStyles();
  const identityApi = useApi(identityApiRef);
  const identity = useAsync(
    () => identityApi.getBackstageIdentity(),
    [identityApi],
  );
  if (identity.value?.userEntityRef !== r.requester) return null;
  return (
    <div className={classes.actions} role="group" aria-label="Request actions">
      {r.status === 'pending' && (
        <CancelAction request={r} onChanged={onChanged} />
      )}
      {r.status === 'granted' && (
        <>
          <ExtendAction request={r} onChanged={onChanged} />
          <RevokeAction request={r} onChanged={onChanged} />
        </>
      )}
      {TERMINAL_STATUSES.includes(r.status) && (
        <RequestAgainAction request={r} onChanged={onChanged} />
      )}
      <StarButton request={r} onChanged={onChanged} />
    </div>
  );
}
