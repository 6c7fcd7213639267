import Typography from '@material-ui/core/Typography';
import { makeStyles, Theme } from '@material-ui/core/styles';
import Timeline from '@material-ui/lab/Timeline';
import TimelineConnector from '@material-ui/lab/TimelineConnector';
import TimelineContent from '@material-ui/lab/TimelineContent';
import TimelineDot from '@material-ui/lab/TimelineDot';
import TimelineItem from '@material-ui/lab/TimelineItem';
import TimelineSeparator from '@material-ui/lab/TimelineSeparator';
import { AccessRequest } from '@jit-access/plugin-access-common';
import { useMemo } from 'react';
import { formatTime, relativeTime } from '../shared';
import { ActorName } from './ActorName';
import { buildTimeline, TimelineEvent, TimelineTone } from './timelineEvents';

const useStyles = makeStyles((theme: Theme) => ({
  timeline: { padding: 0, margin: 0 },
  // Left-aligned timeline: drop the empty column MUI reserves for opposite content.
  item: { '&:before': { display: 'none' } },
  neutral: { backgroundColor: theme.palette.grey[500] },
  success: { backgroundColor: theme.palette.success.main },
  error: { backgroundColor: theme.palette.error.main },
  warning: { backgroundColor: theme.palette.warning.main },
  info: { backgroundColor: theme.palette.info.main },
  open: { backgroundColor: 'transparent' },
  detail: {
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    marginTop: theme.spacing(0.5),
  },
}));

function EventContent(props: { event: TimelineEvent }) {
  const { event } = props;
  const classes = useStyles();
  return (
    <>
      <Typography variant="subtitle2" component="h3">
        {event.title}
      </Typography>
      {(event.actor || event.at) && (
        <Typography variant="caption" color="textSecondary" component="div">
          {event.actor && (
            <>
              by <ActorName actor={event.actor} />
              {event.onBehalfOf && (
                <>
                  {' '}
                  for <ActorName actor={event.onBehalfOf} />
                </>
              )}
            </>
          )}
          {event.actor && event.at && ' · '}
          {event.at && (
            <time dateTime={event.at} title={relativeTime(event.at)}>
              {formatTime(event.at)}
            </time>
          )}
        </Typography>
      )}
      {event.note && (
        <Typography variant="caption" color="textSecondary" component="div">
          {event.note}
        </Typography>
      )}
      {event.detail && (
        <Typography variant="body2" className={classes.detail}>
          {event.detail}
        </Typography>
      )}
    </>
  );
}

/**
 * A request's life as a timeline: submission, each check result, each approval or
 * rejection with its comment, the grant, extensions, the break-glass review and the end
 * with its reason, followed by what the request still waits for.
 * @public
 */
export function RequestTimeline(props: { request: AccessRequest }) {
  const { request } = props;
  const classes = useStyles();
  const events = useMemo(() => buildTimeline(request), [request]);
  const toneClass: Record<TimelineTone, string> = {
    neutral: classes.neutral,
    success: classes.success,
    error: classes.error,
    warning: classes.warning,
    info: classes.info,
  };
  return (
    <Timeline
      className={classes.timeline}
      aria-label="Request timeline"
      data-testid="request-timeline"
    >
      {events.map((event, i) => (
        <TimelineItem
          key={event.key}
          classes={{ missingOppositeContent: classes.item }}
          data-testid={`timeline-${event.key}`}
        >
          <TimelineSeparator>
            {/* Hollow dots mark what has not happened yet. */}
            <TimelineDot
              variant={event.at ? 'default' : 'outlined'}
              className={event.at ? toneClass[event.tone] : classes.open}
            />
            {i < events.length - 1 && <TimelineConnector />}
          </TimelineSeparator>
          <TimelineContent>
            <EventContent event={event} />
          </TimelineContent>
        </TimelineItem>
      ))}
    </Timeline>
  );
}
