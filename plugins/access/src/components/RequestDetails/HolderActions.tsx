import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { makeStyles } from '@material-ui/core/styles';
import { AccessRequest } from '@jit-access/plugin-access-common';
import useAsync from 'react-use/esm/useAsync';
import {
  AgainAction,
  CancelAction,
  ExtendAction,
  FavoriteAction,
  RevokeAction,
} from '../requestActions';

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
 * What the requester can do with their own request from its page, as the backend allows
 * (approvers and admins act from their own pages, whose wording is theirs).
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
  // Active access keeps its Extend and Revoke on screen, saying why when they are off.
  const active = r.status === 'granted';
  return (
    <div className={classes.actions} role="group" aria-label="Request actions">
      <CancelAction
        request={r}
        onChanged={onChanged}
        what={active ? 'extension' : 'request'}
      />
      <ExtendAction request={r} onChanged={onChanged} explain={active} />
      <RevokeAction request={r} onChanged={onChanged} explain={active} />
      <AgainAction request={r} onChanged={onChanged} />
      <FavoriteAction request={r} onChanged={onChanged} />
    </div>
  );
}
