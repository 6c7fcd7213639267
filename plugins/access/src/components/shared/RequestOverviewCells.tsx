import TableCell from '@material-ui/core/TableCell';
import Typography from '@material-ui/core/Typography';
import { Link } from '@backstage/core-components';
import { AccessRequest } from '@jit-access/plugin-access-common';
import { RequesterLink } from './RequesterLink';
import { ResourceList } from './ResourceList';
import { useRequestLink } from './useRequestLink';

/**
 * The first three cells of a request's row in the tables that list other people's
 * requests: Requester, Resources, and Flow with a link to the request's details.
 */
export function RequestOverviewCells(props: { request: AccessRequest }) {
  const { request: r } = props;
  const requestLink = useRequestLink();
  return (
    <>
      <TableCell>
        <RequesterLink request={r} />
      </TableCell>
      <TableCell>
        <ResourceList request={r} />
      </TableCell>
      <TableCell>
        <Typography variant="body2">{r.flowTitle}</Typography>
        <Typography variant="caption">
          <Link to={requestLink(r.id)}>Details</Link>
        </Typography>
      </TableCell>
    </>
  );
}
