import '@testing-library/jest-dom';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { alertApiRef } from '@backstage/core-plugin-api';
import { AccessRequest } from '@jit-access/plugin-access-common';
import { useState } from 'react';
import { accessApiRef } from '../../api';
import { makeRequest } from '../../__testUtils__/sampleRequests';
import { DialogHost } from './DialogHost';
import { RejectAction } from './RejectAction';

jest.setTimeout(30_000);

/** A live list in miniature: the test removes the row, as a reload would. */
function List(props: { request: AccessRequest }) {
  const [rows, setRows] = useState([props.request]);
  return (
    <DialogHost>
      <button onClick={() => setRows([])}>reload without the row</button>
      {rows.map(r => (
        <RejectAction
          key={r.id}
          request={r}
          name="orders"
          onChanged={() => {}}
        />
      ))}
    </DialogHost>
  );
}

async function render(node: JSX.Element) {
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [accessApiRef, {}],
        [alertApiRef, { post: jest.fn(), alert$: jest.fn() }],
      ]}
    >
      {node}
    </TestApiProvider>,
  );
}

describe('decisions on rows of a live list', () => {
  it('keep their dialog, and what was typed, when a reload takes the row away', async () => {
    const request = makeRequest({
      status: 'pending',
      allowedActions: ['approve', 'reject'],
    });
    await render(<List request={request} />);
    await userEvent.click(
      screen.getByRole('button', { name: /Reject: orders/ }),
    );
    const reason = await screen.findByRole('textbox');
    await userEvent.type(reason, 'not during the freeze');
    // The modal dialog hides the page from the accessibility tree; the reload is not a click
    // a user makes anyway.
    await userEvent.click(
      screen.getByRole('button', {
        name: 'reload without the row',
        hidden: true,
      }),
    );
    expect(
      screen.queryByRole('button', { name: /Reject: orders/, hidden: true }),
    ).toBeNull();
    expect(screen.getByRole('dialog')).toBeInTheDocument();
    expect(screen.getByRole('textbox')).toHaveValue('not during the freeze');
  });

  it('offer nothing, without breaking the page, for a request without allowedActions (an older backend)', async () => {
    const request = {
      ...makeRequest({ status: 'pending' }),
      allowedActions: undefined,
    } as unknown as AccessRequest;
    await render(<List request={request} />);
    expect(
      screen.getByRole('button', { name: 'reload without the row' }),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Reject/ })).toBeNull();
  });
});
