import '@testing-library/jest-dom';
import { alertApiRef, identityApiRef } from '@backstage/core-plugin-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { AccessRequest } from '@jit-access/plugin-access-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { accessApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { withFocusVisible } from '../../__testUtils__/focusVisible';
import { makeClosed } from '../../__testUtils__/sampleRequests';
import { DecidedTab } from './DecidedTab';

jest.setTimeout(30_000);

const rejected = makeClosed('rejected', {
  id: 'd1',
  endReason: 'use the staging copy',
});

async function renderTab(
  listRequests: jest.Mock,
  getBackstageIdentity: jest.Mock,
) {
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [accessApiRef, { listRequests }],
        [alertApiRef, { post: jest.fn(), alert$: jest.fn() }],
        [identityApiRef, { getBackstageIdentity }],
      ]}
    >
      <DecidedTab />
    </TestApiProvider>,
    {
      mountedRoutes: {
        '/catalog/:namespace/:kind/:name': entityRouteRef,
        '/access': rootRouteRef,
      },
    },
  );
}

const dana = async () => ({
  type: 'user' as const,
  userEntityRef: 'user:default/dana',
  ownershipEntityRefs: ['user:default/dana'],
});

describe('DecidedTab', () => {
  it('tries again when the decisions could not be loaded', async () => {
    const listRequests = jest
      .fn()
      .mockRejectedValueOnce(new Error('Service Unavailable'))
      .mockResolvedValue({ items: [rejected] as AccessRequest[] });
    await renderTab(listRequests, jest.fn(dana));
    await screen.findByText(
      'Error: Could not load your decisions: Service Unavailable',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId('row-d1')).toBeInTheDocument();
    expect(listRequests).toHaveBeenCalledTimes(2);
  });

  it('tries again when who the user is could not be loaded', async () => {
    const getBackstageIdentity = jest
      .fn()
      .mockRejectedValueOnce(new Error('Session expired'))
      .mockImplementation(dana);
    const listRequests = jest.fn(async () => ({ items: [rejected] }));
    await renderTab(listRequests, getBackstageIdentity);
    await screen.findByText(
      'Error: Could not load who you are: Session expired',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId('row-d1')).toBeInTheDocument();
    expect(getBackstageIdentity).toHaveBeenCalledTimes(2);
  });

  it('gives the reason a request ended to keyboard and screen-reader users', async () => {
    await renderTab(
      jest.fn(async () => ({ items: [rejected] })),
      jest.fn(dana),
    );
    const row = within(await screen.findByTestId('row-d1'));
    const chip = row.getByLabelText('Status: Rejected');
    expect(chip).toHaveAccessibleDescription('Reason: use the staging copy');
    const restore = withFocusVisible();
    try {
      // Tab through the row (requester, resources, details link) to the chip.
      for (let i = 0; i < 20 && document.activeElement !== chip; i++)
        await userEvent.tab();
      expect(chip).toHaveFocus();
      expect(await screen.findByRole('tooltip')).toHaveTextContent(
        'use the staging copy',
      );
    } finally {
      restore();
    }
  });
});
