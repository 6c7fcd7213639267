import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import Alert from '@material-ui/lab/Alert';
import { FormEvent, ReactNode, useEffect } from 'react';
import { useAsyncTask } from '../../hooks';
import { DialogDescription, TitledDialog } from '../shared';

/** Props of {@link ActionDialog}. */
export interface ActionDialogProps {
  open: boolean;
  title: string;
  description?: ReactNode;
  children?: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  /** Disables the confirm button (e.g. invalid input). */
  invalid?: boolean;
  destructive?: boolean;
  onClose(): void;
  /** Runs the action; throwing keeps the dialog open with the error. */
  onConfirm(): Promise<void>;
}

/**
 * A confirmation dialog that runs an action: it stays open while the action runs and shows
 * the backend's error message inline, so the user can correct the input and retry.
 */
export function ActionDialog(props: ActionDialogProps) {
  const { open, onClose, onConfirm } = props;
  const { busy, error, run, clearError } = useAsyncTask();

  useEffect(() => {
    if (open) clearError();
  }, [open, clearError]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (busy || props.invalid) return;
    run(async () => {
      await onConfirm();
      onClose();
    });
  };

  return (
    <TitledDialog open={open} title={props.title} busy={busy} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <DialogContent>
          <DialogDescription>{props.description}</DialogDescription>
          {props.children}
          {error && (
            <Alert severity="error" role="alert">
              {error.message}
            </Alert>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose} disabled={busy}>
            {props.cancelLabel ?? 'Close'}
          </Button>
          <Button
            type="submit"
            color={props.destructive ? 'secondary' : 'primary'}
            variant="contained"
            disabled={busy || props.invalid}
            startIcon={busy ? <CircularProgress size={16} /> : undefined}
          >
            {props.confirmLabel}
          </Button>
        </DialogActions>
      </form>
    </TitledDialog>
  );
}
