import { AccessRequest } from '@jit-access/plugin-access-common';
import { useState } from 'react';
import { OnChanged } from './ConfirmedAction';
import { ExplainedButton } from './ExplainedButton';
import { ExtendDialog } from './ExtendDialog';
import { whyNoExtension } from './unavailable';
import { can } from './can';

/**
 * The holder asks for more time on active access. Offered when the backend allows it;
 * with `explain`, otherwise shown disabled with the reason.
 */
export function ExtendAction(props: {
  request: AccessRequest;
  onChanged: OnChanged;
  explain?: boolean;
}) {
  const { request, onChanged, explain } = props;
  const [open, setOpen] = useState(false);
  const allowed = can(request, 'extend');
  if (!allowed && !explain) return null;
  return (
    <>
      <ExplainedButton
        disabledReason={allowed ? undefined : whyNoExtension(request)}
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
