import { AlertMessage, alertApiRef, useApi } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import IconButton from '@material-ui/core/IconButton';
import TextField from '@material-ui/core/TextField';
import { makeStyles } from '@material-ui/core/styles';
import Tooltip from '@material-ui/core/Tooltip';
import StarIcon from '@material-ui/icons/Star';
import StarBorderIcon from '@material-ui/icons/StarBorder';
import {
  ACCESS_REQUEST_STATUS_LABELS,
  AccessFlowSummary,
  AccessRequest,
} from '@jit-access/plugin-access-common';
import { ReactNode, useId, useMemo, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { accessApiRef } from '../../api';
import {
  formatSeconds,
  formatTime,
  isBeingRevoked,
  MAX_TEXT_LENGTH,
  newIdempotencyKey,
  VisuallyHidden,
} from '../shared';
import { ActionDialog, ActionDialogProps } from './ActionDialog';
import { summarizeResources } from './common';

/** Called after an action changed a request, to reload the lists. */
export type OnChanged = () => void;

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
function ExplainedButton(props: {
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

/**
 * An action that asks first: its button opens an {@link ActionDialog}, and confirming runs
 * `perform`, tells the user what it returns and reloads the lists. A failure stays in the
 * dialog, so the user can change the input and try again.
 */
function ConfirmedAction(
  props: Omit<ActionDialogProps, 'open' | 'onClose' | 'onConfirm'> & {
    /** The button's text. */
    label: ReactNode;
    disabledReason?: string;
    /** Runs at each opening, to clear what was typed the last time. */
    onOpen?(): void;
    onChanged: OnChanged;
    /** Runs the action and says how it went. */
    perform(): Promise<AlertMessage>;
  },
) {
  const { label, disabledReason, onOpen, onChanged, perform, ...dialog } =
    props;
  const alertApi = useApi(alertApiRef);
  const [open, setOpen] = useState(false);
  return (
    <>
      <ExplainedButton
        disabledReason={disabledReason}
        onClick={() => {
          onOpen?.();
          setOpen(true);
        }}
      >
        {label}
      </ExplainedButton>
      <ActionDialog
        {...dialog}
        open={open}
        onClose={() => setOpen(false)}
        onConfirm={async () => {
          alertApi.post(await perform());
          onChanged();
        }}
      />
    </>
  );
}

/** Star or unstar a request (only its requester can). */
export function StarButton(props: {
  request: AccessRequest;
  onChanged: OnChanged;
}) {
  const { request, onChanged } = props;
  const api = useApi(accessApiRef);
  const alertApi = useApi(alertApiRef);
  const [busy, setBusy] = useState(false);
  const label = request.favorite ? 'Unstar request' : 'Star request';
  const toggle = async () => {
    setBusy(true);
    try {
      await api.setFavorite(request.id, !request.favorite);
      onChanged();
    } catch (e) {
      alertApi.post({
        message: `Could not ${
          request.favorite ? 'unstar' : 'star'
        } the request: ${(e as Error).message}`,
        severity: 'error',
      });
    } finally {
      setBusy(false);
    }
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

/** Revoke active access, with an optional reason. */
export function RevokeAction(props: {
  request: AccessRequest;
  onChanged: OnChanged;
}) {
  const { request, onChanged } = props;
  const api = useApi(accessApiRef);
  const fieldId = useId();
  const [reason, setReason] = useState('');
  return (
    <ConfirmedAction
      label="Revoke"
      disabledReason={
        isBeingRevoked(request)
          ? 'This access is already being revoked'
          : undefined
      }
      onOpen={() => setReason('')}
      onChanged={onChanged}
      title="Revoke access?"
      description={`Your access to ${summarizeResources(
        request,
      )} ends now. You would have to request it again.`}
      confirmLabel="Revoke"
      cancelLabel="Keep access"
      destructive
      perform={async () => {
        const result = await api.revoke(request.id, reason.trim() || undefined);
        return result.status === 'revoked'
          ? {
              message: 'Access revoked',
              severity: 'success',
              display: 'transient',
            }
          : {
              // The provisioner failed; the backend keeps retrying in the background.
              message: `Revocation in progress${
                result.lastError ? `: ${result.lastError}` : ''
              }`,
              severity: 'warning',
            };
      }}
    >
      <TextField
        id={`${fieldId}-reason`}
        label="Reason (optional)"
        value={reason}
        onChange={e => setReason(e.target.value)}
        fullWidth
        multiline
        minRows={2}
        margin="normal"
        inputProps={{ maxLength: MAX_TEXT_LENGTH }}
      />
    </ConfirmedAction>
  );
}

/** Why the holder cannot ask for an extension right now, if they cannot. */
export function extendDisabledReason(r: AccessRequest): string | undefined {
  if (isBeingRevoked(r)) return 'This access is being revoked';
  if (r.extension?.status === 'pending')
    return 'An extension is already waiting for approval';
  if (r.extensionsAllowed === 0)
    return `Flow "${r.flowTitle}" does not allow extensions`;
  if (r.extensionsUsed >= r.extensionsAllowed)
    return `Already extended ${r.extensionsUsed} time(s), the most flow "${r.flowTitle}" allows`;
  return undefined;
}

/** Ask for more time on active access. */
export function ExtendAction(props: {
  request: AccessRequest;
  onChanged: OnChanged;
}) {
  const { request, onChanged } = props;
  const disabledReason = extendDisabledReason(request);
  const [open, setOpen] = useState(false);
  return (
    <>
      <ExplainedButton
        disabledReason={disabledReason}
        onClick={() => setOpen(true)}
      >
        Extend
      </ExplainedButton>
      {open && (
        <ExtendDialog
          request={request}
          onClose={() => setOpen(false)}
          onChanged={onChanged}
        />
      )}
    </>
  );
}

function ExtendDialog(props: {
  request: AccessRequest;
  onClose(): void;
  onChanged: OnChanged;
}) {
  const { request, onClose, onChanged } = props;
  const api = useApi(accessApiRef);
  const alertApi = useApi(alertApiRef);
  // The flow's max and justification rule; the backend enforces both anyway.
  const flows = useAsync(() => api.getFlows(), [api]);
  const fieldId = useId();
  const flow: AccessFlowSummary | undefined = flows.value?.find(
    f => f.id === request.flowId,
  );
  const maxSeconds = flow?.duration.maxSeconds;
  // Default to the original duration, in quarter hours.
  const [hours, setHours] = useState(() =>
    String(Math.round(request.durationSeconds / 900) / 4 || 1),
  );
  const [justification, setJustification] = useState('');

  const seconds = Math.round(Number(hours) * 3600);
  let hoursError: string | undefined;
  if (!hours.trim() || !Number.isFinite(seconds) || seconds <= 0)
    hoursError = 'Enter a number of hours greater than 0';
  else if (maxSeconds !== undefined && seconds > maxSeconds)
    hoursError = `At most ${formatSeconds(maxSeconds)} for this flow`;
  const justificationRequired = flow?.justification === 'required';
  const justificationMissing = justificationRequired && !justification.trim();

  let hint = 'Loading the flow’s limits…';
  if (flows.error)
    hint = `Could not load the flow’s limits: ${flows.error.message}`;
  else if (flow)
    hint = `Flow "${flow.title}" allows at most ${formatSeconds(
      flow.duration.maxSeconds,
    )} per extension`;
  else if (flows.value) hint = `Flow "${request.flowTitle}" no longer exists`;

  return (
    <ActionDialog
      open
      title="Extend access"
      description={`Add time to your access to ${summarizeResources(
        request,
      )}. Extensions used: ${request.extensionsUsed} of ${
        request.extensionsAllowed
      }.`}
      confirmLabel="Request extension"
      cancelLabel="Cancel"
      invalid={!!hoursError || justificationMissing}
      onClose={onClose}
      onConfirm={async () => {
        const result = await api.extend(
          request.id,
          seconds,
          justification.trim(),
        );
        const ext = result.extension;
        if (ext?.status === 'pending') {
          alertApi.post({
            message: 'Extension requested; it waits for approval',
            severity: 'info',
            display: 'transient',
          });
        } else if (ext?.status === 'rejected') {
          alertApi.post({
            message: `Extension refused${ext.reason ? `: ${ext.reason}` : ''}`,
            severity: 'warning',
          });
        } else {
          alertApi.post({
            message: `Access extended${
              result.expiresAt ? ` until ${formatTime(result.expiresAt)}` : ''
            }`,
            severity: 'success',
            display: 'transient',
          });
        }
        onChanged();
      }}
    >
      <TextField
        id={`${fieldId}-hours`}
        label="Extra time (hours)"
        type="number"
        value={hours}
        onChange={e => setHours(e.target.value)}
        error={!!hoursError}
        helperText={hoursError ?? hint}
        inputProps={{ min: 0.25, step: 0.25 }}
        fullWidth
        margin="normal"
        required
      />
      <TextField
        id={`${fieldId}-justification`}
        label={
          justificationRequired ? 'Justification' : 'Justification (optional)'
        }
        value={justification}
        onChange={e => setJustification(e.target.value)}
        required={justificationRequired}
        helperText={
          justificationRequired
            ? 'This flow requires a justification'
            : undefined
        }
        inputProps={{ maxLength: MAX_TEXT_LENGTH }}
        fullWidth
        multiline
        minRows={2}
        margin="normal"
      />
    </ActionDialog>
  );
}

/** Cancel a pending request, or the pending extension of active access. */
export function CancelAction(props: {
  request: AccessRequest;
  onChanged: OnChanged;
  /** `extension`: cancel the waiting extension, not the access. */
  what?: 'request' | 'extension';
}) {
  const { request, onChanged, what = 'request' } = props;
  const api = useApi(accessApiRef);
  const noun = what === 'request' ? 'request' : 'extension';
  return (
    <ConfirmedAction
      label={`Cancel ${noun}`}
      disabledReason={
        what === 'request' && request.status !== 'pending'
          ? 'Being granted; it can no longer be cancelled'
          : undefined
      }
      onChanged={onChanged}
      title={`Cancel this ${noun}?`}
      description={
        what === 'request'
          ? `Your request for ${summarizeResources(
              request,
            )} will be withdrawn; approvers will no longer see it.`
          : 'The extension will be withdrawn; your access keeps its current end.'
      }
      confirmLabel={`Cancel ${noun}`}
      cancelLabel={`Keep ${noun}`}
      destructive
      perform={async () => {
        await api.cancel(request.id);
        return {
          message:
            what === 'request' ? 'Request cancelled' : 'Extension cancelled',
          severity: 'success',
          display: 'transient',
        };
      }}
    />
  );
}

/** Submit an ended request again with a new justification. */
export function RequestAgainAction(props: {
  request: AccessRequest;
  onChanged: OnChanged;
}) {
  const { request, onChanged } = props;
  const api = useApi(accessApiRef);
  const fieldId = useId();
  const [justification, setJustification] = useState('');
  // One key per opening and text: confirming again after a lost answer creates nothing twice.
  const [opened, setOpened] = useState(0);
  const idempotencyKey = useMemo(
    () => newIdempotencyKey(),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [opened, justification],
  );
  return (
    <ConfirmedAction
      label="Request again"
      onOpen={() => {
        setJustification('');
        setOpened(n => n + 1);
      }}
      onChanged={onChanged}
      title="Request again"
      description={`Ask again for ${summarizeResources(
        request,
      )} for ${formatSeconds(
        request.durationSeconds,
      )}. The current flows decide again, so approvals and checks may differ from last time.`}
      confirmLabel="Submit request"
      cancelLabel="Cancel"
      perform={async () => {
        const { items } = await api.requestAgain(
          request.id,
          justification.trim(),
          { idempotencyKey },
        );
        const refused = items.filter(
          i => i.status === 'rejected' || i.status === 'failed',
        );
        const summary = items
          .map(
            i =>
              `${summarizeResources(i)}: ${
                ACCESS_REQUEST_STATUS_LABELS[i.status]
              }`,
          )
          .join('; ');
        return refused.length
          ? {
              message: `Requested again, but ${refused
                .map(i => i.endReason ?? ACCESS_REQUEST_STATUS_LABELS[i.status])
                .join('; ')}`,
              severity: 'warning',
            }
          : {
              message: `Requested again: ${summary}`,
              severity: 'success',
              display: 'transient',
            };
      }}
    >
      <TextField
        id={`${fieldId}-justification`}
        label="Justification"
        helperText="Why you need this access now (some flows require it)"
        value={justification}
        onChange={e => setJustification(e.target.value)}
        inputProps={{ maxLength: MAX_TEXT_LENGTH }}
        fullWidth
        multiline
        minRows={2}
        margin="normal"
      />
    </ConfirmedAction>
  );
}
