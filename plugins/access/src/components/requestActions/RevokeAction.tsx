import TextField from '@material-ui/core/TextField';
import { AccessRequest } from '@jit-access/plugin-access-common';
import { useId, useState } from 'react';
import { useRequestActions } from '../../hooks';
import { MAX_TEXT_LENGTH } from '../shared';
import { summarizeResources } from '../MyAccessPage/common';
import { ConfirmedAction, OnChanged } from './ConfirmedAction';
import { whyNoRevoke } from './unavailable';
import { can } from './can';

/**
 * The holder revokes their active access, with an optional reason. Offered when the
 * backend allows it; with `explain`, otherwise shown disabled with the reason.
 */
export function RevokeAction(props: {
  request: AccessRequest;
  onChanged: OnChanged;
  explain?: boolean;
}) {
  const { request, onChanged, explain } = props;
  const actions = useRequestActions();
  const fieldId = useId();
  const [reason, setReason] = useState('');
  const allowed = can(request, 'revoke');
  if (!allowed && !explain) return null;
  return (
    <ConfirmedAction
      label="Revoke"
      disabledReason={allowed ? undefined : whyNoRevoke(request)}
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
        const result = await actions.revoke(
          request.id,
          reason.trim() || undefined,
        );
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
