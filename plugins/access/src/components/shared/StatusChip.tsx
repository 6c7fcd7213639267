import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';
import { makeStyles, Theme } from '@material-ui/core/styles';
import {
  ACCESS_REQUEST_STATUS_LABELS,
  AccessRequestStatus,
} from '@jit-access/plugin-access-common';
import { useId } from 'react';
import { VisuallyHidden } from './VisuallyHidden';

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

/**
 * A request's status as users name it (Pending Approval, Active, ...). With a `title` (why
 * the request ended, e.g. the rejection reason) the chip is focusable and shows the reason
 * in a tooltip on hover and on keyboard focus; screen readers get it as the chip's
 * description, its name staying `Status: <label>`.
 */
export function StatusChip(props: {
  status: AccessRequestStatus;
  /** Why the request ended (its `endReason`). */
  title?: string;
}) {
  const classes = useStyles();
  const reasonId = useId();
  const { status, title } = props;
  let className = classes.ended;
  if (status === 'granted') className = classes.granted;
  else if (status === 'pending') className = classes.pending;
  else if (status === 'granting') className = classes.granting;
  else if (status === 'failed') className = classes.failed;
  else if (status === 'rejected') className = classes.rejected;
  const label = ACCESS_REQUEST_STATUS_LABELS[status];
  const chip = (
    <Chip
      size="small"
      label={label}
      className={className}
      aria-label={`Status: ${label}`}
      // With a reason: focusable, so keyboard users get the tooltip too, and always
      // described, not only while the tooltip is open.
      tabIndex={title ? 0 : undefined}
      aria-describedby={title ? reasonId : undefined}
    />
  );
  if (!title) return chip;
  return (
    <>
      <Tooltip title={title}>{chip}</Tooltip>
      <VisuallyHidden id={reasonId}>Reason: {title}</VisuallyHidden>
    </>
  );
}
