import IconButton from '@material-ui/core/IconButton';
import Tooltip from '@material-ui/core/Tooltip';
import StarIcon from '@material-ui/icons/Star';
import StarBorderIcon from '@material-ui/icons/StarBorder';
import { AccessRequest } from '@jit-access/plugin-access-common';
import { useState } from 'react';
import { useRequestActions } from '../../hooks';
import { OnChanged } from './ConfirmedAction';
import { can } from './can';

/** Star or unstar a request, when the backend allows it (its requester). */
export function FavoriteAction(props: {
  request: AccessRequest;
  onChanged: OnChanged;
}) {
  const { request, onChanged } = props;
  const actions = useRequestActions();
  const [busy, setBusy] = useState(false);
  if (!can(request, 'favorite')) return null;
  const label = request.favorite ? 'Unstar request' : 'Star request';
  const toggle = async () => {
    setBusy(true);
    const done = await actions.favorite(request, !request.favorite);
    setBusy(false);
    if (done) onChanged();
  };
  return (
    <Tooltip title={label}>
      <span>
        <IconButton
          size="small"
          aria-label={label}
          aria-pressed={request.favorite}
          onClick={toggle}
          disabled={busy}
        >
          {request.favorite ? <StarIcon color="primary" /> : <StarBorderIcon />}
        </IconButton>
      </span>
    </Tooltip>
  );
}
