import Chip from '@material-ui/core/Chip';
import { makeStyles, Theme } from '@material-ui/core/styles';
import {
  ACCESS_REQUEST_STATUS_LABELS,
  AccessRequestStatus,
} from '@jit-access/plugin-access-common';

const useStyles = makeStyles((theme: Theme) => ({
  granted: {
    backgroundColor: theme.palette.success.main,
    color: theme.palette.success.contrastText,
  },
  pending: {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.warning.contrastText,
  },
  granting: {
    backgroundColor: theme.palette.info.main,
    color: theme.palette.info.contrastText,
  },
  failed: {
    backgroundColor: theme.palette.error.main,
    color: theme.palette.error.contrastText,
  },
  rejected: {
    backgroundColor: theme.palette.error.light,
    color: theme.palette.error.contrastText,
  },
  ended: {},
}));

/** A request's status as users name it (Pending Approval, Active, ...). */
export function StatusChip(props: {
  status: AccessRequestStatus;
  title?: string;
}) {
  const classes = useStyles();
  const { status } = props;
  let className = classes.ended;
  if (status === 'granted') className = classes.granted;
  else if (status === 'pending') className = classes.pending;
  else if (status === 'granting') className = classes.granting;
  else if (status === 'failed') className = classes.failed;
  else if (status === 'rejected') className = classes.rejected;
  return (
    <Chip
      size="small"
      label={ACCESS_REQUEST_STATUS_LABELS[status]}
      className={className}
      title={props.title}
      aria-label={`Status: ${ACCESS_REQUEST_STATUS_LABELS[status]}`}
    />
  );
}
