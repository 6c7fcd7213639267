import TextField from '@material-ui/core/TextField';

/** A filter of the resource search: one of `options`, or all of them (the empty value). */
export function FilterSelect(props: {
  id: string;
  label: string;
  value: string;
  onChange(value: string): void;
  allLabel: string;
  options: readonly string[];
}) {
  return (
    <TextField
      id={props.id}
      label={props.label}
      select
      variant="outlined"
      size="small"
      value={props.value}
      onChange={e => props.onChange(e.target.value)}
      SelectProps={{ native: true }}
      InputLabelProps={{ shrink: true }}
    >
      <option value="">{props.allLabel}</option>
      {props.options.map(o => (
        <option key={o} value={o}>
          {o}
        </option>
      ))}
    </TextField>
  );
}
