import '@testing-library/jest-dom';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { AccessApi, accessApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { EntityAccessContent } from './EntityAccessContent';
import {
  makeClosed,
  makeGrant,
  makeRequest,
} from '../../__testUtils__/sampleRequests';
import { clearCoverageCache } from '../../coverage';
import {
  ORDERS_DB,
  ordersDb,
  summary,
} from '../../__testUtils__/entityAccessData';

jest.setTimeout(30_000);

function forbidden(message: string) {
  return Object.assign(new Error(message), {
    name: 'ResponseError',
    statusCode: 403,
  });
}

async function renderContent(
  getEntityHistory: AccessApi['getEntityHistory'],
  getEntityAccess: AccessApi['getEntityAccess'] = jest.fn(async () =>
    summary({ covered: true }),
  ),
) {
  const api = { getEntityHistory, getEntityAccess } as unknown as AccessApi;
  return renderInTestApp(
    <TestApiProvider apis={[[accessApiRef, api]]}>
      <EntityProvider entity={ordersDb}>
        <EntityAccessContent />
      </EntityProvider>
    </TestApiProvider>,
    {
      mountedRoutes: {
        '/access': rootRouteRef,
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
    },
  );
}

describe('EntityAccessContent', () => {
  beforeEach(() => clearCoverageCache());

  it('lists the requests made for the entity, newest first', async () => {
    const getEntityHistory = jest.fn(async () => ({
      items: [
        makeGrant(90.5, {
          id: 'a',
          requester: 'user:default/dana',
          resources: [{ entityRef: ORDERS_DB, permissions: ['read', 'write'] }],
        }),
        makeClosed('rejected', {
          id: 'b',
          justification: 'curious',
          endReason: 'not needed',
        }),
      ],
    }));
    await renderContent(getEntityHistory);
    expect(await screen.findByText('Access history')).toBeInTheDocument();
    expect(getEntityHistory).toHaveBeenCalledWith(ORDERS_DB, { limit: 25 });
    expect(screen.getByText('dana')).toBeInTheDocument();
    expect(screen.getByText('read, write')).toBeInTheDocument();
    expect(screen.getByText('Active')).toBeInTheDocument();
    expect(screen.getByTestId('expiry-countdown')).toHaveTextContent('1h 30m');
    expect(screen.getByText('Rejected')).toBeInTheDocument();
    expect(screen.getByText('curious')).toBeInTheDocument();
    const links = screen.getAllByRole('link', { name: 'Details' });
    expect(links.map(l => l.getAttribute('href'))).toEqual([
      '/access/requests/a',
      '/access/requests/b',
    ]);
    expect(
      screen.queryByRole('button', { name: 'Load older requests' }),
    ).not.toBeInTheDocument();
  });

  it('loads older pages with the cursor', async () => {
    const user = userEvent.setup({ delay: null });
    const getEntityHistory = jest
      .fn()
      .mockResolvedValueOnce({
        items: [makeRequest({ id: 'a', justification: 'first page' })],
        nextCursor: 'c1',
      })
      .mockResolvedValueOnce({
        items: [makeRequest({ id: 'b', justification: 'second page' })],
      });
    await renderContent(getEntityHistory);
    expect(await screen.findByText('first page')).toBeInTheDocument();
    await user.click(
      screen.getByRole('button', { name: 'Load older requests' }),
    );
    expect(await screen.findByText('second page')).toBeInTheDocument();
    expect(screen.getByText('first page')).toBeInTheDocument();
    expect(getEntityHistory).toHaveBeenLastCalledWith(ORDERS_DB, {
      cursor: 'c1',
      limit: 25,
    });
    await waitFor(() =>
      expect(
        screen.queryByRole('button', { name: 'Load older requests' }),
      ).not.toBeInTheDocument(),
    );
  });

  it('says when nobody requested access yet', async () => {
    await renderContent(jest.fn(async () => ({ items: [] })));
    expect(
      await screen.findByText(
        'Nobody has requested access to this entity yet.',
      ),
    ).toBeInTheDocument();
  });

  it('explains that the history is for owners and admins on 403', async () => {
    await renderContent(
      jest.fn(async () => {
        throw forbidden(
          'Only owners of resource:default/orders-db and access admins',
        );
      }),
    );
    expect(
      await screen.findByText('Access history is for owners and admins'),
    ).toBeInTheDocument();
    expect(screen.queryByText('Access history')).not.toBeInTheDocument();
  });

  it('shows other errors with their message', async () => {
    await renderContent(
      jest.fn(async () => {
        throw new Error('entityRef: not a valid entity ref');
      }),
    );
    expect(
      await screen.findByText(
        'Error: Could not load the access history: entityRef: not a valid entity ref',
      ),
    ).toBeInTheDocument();
  });

  it('says so when no flow covers the entity, instead of the owners-only note', async () => {
    const getEntityAccess = jest.fn(async () => summary({ covered: false }));
    await renderContent(
      jest.fn(async () => {
        throw forbidden(
          'Only owners of resource:default/orders-db and access admins',
        );
      }),
      getEntityAccess,
    );
    expect(
      await screen.findByText('No access flow covers this entity'),
    ).toBeInTheDocument();
    expect(getEntityAccess).toHaveBeenCalledWith(ORDERS_DB);
    expect(
      screen.queryByText('Access history is for owners and admins'),
    ).not.toBeInTheDocument();
    expect(screen.queryByText('Access history')).not.toBeInTheDocument();
  });

  it('says so instead of an empty history when no flow covers the entity', async () => {
    await renderContent(
      jest.fn(async () => ({ items: [] })),
      jest.fn(async () => summary({ covered: false })),
    );
    expect(
      await screen.findByText('No access flow covers this entity'),
    ).toBeInTheDocument();
    expect(
      screen.queryByText('Nobody has requested access to this entity yet.'),
    ).not.toBeInTheDocument();
  });

  it('keeps past requests visible on an entity no flow covers any more', async () => {
    await renderContent(
      jest.fn(async () => ({
        items: [makeRequest({ id: 'a', justification: 'from before' })],
      })),
      jest.fn(async () => summary({ covered: false })),
    );
    expect(await screen.findByText('from before')).toBeInTheDocument();
    expect(
      screen.getByText(
        'No access flow covers this entity any more; these are its past requests.',
      ),
    ).toBeInTheDocument();
  });

  it('shows the history when coverage cannot be checked', async () => {
    await renderContent(
      jest.fn(async () => ({
        items: [makeRequest({ id: 'a', justification: 'still listed' })],
      })),
      jest.fn(async () => {
        throw new Error('down');
      }),
    );
    expect(await screen.findByText('still listed')).toBeInTheDocument();
    expect(
      screen.queryByText(/No access flow covers this entity/),
    ).not.toBeInTheDocument();
  });
});
