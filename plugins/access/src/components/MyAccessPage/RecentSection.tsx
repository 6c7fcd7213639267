import { InfoCard } from '@backstage/core-components';
import Grid from '@material-ui/core/Grid';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  AccessRequest,
  TERMINAL_STATUSES,
} from '@jit-access/plugin-access-common';
import { relativeTime, StatusChip } from '../shared';
import { OnChanged, RequestAgainAction, StarButton } from './actions';
import { PagedSection, RequestLink } from './common';
import { useRequestPages } from './useRequestPages';

const RECENT_COUNT = 3;
/** The backend returns at most this many stars, newest first. */
const FAVORITES_LIMIT = 50;

const useStyles = makeStyles(theme => ({
  item: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    paddingLeft: 0,
    paddingRight: 0,
  },
  text: { flex: 1, minWidth: 180 },
}));

function ShortcutItem(props: { request: AccessRequest; onChanged: OnChanged }) {
  const { request: r, onChanged } = props;
  const classes = useStyles();
  const ended = TERMINAL_STATUSES.includes(r.status);
  return (
    <ListItem className={classes.item} divider>
      <div className={classes.text}>
        <RequestLink request={r} />
        <Typography variant="caption" component="div" color="textSecondary">
          {r.flowTitle}
          {ended && r.endedAt ? ` · ended ${relativeTime(r.endedAt)}` : ''}
        </Typography>
      </div>
      <StatusChip status={r.status} title={r.endReason} />
      {ended && <RequestAgainAction request={r} onChanged={onChanged} />}
      <StarButton request={r} onChanged={onChanged} />
    </ListItem>
  );
}

/** The last few closed requests and the starred ones, to ask again in two clicks. */
export function RecentSection(props: {
  refreshKey: number;
  onChanged: OnChanged;
}) {
  const { refreshKey, onChanged } = props;
  const recent = useRequestPages(
    'mine',
    TERMINAL_STATUSES,
    RECENT_COUNT,
    refreshKey,
  );
  const favorites = useRequestPages(
    'favorites',
    undefined,
    FAVORITES_LIMIT,
    refreshKey,
  );
  return (
    <InfoCard title="Recent & favourites">
      <Grid container spacing={3}>
        <Grid item xs={12} md={6}>
          <Typography variant="subtitle2" component="h3" gutterBottom>
            Recent
          </Typography>
          <PagedSection
            pages={recent}
            title="Recent requests"
            empty="Nothing closed yet."
          >
            {items => (
              <List dense aria-label="Recent requests" disablePadding>
                {items.map(r => (
                  <ShortcutItem key={r.id} request={r} onChanged={onChanged} />
                ))}
              </List>
            )}
          </PagedSection>
        </Grid>
        <Grid item xs={12} md={6}>
          <Typography variant="subtitle2" component="h3" gutterBottom>
            Favourites
          </Typography>
          <PagedSection
            pages={favorites}
            title="Favourites"
            empty="Star a request to keep it here."
          >
            {items => (
              <List dense aria-label="Favourites" disablePadding>
                {items.map(r => (
                  <ShortcutItem key={r.id} request={r} onChanged={onChanged} />
                ))}
              </List>
            )}
          </PagedSection>
        </Grid>
      </Grid>
    </InfoCard>
  );
}
