import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import { makeStyles, Theme } from '@material-ui/core/styles';
import {
  AccessFlowSummary,
  AccessPreviewItem,
} from '@jit-access/plugin-access-common';
import { describeResources, formatSeconds } from '../shared';
import { describeApproval, groupPreview } from './logic';

/** Resources listed per previewed request before "and N more". */
const RESOURCES_SHOWN = 20;

const useStyles = makeStyles((theme: Theme) => ({
  group: { padding: theme.spacing(2), marginTop: theme.spacing(1) },
  stale: { opacity: 0.6 },
  chip: { marginLeft: theme.spacing(1) },
  dl: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.5),
    margin: theme.spacing(1, 0, 0),
    '& dt': { color: theme.palette.text.secondary },
    '& dd': { margin: 0 },
  },
}));

const APPROVAL_LABELS: Record<AccessPreviewItem['approvalType'], string> = {
  manual: 'Manual approval',
  automatic: 'Automatic',
  breakglass: 'Break-glass',
};

/**
 * What a submission would create: one block per request the backend would split it into
 * (same flow, same approvers), with who approves, the checks, and the duration.
 */
export function PreviewPanel(props: {
  items: AccessPreviewItem[];
  flows?: AccessFlowSummary[];
  /** The form changed since this preview was made. */
  stale?: boolean;
}) {
  const classes = useStyles();
  const groups = groupPreview(props.items);
  return (
    <section
      aria-label="Preview"
      className={props.stale ? classes.stale : undefined}
    >
      <Typography variant="h6" component="h3">
        Preview: {groups.length} request{groups.length === 1 ? '' : 's'} for{' '}
        {props.items.length} resource{props.items.length === 1 ? '' : 's'}
      </Typography>
      {props.stale && (
        <Typography variant="body2" color="textSecondary">
          The form changed since this preview; preview again before submitting.
        </Typography>
      )}
      {groups.map(group => {
        const first = group.items[0];
        const flow = props.flows?.find(f => f.id === group.flowId);
        return (
          <Paper
            key={group.key}
            variant="outlined"
            className={classes.group}
            data-testid="preview-group"
          >
            <Box display="flex" alignItems="center" flexWrap="wrap">
              <Typography variant="subtitle1" component="h4">
                {group.flowTitle}
              </Typography>
              <Chip
                size="small"
                className={classes.chip}
                label={APPROVAL_LABELS[first.approvalType]}
              />
            </Box>
            <Typography variant="body1">
              {describeApproval(first, flow)}
            </Typography>
            <dl className={classes.dl}>
              <dt>Resources</dt>
              <dd>
                {describeResources({ resources: group.items }, RESOURCES_SHOWN)}
              </dd>
              <dt>Checks</dt>
              <dd>{first.checks.length ? first.checks.join(', ') : 'None'}</dd>
              <dt>Duration</dt>
              <dd>
                {formatSeconds(first.durationSeconds)} (at most{' '}
                {formatSeconds(first.maxDurationSeconds)})
              </dd>
              <dt>Justification</dt>
              <dd>{first.justificationRequired ? 'Required' : 'Optional'}</dd>
            </dl>
          </Paper>
        );
      })}
    </section>
  );
}
