import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormGroup from '@material-ui/core/FormGroup';
import Typography from '@material-ui/core/Typography';
import { RequestableResource } from '@jit-access/plugin-access-common';

/**
 * One checkbox per permission the caller may request on a resource, each naming the flow
 * that would decide it.
 */
export function PermissionPicker(props: {
  resource: RequestableResource;
  /** The entity's name, for the checkboxes' accessible names. */
  name: string;
  checked: readonly string[];
  onToggle(permission: string): void;
}) {
  const { resource, name, checked, onToggle } = props;
  return (
    <FormGroup row>
      {resource.permissions.map(p => (
        <FormControlLabel
          key={p.permission}
          control={
            <Checkbox
              size="small"
              color="primary"
              checked={checked.includes(p.permission)}
              onChange={() => onToggle(p.permission)}
              inputProps={{
                'aria-label': `${p.permission} via ${p.flowTitle} on ${name}`,
              }}
            />
          }
          label={
            <span>
              {p.permission}{' '}
              <Typography
                component="span"
                variant="caption"
                color="textSecondary"
              >
                via {p.flowTitle}
              </Typography>
            </span>
          }
        />
      ))}
    </FormGroup>
  );
}
