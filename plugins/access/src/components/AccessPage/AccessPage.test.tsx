import '@testing-library/jest-dom';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/test-utils';
import { usePermission } from '@backstage/plugin-permission-react';
import { Route, Routes, useParams } from 'react-router-dom';
import { rootRouteRef } from '../../routes';
import { AccessPage } from './AccessPage';

// The tabs' own pages have their own tests; here they only say which one is showing.
jest.mock('../MyAccessPage', () => ({
  MyAccessPage: () => <p>my access content</p>,
}));
jest.mock('../NewRequestPage', () => ({
  NewRequestPage: () => <p>new request content</p>,
}));
jest.mock('../ApprovalsPage', () => ({
  ApprovalsPage: () => <p>approvals content</p>,
}));
jest.mock('../AdminPage', () => ({
  AdminPage: () => <p>admin content</p>,
}));
jest.mock('../RequestDetails', () => ({
  RequestDetailsPage: () => {
    const { id } = useParams();
    return <p>request {id} content</p>;
  },
}));

// usePermission caches answers across renders (SWR), so each test sets the answer here.
jest.mock('@backstage/plugin-permission-react', () => ({
  ...jest.requireActual('@backstage/plugin-permission-react'),
  usePermission: jest.fn(),
}));
const mockUsePermission = usePermission as jest.MockedFunction<
  typeof usePermission
>;

jest.setTimeout(30_000);

async function renderAt(path: string, admin: boolean | 'loading') {
  mockUsePermission.mockReturnValue(
    admin === 'loading'
      ? { loading: true, allowed: false }
      : { loading: false, allowed: admin },
  );
  return renderInTestApp(
    // Mounted under /access as an app would, so its routes are relative to it.
    <Routes>
      <Route path="/access/*" element={<AccessPage />} />
    </Routes>,
    { routeEntries: [path], mountedRoutes: { '/access': rootRouteRef } },
  );
}

describe('AccessPage', () => {
  it('shows the header and My Access as the index tab', async () => {
    await renderAt('/access', false);
    expect(await screen.findByText('my access content')).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Access' })).toBeInTheDocument();
    expect(
      screen.getByText('Just-in-time access to infrastructure'),
    ).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'My Access' })).toHaveAttribute(
      'aria-selected',
      'true',
    );
    expect(
      screen.getByRole('tab', { name: 'New Request' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'Approvals' })).toBeInTheDocument();
    expect(
      screen.queryByRole('tab', { name: 'Admin' }),
    ).not.toBeInTheDocument();
  });

  it('moves between tabs', async () => {
    const user = userEvent.setup({ delay: null });
    await renderAt('/access', false);
    await user.click(await screen.findByRole('tab', { name: 'Approvals' }));
    expect(await screen.findByText('approvals content')).toBeInTheDocument();
    await user.click(screen.getByRole('tab', { name: 'New Request' }));
    expect(await screen.findByText('new request content')).toBeInTheDocument();
  });

  it('opens a tab from its URL', async () => {
    await renderAt('/access/approvals', false);
    expect(await screen.findByText('approvals content')).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'Approvals' })).toHaveAttribute(
      'aria-selected',
      'true',
    );
  });

  it('shows the Admin tab to access admins', async () => {
    await renderAt('/access/admin', true);
    expect(await screen.findByText('admin content')).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'Admin' })).toHaveAttribute(
      'aria-selected',
      'true',
    );
  });

  it('has no Admin tab for others, but /admin still shows the (self-guarding) Admin page', async () => {
    await renderAt('/access/admin', false);
    expect(await screen.findByText('admin content')).toBeInTheDocument();
    expect(screen.queryByRole('tab')).not.toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Access' })).toBeInTheDocument();
  });

  it('waits for the admin check before choosing the tab', async () => {
    await renderAt('/access/admin', 'loading');
    expect(await screen.findByRole('progressbar')).toBeInTheDocument();
    expect(screen.queryByText('my access content')).not.toBeInTheDocument();
    expect(mockUsePermission).toHaveBeenCalledWith({
      permission: expect.objectContaining({ name: 'access.admin' }),
    });
  });

  it('shows a request on its own route, not as a tab', async () => {
    await renderAt('/access/requests/r-42', false);
    expect(await screen.findByText('request r-42 content')).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Access' })).toBeInTheDocument();
    expect(screen.queryByRole('tab')).not.toBeInTheDocument();
  });
});
