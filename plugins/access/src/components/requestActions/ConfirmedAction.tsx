import { AlertMessage, alertApiRef, useApi } from '@backstage/core-plugin-api';
import { ReactNode, useState } from 'react';
import { ActionDialog, ActionDialogProps } from './ActionDialog';
import { ExplainedButton } from './ExplainedButton';

/** Called after an action changed a request, to reload what shows it. */
export type OnChanged = () => void;

/**
 * An action that asks first: its button opens an {@link ActionDialog}, and confirming runs
 * `perform`, tells the user what it returns and reloads. A failure stays in the dialog,
 * so the user can change the input and try again.
 */
export function ConfirmedAction(
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
