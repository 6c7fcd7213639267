// What a person does on My Access, for its component tests (not part of the plugin's
// exports).
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

/**
 * Clicks the button named `button` in the table named `table` (its only one) and answers the
 * dialog it opens, found by `dialog` name when given.
 */
export async function openDialogFromTable(
  table: string,
  button: string,
  dialog?: string,
) {
  await userEvent.click(
    within(await screen.findByRole('table', { name: table })).getByRole(
      'button',
      { name: button },
    ),
  );
  return within(
    await screen.findByRole('dialog', dialog ? { name: dialog } : {}),
  );
}

/** Cancels the one open request, confirming in the dialog; answers the dialog. */
export async function cancelOpenRequest() {
  const dialog = await openDialogFromTable(
    'Open requests',
    'Cancel request',
    'Cancel this request?',
  );
  await userEvent.click(dialog.getByRole('button', { name: 'Cancel request' }));
  return dialog;
}

/**
 * Requests the one closed request again, with the justification when given; answers the
 * dialog.
 */
export async function requestAgainFromClosed(justification?: string) {
  const dialog = await openDialogFromTable(
    'Closed requests',
    'Request again',
    'Request again',
  );
  if (justification !== undefined) {
    await userEvent.type(dialog.getByLabelText('Justification'), justification);
  }
  await userEvent.click(dialog.getByRole('button', { name: 'Submit request' }));
  return dialog;
}
