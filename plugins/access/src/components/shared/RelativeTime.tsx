import Typography from '@material-ui/core/Typography';
import { formatTime, relativeTime } from './format';

/** `3 hours ago`, with the exact time on hover: a table cell's time of an event. */
export function RelativeTime(props: { at: string }) {
  return (
    <Typography variant="body2" title={formatTime(props.at)}>
      {relativeTime(props.at)}
    </Typography>
  );
}
