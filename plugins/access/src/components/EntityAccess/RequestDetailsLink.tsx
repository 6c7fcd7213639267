import { Link } from '@backstage/core-components';
import { requestRouteRef } from '../../routes';
import { useOptionalRouteRef } from '../shared';

/** "Details" link to one request; nothing when the access page is not mounted. */
export function RequestDetailsLink(props: { id: string; label?: string }) {
  const route = useOptionalRouteRef(requestRouteRef);
  if (!route) return null;
  return <Link to={route({ id: props.id })}>{props.label ?? 'Details'}</Link>;
}
