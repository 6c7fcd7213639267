import Chip from '@material-ui/core/Chip';
import WarningIcon from '@material-ui/icons/Warning';

/** Marks a break-glass request: granted at once, reviewed afterwards. */
export function BreakGlassChip(props: { title?: string; className?: string }) {
  return (
    <Chip
      size="small"
      color="secondary"
      icon={<WarningIcon />}
      label="Break-glass"
      title={props.title}
      className={props.className}
    />
  );
}
