import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import TextField from '@material-ui/core/TextField';
import {
  AccessFlowSummary,
  AccessRequest,
} from '@jit-access/plugin-access-common';
import { useId, useState } from 'react';
import { useFlows, useRequestActions } from '../../hooks';
import { formatSeconds, formatTime } from '../shared';
import { JustificationField } from './JustificationField';
import { summarizeResources } from '../MyAccessPage/common';
import { ActionDialog } from './ActionDialog';
import { OnChanged } from './ConfirmedAction';

/**
 * How much more time, and why: checked against the flow's limits as typed (the backend
 * checks them again).
 */
export function ExtendDialog(props: {
  request: AccessRequest;
  onClose(): void;
  onChanged: OnChanged;
}) {
  const { request, onClose, onChanged } = props;
  const actions = useRequestActions();
  const alertApi = useApi(alertApiRef);
  // The flow's max and justification rule; the backend enforces both anyway.
  const flows = useFlows();
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
        const result = await actions.extend(
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
      <JustificationField
        idPrefix={fieldId}
        label={
          justificationRequired ? 'Justification' : 'Justification (optional)'
        }
        value={justification}
        onChange={setJustification}
        required={justificationRequired}
        helperText={
          justificationRequired
            ? 'This flow requires a justification'
            : undefined
        }
      />
    </ActionDialog>
  );
}
