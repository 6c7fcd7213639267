import { ReactNode } from 'react';
import { Route, Routes } from 'react-router-dom';
import {
  Content,
  Header,
  Page,
  Progress,
  TabbedLayout,
} from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import { accessAdminPermission } from '@jit-access/plugin-access-common';
import { MyAccessPage } from '../MyAccessPage';
import { NewRequestPage } from '../NewRequestPage';
import { ApprovalsPage } from '../ApprovalsPage';
import { AdminPage } from '../AdminPage';
import { RequestDetailsPage } from '../RequestDetails';

/** Header title and subtitle of the access pages. */
export const ACCESS_PAGE_TITLE = 'Access';
export const ACCESS_PAGE_SUBTITLE = 'Just-in-time access to infrastructure';

function AccessPageLayout(props: { children: ReactNode }) {
  return (
    <Page themeId="tool">
      <Header title={ACCESS_PAGE_TITLE} subtitle={ACCESS_PAGE_SUBTITLE} />
      {props.children}
    </Page>
  );
}

/**
 * The access pages (legacy frontend system): My Access, New Request, Approvals and — for
 * access admins — Admin as tabs, plus a request's own page at `requests/:id`.
 *
 * @public
 */
export function AccessPage() {
  const { loading, allowed: isAdmin } = usePermission({
    permission: accessAdminPermission,
  });
  return (
    <Routes>
      <Route
        path="/requests/:id"
        element={
          <AccessPageLayout>
            <Content>
              <RequestDetailsPage />
            </Content>
          </AccessPageLayout>
        }
      />
      {!loading && !isAdmin && (
        // No tab for non-admins, but a link to /admin still answers: AdminPage says why.
        <Route
          path="/admin/*"
          element={
            <AccessPageLayout>
              <Content>
                <AdminPage />
              </Content>
            </AccessPageLayout>
          }
        />
      )}
      <Route
        path="/*"
        element={
          <AccessPageLayout>
            {loading ? (
              // Wait for the admin check so /admin does not flash My Access first.
              <Content>
                <Progress />
              </Content>
            ) : (
              <TabbedLayout>
                <TabbedLayout.Route path="/" title="My Access">
                  <MyAccessPage />
                </TabbedLayout.Route>
                <TabbedLayout.Route path="/new" title="New Request">
                  <NewRequestPage />
                </TabbedLayout.Route>
                <TabbedLayout.Route path="/approvals" title="Approvals">
                  <ApprovalsPage />
                </TabbedLayout.Route>
                {isAdmin && (
                  <TabbedLayout.Route path="/admin" title="Admin">
                    <AdminPage />
                  </TabbedLayout.Route>
                )}
              </TabbedLayout>
            )}
          </AccessPageLayout>
        }
      />
    </Routes>
  );
}
