import Dialog, { DialogProps } from '@material-ui/core/Dialog';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import { ReactNode, useId } from 'react';

/**
 * A full-width dialog named by its title, followed by `children` (its content and
 * actions). While `busy` it does not close on Escape or a click outside, so running work
 * is not left behind.
 */
export function TitledDialog(props: {
  open: boolean;
  title: ReactNode;
  busy?: boolean;
  onClose(): void;
  TransitionProps?: DialogProps['TransitionProps'];
  children: ReactNode;
}) {
  const { open, title, busy, onClose, TransitionProps } = props;
  const titleId = useId();
  return (
    <Dialog
      open={open}
      onClose={busy ? undefined : onClose}
      aria-labelledby={titleId}
      TransitionProps={TransitionProps}
      fullWidth
      maxWidth="sm"
    >
      <DialogTitle id={titleId}>{title}</DialogTitle>
      {props.children}
    </Dialog>
  );
}

/** The text under a dialog's title saying what confirming does; nothing without one. */
export function DialogDescription(props: { children?: ReactNode }) {
  if (!props.children) return null;
  return (
    <DialogContentText component="div">{props.children}</DialogContentText>
  );
}
