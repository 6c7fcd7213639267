import Button from '@material-ui/core/Button';
import { makeStyles } from '@material-ui/core/styles';
import Tooltip from '@material-ui/core/Tooltip';
import { ReactNode, useId } from 'react';
import { VisuallyHidden } from '../shared';

const useStyles = makeStyles(theme => ({
  unavailable: {
    color: theme.palette.action.disabled,
    cursor: 'default',
    '&:hover': { backgroundColor: 'transparent' },
  },
}));

/**
 * A button that, when unavailable, says why on hover and on keyboard focus. It stays
 * focusable (aria-disabled rather than disabled), since disabled buttons get neither.
 */
export function ExplainedButton(props: {
  disabledReason?: string;
  onClick(): void;
  children: ReactNode;
}) {
  const { disabledReason } = props;
  const classes = useStyles();
  const reasonId = useId();
  if (!disabledReason) {
    return (
      <Button size="small" onClick={props.onClick}>
        {props.children}
      </Button>
    );
  }
  return (
    <>
      <Tooltip title={disabledReason}>
        <Button
          size="small"
          aria-disabled
          aria-describedby={reasonId}
          className={classes.unavailable}
          disableRipple
        >
          {props.children}
        </Button>
      </Tooltip>
      <VisuallyHidden id={reasonId}>{disabledReason}</VisuallyHidden>
    </>
  );
}
