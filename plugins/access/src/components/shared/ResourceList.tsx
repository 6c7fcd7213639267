import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { AccessRequest } from '@jit-access/plugin-access-common';

const useStyles = makeStyles({
  list: { margin: 0, padding: 0, listStyle: 'none' },
});

/** Each requested entity (linked) with the permissions asked on it. */
export function ResourceList(props: { request: AccessRequest }) {
  const classes = useStyles();
  return (
    <ul className={classes.list}>
      {props.request.resources.map(r => (
        <li key={r.entityRef}>
          <EntityRefLink entityRef={r.entityRef} />{' '}
          <Typography component="span" variant="body2" color="textSecondary">
            ({r.permissions.join(', ')})
          </Typography>
        </li>
      ))}
    </ul>
  );
}
