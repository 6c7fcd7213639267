import Grid from '@material-ui/core/Grid';
import { useCallback, useState } from 'react';
import { newRequestRouteRef } from '../../routes';
import { useLiveRefresh, useOptionalRouteRef } from '../shared';
import { ActiveSection } from './ActiveSection';
import { ClosedSection } from './ClosedSection';
import { OpenSection } from './OpenSection';
import { RecentSection } from './RecentSection';

/**
 * My Access: the requester's home. Shows the access the user holds now (with countdowns,
 * access details, revoke and extend), their open requests (who still has to approve,
 * check results, cancel), recent and starred requests, and every closed request a page
 * at a time (request again, star). Refreshes itself when the backend signals a change.
 * @public
 */
export function MyAccessPage() {
  const [refreshKey, setRefreshKey] = useState(0);
  const reload = useCallback(() => setRefreshKey(k => k + 1), []);
  useLiveRefresh(reload);
  // The New Request page's path, when the app binds the route.
  const newRequestLink = useOptionalRouteRef(newRequestRouteRef)?.();
  return (
    <Grid container spacing={3}>
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
