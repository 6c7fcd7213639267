import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import { ReactNode, useEffect, useRef, useState } from 'react';
import {
  DialogDescription,
  errorMessage,
  errorStatus,
  TitledDialog,
} from '../shared';
import { MAX_TEXT_LENGTH } from '@jit-access/plugin-access-common';

/** One thing the dialog acts on. */
export interface ActionItem {
  id: string;
  /** How the item is named in the dialog and in its results. */
  label: string;
}

/** What `perform` may say about an item it acted on, when the default wording would mislead. */
export interface ActionResult {
  severity: 'success' | 'warning';
  message: string;
}

/** What happened to one item. */
export interface ActionOutcome {
  item: ActionItem;
  severity: 'success' | 'warning' | 'error';
  message: string;
}

/** Props of {@link BatchActionDialog}. */
export interface BatchActionDialogProps {
  open: boolean;
  title: string;
  description?: ReactNode;
  items: ActionItem[];
  /** Label of the text field, e.g. `Comment (optional)` or `Reason`. */
  fieldLabel: string;
  /** When true the confirm button stays disabled until some non-blank text is typed. */
  textRequired: boolean;
  helperText?: string;
  confirmLabel: string;
  /** Past tense for results, e.g. `Approved`. */
  doneLabel: string;
  destructive?: boolean;
  /**
   * Runs the action on one item; throws with the backend's message when it fails. May
   * return a result, e.g. a warning when the call succeeded but the provisioner did not.
   */
  perform: (
    id: string,
    text: string | undefined,
  ) => Promise<ActionResult | undefined>;
  /** `changed`: at least one item was acted on, so lists should reload. */
  onClose: (changed: boolean) => void;
}

function failureMessage(e: unknown): string {
  const message = errorMessage(e);
  // 409: someone else decided first or the request moved on; say so plainly.
  return errorStatus(e) === 409
    ? `Already decided or changed meanwhile: ${message}`
    : message;
}

/**
 * Confirms an action on one or several requests with a comment or reason, then runs it
 * on each item one by one. A failure never stops the others; each item's outcome is
 * listed, and a single item that succeeded simply closes the dialog.
 */
export function BatchActionDialog(props: BatchActionDialogProps) {
  const alertApi = useApi(alertApiRef);
  const [text, setText] = useState('');
  const [running, setRunning] = useState(false);
  const [progress, setProgress] = useState(0);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const [outcomes, setOutcomes] = useState<ActionOutcome[] | undefined>();
  const { open, items } = props;

  useEffect(() => {
    if (open) {
      setText('');
      setOutcomes(undefined);
      setProgress(0);
    }
  }, [open]);

  const trimmed = text.trim();
  const canConfirm =
    !running && items.length > 0 && (!props.textRequired || trimmed !== '');
  const finished = outcomes !== undefined && items.length > 1;

  const run = async () => {
    setRunning(true);
    setOutcomes(undefined);
    const results: ActionOutcome[] = [];
    for (const item of items) {
      try {
        const result = await props.perform(item.id, trimmed || undefined);
        results.push({
          item,
          severity: result?.severity ?? 'success',
          message: result?.message ?? props.doneLabel,
        });
      } catch (e) {
        results.push({ item, severity: 'error', message: failureMessage(e) });
      }
      setProgress(results.length);
    }
    setRunning(false);
    const succeeded = results.filter(r => r.severity !== 'error').length;
    if (items.length === 1) {
      const [only] = results;
      if (only.severity !== 'error') {
        alertApi.post({
          message: `${only.message}: ${items[0].label}`,
          severity: only.severity,
          display: only.severity === 'success' ? 'transient' : 'permanent',
        });
        props.onClose(true);
        return;
      }
      // Keep the dialog (and the typed text) so the person can read why and retry.
      setOutcomes(results);
      return;
    }
    setOutcomes(results);
    alertApi.post({
      message:
        succeeded === results.length
          ? `${props.doneLabel} ${succeeded} of ${results.length}`
          : `${props.doneLabel} ${succeeded} of ${results.length}; ${
              results.length - succeeded
            } failed (see the list)`,
      severity: results.every(r => r.severity === 'success')
        ? 'success'
        : 'warning',
      display: 'transient',
    });
  };

  // Even failures (409: someone else decided) mean the list on screen is out of date.
  const changed = outcomes !== undefined;
  const close = () => {
    if (!running) props.onClose(changed);
  };

  return (
    <TitledDialog
      open={open}
      title={props.title}
      onClose={close}
      // Typing the comment or reason is the first thing to do: focus the field once shown.
      TransitionProps={{ onEntered: () => inputRef.current?.focus() }}
    >
      <DialogContent>
        <DialogDescription>{props.description}</DialogDescription>
        {finished ? (
          <List dense aria-label="Results">
            {outcomes!.map(o => (
              <ListItem key={o.item.id} disableGutters>
                <Alert severity={o.severity} style={{ width: '100%' }}>
                  <strong>{o.item.label}</strong>: {o.message}
                </Alert>
              </ListItem>
            ))}
          </List>
        ) : (
          <>
            {items.length > 1 && (
              <List dense aria-label="Selected requests">
                {items.map(i => (
                  <ListItem key={i.id} disableGutters>
                    <ListItemText primary={i.label} />
                  </ListItem>
                ))}
              </List>
            )}
            <TextField
              id="access-action-dialog-text"
              inputRef={inputRef}
              fullWidth
              multiline
              minRows={2}
              variant="outlined"
              margin="dense"
              label={props.fieldLabel}
              required={props.textRequired}
              helperText={props.helperText}
              value={text}
              disabled={running}
              onChange={e => setText(e.target.value)}
              inputProps={{ maxLength: MAX_TEXT_LENGTH }}
            />
            {outcomes?.map(o =>
              o.severity !== 'error' ? null : (
                <Alert key={o.item.id} severity="error" role="alert">
                  {o.message}
                </Alert>
              ),
            )}
          </>
        )}
      </DialogContent>
      <DialogActions>
        {running && (
          <CircularProgress
            size={20}
            aria-label={`Working: ${progress} of ${items.length} done`}
          />
        )}
        {finished ? (
          <Button onClick={close} color="primary" variant="contained">
            Close
          </Button>
        ) : (
          <>
            <Button onClick={close} disabled={running}>
              Cancel
            </Button>
            <Button
              onClick={run}
              disabled={!canConfirm}
              color={props.destructive ? 'secondary' : 'primary'}
              variant="contained"
            >
              {props.confirmLabel}
            </Button>
          </>
        )}
      </DialogActions>
    </TitledDialog>
  );
}
