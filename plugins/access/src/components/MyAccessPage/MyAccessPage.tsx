import { useAppLocation, useAppNavigate } from '@backstage/frontend-plugin-api';
import Grid from '@material-ui/core/Grid';
import { useCallback, useState } from 'react';
import { newRequestRouteRef } from '../../routes';
import { useOptionalRouteRef } from '../shared';
import { ActiveSection } from './ActiveSection';
import { ClosedSection } from './ClosedSection';
import { OpenSection } from './OpenSection';
import { RecentSection } from './RecentSection';
import { useSubmission, SUBMITTED_PARAM, useLiveRefresh } from '../../hooks';
import { SubmittedBanner } from './SubmittedBanner';

/**
 * My Access: the requester's home. Shows the access the user holds now (with countdowns,
 * access details, revoke and extend), their open requests (who still has to approve,
 * check results, cancel), recent and starred requests, and every closed request a page
 * at a time (request again, star). Refreshes itself when the backend signals a change.
 * After a submission New Request lands here with `?submitted=<group id>`: a banner on top
 * lists the requests it was split into until dismissed.
 * @public
 */
export function MyAccessPage() {
  const [refreshKey, setRefreshKey] = useState(0);
  const reload = useCallback(() => setRefreshKey(k => k + 1), []);
  useLiveRefresh(reload);
  // The New Request page's path, when the app binds the route.
  const newRequestLink = useOptionalRouteRef(newRequestRouteRef)?.();

  // App-level location and navigation: the same in both frontend systems.
  const location = useAppLocation();
  const navigate = useAppNavigate();
  const submittedGroup =
    new URLSearchParams(location.search).get(SUBMITTED_PARAM) ?? undefined;
  const submitted = useSubmission(submittedGroup, refreshKey);
  const dismiss = () => {
    const params = new URLSearchParams(location.search);
    params.delete(SUBMITTED_PARAM);
    const search = params.toString();
    navigate(
      `${location.pathname}${search ? `?${search}` : ''}${location.hash}`,
      { replace: true },
    );
  };

  return (
    <Grid container spacing={3}>
      {submitted && submitted.length > 0 && (
        <Grid item xs={12}>
          <SubmittedBanner
            items={submitted}
            onDismiss={dismiss}
            newRequestLink={newRequestLink}
          />
        </Grid>
      )}
      <Grid item xs={12}>
        <ActiveSection
          refreshKey={refreshKey}
          onChanged={reload}
          newRequestLink={newRequestLink}
        />
      </Grid>
      <Grid item xs={12}>
        <OpenSection refreshKey={refreshKey} onChanged={reload} />
      </Grid>
      <Grid item xs={12}>
        <RecentSection refreshKey={refreshKey} onChanged={reload} />
      </Grid>
      <Grid item xs={12}>
        <ClosedSection refreshKey={refreshKey} onChanged={reload} />
      </Grid>
    </Grid>
  );
}
