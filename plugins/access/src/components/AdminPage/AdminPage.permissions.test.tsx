import '@testing-library/jest-dom';
import { screen } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { accessApiRef } from '../../api';
import { AdminPage } from './AdminPage';
import { AuditTab } from './AuditTab';
import { fakePermissions } from '../../__testUtils__/adminData';

// usePermission caches answers per permission for the whole test file, so the denied
// cases live here, apart from the allowed ones in AdminPage.test.tsx.

function fakeApi() {
  return {
    listRequests: jest.fn(async () => ({ items: [] })),
    getAudit: jest.fn(async () => ({ items: [] })),
    getFlows: jest.fn(async () => []),
  };
}

describe('AdminPage permissions', () => {
  it('refuses people without access.admin and loads nothing', async () => {
    const api = fakeApi();
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [accessApiRef, api],
          [permissionApiRef, fakePermissions(['access.audit.read'])],
        ]}
      >
        <AdminPage />
      </TestApiProvider>,
    );
    expect(
      await screen.findByText(/You need the access\.admin permission/),
    ).toBeInTheDocument();
    expect(screen.queryByRole('tab')).not.toBeInTheDocument();
    expect(api.listRequests).not.toHaveBeenCalled();
    expect(api.getFlows).not.toHaveBeenCalled();
  });

  it('hides the audit log from admins without access.audit.read', async () => {
    const api = fakeApi();
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [accessApiRef, api],
          [permissionApiRef, fakePermissions(['access.admin'])],
        ]}
      >
        <AuditTab />
      </TestApiProvider>,
    );
    expect(
      await screen.findByText(/You need the access\.audit\.read permission/),
    ).toBeInTheDocument();
    expect(api.getAudit).not.toHaveBeenCalled();
  });
});
