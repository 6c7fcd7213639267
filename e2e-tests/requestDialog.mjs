// The entity card's "Request access" dialog, as both browser tests use it.
import assert from 'node:assert/strict';

/**
 * In the open dialog: asks for read access with `justification` and submits. Once it says
 * "Request sent", runs `whileOpen` (a screenshot), reads its text and the new request's id
 * (from its Details link), and closes it.
 */
export async function submitReadRequest(page, justification, whileOpen) {
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('checkbox', { name: /read/i }).check();
  await dialog.getByLabel('Justification').fill(justification);
  await dialog.getByRole('button', { name: 'Submit request' }).click();
  await dialog.getByText('Request sent').waitFor();
  await whileOpen?.();
  const text = await dialog.innerText();
  const href = await dialog
    .getByRole('link', { name: 'Details' })
    .first()
    .getAttribute('href');
  const requestId = href?.match(/\/access\/requests\/([^/?#]+)/)?.[1];
  assert.ok(requestId, `expected a Details link to the request, got ${href}`);
  await dialog.getByRole('button', { name: 'Done' }).click();
  return { text, requestId };
}
