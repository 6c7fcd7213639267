import Typography from '@material-ui/core/Typography';

/** A resource's display name in bold over its entity ref, as New Request lists them. */
export function ResourceName(props: { name: string; entityRef: string }) {
  return (
    <>
      <Typography variant="body2" component="div">
        <strong>{props.name}</strong>
      </Typography>
      <Typography variant="caption" color="textSecondary" component="div">
        {props.entityRef}
      </Typography>
    </>
  );
}
