import { WarningPanel } from '@backstage/core-components';
import { useAppNavigate } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import { AccessRequest } from '@jit-access/plugin-access-common';
import { ReactNode, useCallback, useMemo, useState } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { useFlows, rememberSubmission, SUBMITTED_PARAM } from '../../hooks';
import { rootRouteRef } from '../../routes';
import { useOptionalRouteRef } from '../shared';
import { BundleTab } from './BundleTab';
import { parseDeepLink } from '../../lib/deepLink';
import { ResourcesTab } from './ResourcesTab';

/**
 * Where a submission lands: My Access, with `?submitted=<group id>` so it shows the
 * requests the submission was split into.
 */
function useGoToMyAccess(): (items: AccessRequest[]) => void {
  // My Access's path where the app binds the root route (both frontend systems).
  const myAccess = useOptionalRouteRef(rootRouteRef)?.();
  const appNavigate = useAppNavigate();
  // Elsewhere (tests, odd apps) the parent route, relative to this page.
  const routerNavigate = useNavigate();
  return useCallback(
    (items: AccessRequest[]) => {
      const groupId = rememberSubmission(items);
      const search = groupId
        ? `?${new URLSearchParams({ [SUBMITTED_PARAM]: groupId })}`
        : '';
      if (myAccess) appNavigate(`${myAccess}${search}`);
      else routerNavigate({ pathname: '..', search });
    },
    [myAccess, appNavigate, routerNavigate],
  );
}

/** The panel of the New Request tab `id`, labelled by its tab. */
function TabPanel(props: { id: string; hidden: boolean; children: ReactNode }) {
  return (
    <Box
      role="tabpanel"
      id={`new-request-panel-${props.id}`}
      aria-labelledby={`new-request-tab-${props.id}`}
      hidden={props.hidden}
      pt={2}
    >
      {props.children}
    </Box>
  );
}

/**
 * New Request: ask for access to catalog resources (search, pick up to 1,000 with their
 * permissions) or to a bundle, preview who approves, and submit; then it goes to My
 * Access, which lists the requests the submission was split into. Deep links prefill it:
 * `?entity=resource:default/orders-db&permission=read` (several `entity` allowed) or
 * `?bundle=<id>`.
 *
 * @public
 */
export function NewRequestPage() {
  const location = useLocation();
  const deepLink = useMemo(
    () => parseDeepLink(location.search),
    [location.search],
  );
  const flows = useFlows();
  const onSubmitted = useGoToMyAccess();

  const [tab, setTab] = useState(
    deepLink.bundleId && !deepLink.entities.length ? 1 : 0,
  );
  const [bundleOpened, setBundleOpened] = useState(tab === 1);

  return (
    <Box>
      {flows.error && (
        <Box mb={2}>
          <WarningPanel
            title={`Could not load the access flows: ${flows.error.message}`}
            message="Duration limits and whether a justification is required show after a preview."
          />
          <Box mt={1}>
            <Button
              variant="outlined"
              onClick={flows.retry}
              disabled={flows.loading}
            >
              Try again
            </Button>
          </Box>
        </Box>
      )}
      <Tabs
        value={tab}
        onChange={(_, value: number) => {
          setTab(value);
          if (value === 1) setBundleOpened(true);
        }}
        indicatorColor="primary"
        textColor="primary"
        aria-label="What to request"
      >
        <Tab
          label="Resources"
          id="new-request-tab-resources"
          aria-controls="new-request-panel-resources"
        />
        <Tab
          label="Bundle"
          id="new-request-tab-bundle"
          aria-controls="new-request-panel-bundle"
        />
      </Tabs>
      <TabPanel id="resources" hidden={tab !== 0}>
        <ResourcesTab
          flows={flows.value}
          deepLink={deepLink}
          onSubmitted={onSubmitted}
        />
      </TabPanel>
      {/* Mounted on first visit, then kept so switching tabs loses nothing. */}
      {bundleOpened && (
        <TabPanel id="bundle" hidden={tab !== 1}>
          <BundleTab
            flows={flows.value}
            initialBundleId={deepLink.bundleId}
            onSubmitted={onSubmitted}
          />
        </TabPanel>
      )}
    </Box>
  );
}
