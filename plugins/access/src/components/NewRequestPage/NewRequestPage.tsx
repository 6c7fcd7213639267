import { WarningPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import { AccessRequest } from '@jit-access/plugin-access-common';
import { useMemo, useState } from 'react';
import { useLocation } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { accessApiRef } from '../../api';
import { requestRouteRef, rootRouteRef } from '../../routes';
import { useOptionalRouteRef } from '../shared';
import { BundleTab } from './BundleTab';
import { DeepLink, parseDeepLink } from './logic';
import { ResourcesTab } from './ResourcesTab';
import { SubmitResult } from './SubmitResult';

const NO_LINK: DeepLink = { entities: [] };

/**
 * New Request: ask for access to catalog resources (search, pick up to 1,000 with their
 * permissions) or to a bundle, preview who approves, and submit. Deep links prefill it:
 * `?entity=resource:default/orders-db&permission=read` (several `entity` allowed) or
 * `?bundle=<id>`.
 *
 * @public
 */
export function NewRequestPage() {
  const api = useApi(accessApiRef);
  const location = useLocation();
  // My Access, or the parent route where the root route is not bound (tests, odd apps).
  const myAccessLink = useOptionalRouteRef(rootRouteRef)?.() ?? '..';
  // A request's page, where that route is bound.
  const requestRoute = useOptionalRouteRef(requestRouteRef);
  const requestLink = requestRoute && ((id: string) => requestRoute({ id }));
  const deepLink = useMemo(
    () => parseDeepLink(location.search),
    [location.search],
  );
  const flows = useAsync(() => api.getFlows(), [api]);

  const [tab, setTab] = useState(
    deepLink.bundleId && !deepLink.entities.length ? 1 : 0,
  );
  const [bundleOpened, setBundleOpened] = useState(tab === 1);
  const [result, setResult] = useState<AccessRequest[]>();
  // Bumped by "Make another request": a fresh form, without re-applying the deep link.
  const [round, setRound] = useState(0);

  if (result)
    return (
      <SubmitResult
        items={result}
        myAccessLink={myAccessLink}
        requestLink={requestLink}
        onAnother={() => {
          setResult(undefined);
          setRound(r => r + 1);
        }}
      />
    );

  return (
    <Box key={round}>
      {flows.error && (
        <Box mb={2}>
          <WarningPanel
            title={`Could not load the access flows: ${flows.error.message}`}
            message="Duration limits and whether a justification is required show after a preview."
          />
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
      <Box
        role="tabpanel"
        id="new-request-panel-resources"
        aria-labelledby="new-request-tab-resources"
        hidden={tab !== 0}
        pt={2}
      >
        <ResourcesTab
          flows={flows.value}
          deepLink={round === 0 ? deepLink : NO_LINK}
          onSubmitted={setResult}
        />
      </Box>
      {/* Mounted on first visit, then kept so switching tabs loses nothing. */}
      {bundleOpened && (
        <Box
          role="tabpanel"
          id="new-request-panel-bundle"
          aria-labelledby="new-request-tab-bundle"
          hidden={tab !== 1}
          pt={2}
        >
          <BundleTab
            flows={flows.value}
            initialBundleId={round === 0 ? deepLink.bundleId : undefined}
            onSubmitted={setResult}
          />
        </Box>
      )}
    </Box>
  );
}
