import { Link } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { requestRouteRef } from '../../routes';

/** The request page's URL, or undefined where the app has no access page mounted. */
export function useRequestLink(): ((id: string) => string) | undefined {
  let route: ((params: { id: string }) => string) | undefined;
  try {
    // useRouteRef runs all its hooks before it throws for an unmounted route, so the
    // hook order stays the same.
    // eslint-disable-next-line react-hooks/rules-of-hooks
    route = useRouteRef(requestRouteRef);
  } catch {
    route = undefined;
  }
  return route ? (id: string) => route!({ id }) : undefined;
}

/** "Details" link to one request; nothing when the access page is not mounted. */
export function RequestDetailsLink(props: { id: string; label?: string }) {
  const link = useRequestLink();
  if (!link) return null;
  return <Link to={link(props.id)}>{props.label ?? 'Details'}</Link>;
}
