import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles, Theme } from '@material-ui/core/styles';
import { AccessCheckResult } from '@jit-access/plugin-access-common';
import { ReactElement } from 'react';

const useStyles = makeStyles((theme: Theme) => ({
  passed: {
    borderColor: theme.palette.success.main,
    color: theme.palette.success.dark,
  },
  failed: {
    borderColor: theme.palette.error.main,
    color: theme.palette.error.dark,
  },
  error: {
    borderColor: theme.palette.warning.main,
    color: theme.palette.warning.dark,
  },
  chips: { display: 'flex', flexWrap: 'wrap', gap: theme.spacing(0.5) },
}));

/**
 * Check results as chips (passed / failed / error); the check's own detail shows on hover
 * or keyboard focus. Only the latest result of each check is shown: re-runs (extensions,
 * re-verification) append to the list.
 */
export function CheckChips(props: { checks: AccessCheckResult[] }) {
  const classes = useStyles();
  const latest = new Map<string, AccessCheckResult>();
  for (const c of props.checks) latest.set(c.checkId, c);
  if (latest.size === 0)
    return (
      <Typography variant="body2" color="textSecondary">
        None
      </Typography>
    );
  return (
    <Box className={classes.chips}>
      {[...latest.values()].map(c => (
        <CheckChip key={c.checkId} check={c} className={classes[c.outcome]} />
      ))}
    </Box>
  );
}

/** One check's result as a chip; the check's detail shows on hover or keyboard focus. */
export function CheckChip(props: {
  check: AccessCheckResult;
  className?: string;
  icon?: ReactElement;
}) {
  const { check: c, className, icon } = props;
  return (
    <Tooltip title={c.detail || c.outcome}>
      <Chip
        size="small"
        variant="outlined"
        className={className}
        icon={icon}
        label={`${c.checkId}: ${c.outcome}`}
        // Focusable so keyboard users get the detail too.
        tabIndex={0}
        aria-label={`Check ${c.checkId} ${c.outcome}${
          c.detail ? `: ${c.detail}` : ''
        }`}
      />
    </Tooltip>
  );
}
