import TextField from '@material-ui/core/TextField';
import { MAX_TEXT_LENGTH } from '../shared';

/** The justification box of the request action dialogs (request again, extend). */
export function JustificationField(props: {
  /** Makes the field's id unique: `<idPrefix>-justification`. */
  idPrefix: string;
  value: string;
  onChange(value: string): void;
  label?: string;
  helperText?: string;
  required?: boolean;
}) {
  return (
    <TextField
      id={`${props.idPrefix}-justification`}
      label={props.label ?? 'Justification'}
      helperText={props.helperText}
      value={props.value}
      onChange={e => props.onChange(e.target.value)}
      required={props.required}
      inputProps={{ maxLength: MAX_TEXT_LENGTH }}
      fullWidth
      multiline
      minRows={2}
      margin="normal"
    />
  );
}
