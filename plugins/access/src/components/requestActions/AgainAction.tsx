import {
  ACCESS_REQUEST_STATUS_LABELS,
  AccessRequest,
} from '@jit-access/plugin-access-common';
import { useId, useMemo, useState } from 'react';
import { useRequestActions } from '../../hooks';
import { formatSeconds, newIdempotencyKey } from '../shared';
import { summarizeResources } from '../MyAccessPage/common';
import { ConfirmedAction, OnChanged } from './ConfirmedAction';
import { JustificationField } from './JustificationField';
import { can } from './can';

/** Submit an ended request again with a new justification, when the backend allows it. */
export function AgainAction(props: {
  request: AccessRequest;
  onChanged: OnChanged;
}) {
  const { request, onChanged } = props;
  const actions = useRequestActions();
  const fieldId = useId();
  const [justification, setJustification] = useState('');
  // One key per opening and text: confirming again after a lost answer creates nothing twice.
  const [opened, setOpened] = useState(0);
  const idempotencyKey = useMemo(
    () => newIdempotencyKey(),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [opened, justification],
  );
  if (!can(request, 'again')) return null;
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
        const { items } = await actions.again(
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
      <JustificationField
        idPrefix={fieldId}
        helperText="Why you need this access now (some flows require it)"
        value={justification}
        onChange={setJustification}
      />
    </ConfirmedAction>
  );
}
