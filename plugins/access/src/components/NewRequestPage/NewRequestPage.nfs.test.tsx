import '@testing-library/jest-dom';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import { mockApis, renderTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import accessPlugin, { adminSubPage } from '../../alpha';
import { accessApiRef } from '../../api';
import { asAccessApi, fakeAccessApi } from '../../__testUtils__/newRequestData';

// New Request → My Access in the new frontend system, where `/access` redirects to its
// first sub-page (`/access/mine`): the submission must survive that redirect.

jest.setTimeout(30_000);

// As in alpha.test.tsx: without the admin page's permission predicate, which
// renderTestApp cannot resolve.
const testPlugin = accessPlugin.withOverrides({
  extensions: [adminSubPage.override({ if: undefined })],
});

describe('NewRequestPage in the new frontend system', () => {
  it('lands on My Access with the submitted requests after submitting', async () => {
    const fake = fakeAccessApi();
    renderTestApp({
      features: [testPlugin],
      apis: [
        [accessApiRef, asAccessApi(fake)],
        [permissionApiRef, mockApis.permission()],
      ],
      initialRouteEntries: ['/access/new'],
      mountedRoutes: {
        '/catalog/:namespace/:kind/:name':
          convertLegacyRouteRef(entityRouteRef),
      },
    });
    const user = userEvent.setup({ delay: null });
    const results = await screen.findByRole(
      'table',
      { name: 'Resources' },
      { timeout: 10_000 },
    );
    await user.click(
      await within(results).findByRole('checkbox', {
        name: 'read via Staging databases on staging-db',
      }),
    );
    await user.click(screen.getByRole('button', { name: 'Preview' }));
    await screen.findByRole('region', { name: 'Preview' });
    await user.click(screen.getByRole('button', { name: 'Submit request' }));

    const banner = await screen.findByRole(
      'region',
      { name: 'Submitted: 1 request' },
      { timeout: 10_000 },
    );
    expect(
      within(banner).getByRole('link', { name: 'Staging databases' }),
    ).toHaveAttribute(
      'href',
      expect.stringMatching(/^\/access\/requests\/[0-9a-f-]{36}$/),
    );
    // My Access's sections, under the banner.
    expect(await screen.findByText('Active access')).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Submit request' }),
    ).not.toBeInTheDocument();

    await user.click(within(banner).getByRole('button', { name: 'Dismiss' }));
    await waitFor(() =>
      expect(
        screen.queryByRole('region', { name: /^Submitted/ }),
      ).not.toBeInTheDocument(),
    );
    expect(screen.getByText('Active access')).toBeInTheDocument();
  });
});
