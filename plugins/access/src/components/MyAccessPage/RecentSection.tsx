import { InfoCard } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  AccessRequest,
  TERMINAL_STATUSES,
} from '@jit-access/plugin-access-common';
import { ReactNode, useState } from 'react';
import { relativeTime, StatusChip } from '../shared';
import { useRequestList, CursorPages } from '../../hooks';
import { AgainAction, FavoriteAction, OnChanged } from '../requestActions';
import { PagedSection, RequestLink, SectionProps } from './common';

const RECENT_COUNT = 3;
/**
 * Favourites shown at first, and how many more each "Show more" adds. The backend lists
 * stars newest first without a cursor, so one more than shown is asked for to know
 * whether there are more.
 */
const FAVORITES_STEP = 50;
/** The most favourites the backend returns in one answer (its `limit` maximum). */
const FAVORITES_MAX = 200;

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
      <AgainAction request={r} onChanged={onChanged} />
      <FavoriteAction request={r} onChanged={onChanged} />
    </ListItem>
  );
}

/**
 * Under the favourites: how many are shown when there are more, and a button to show more
 * (up to what the backend returns at once).
 */
function FavoritesMore(props: {
  /** Favourites fetched: one more than shown when there are more. */
  total: number;
  shown: number;
  loading: boolean;
  onMore(): void;
}) {
  const { total, shown, loading, onMore } = props;
  if (total > shown) {
    const next = Math.min(FAVORITES_STEP, FAVORITES_MAX - shown);
    return (
      <Box
        display="flex"
        alignItems="center"
        flexWrap="wrap"
        gridGap={8}
        mt={1}
      >
        <Typography variant="caption" color="textSecondary" role="status">
          Showing your {shown} most recently starred.
        </Typography>
        <Button size="small" onClick={onMore} disabled={loading}>
          Show {next} more
        </Button>
      </Box>
    );
  }
  if (shown >= FAVORITES_MAX && total >= FAVORITES_MAX)
    return (
      <Box mt={1}>
        <Typography variant="caption" color="textSecondary" role="status">
          Showing your {FAVORITES_MAX} most recently starred, the most this list
          holds; unstar some to see older ones.
        </Typography>
      </Box>
    );
  return null;
}

/** One half of the card: a heading over a list of shortcuts, with the listing's states. */
function ShortcutColumn(props: {
  heading: string;
  /** Names the listing: in its loading and error states and for screen readers. */
  title: string;
  pages: CursorPages<AccessRequest>;
  empty: string;
  onChanged: OnChanged;
  /** The most items shown: more may be fetched to learn whether there are more. */
  limit?: number;
  /** Shown under the list, given all the fetched items. */
  footer?: (items: AccessRequest[]) => ReactNode;
}) {
  const { heading, title, pages, empty, onChanged, limit, footer } = props;
  return (
    <Grid item xs={12} md={6}>
      <Typography variant="subtitle2" component="h3" gutterBottom>
        {heading}
      </Typography>
      <PagedSection pages={pages} title={title} empty={empty}>
        {items => (
          <>
            <List dense aria-label={title} disablePadding>
              {items.slice(0, limit).map(r => (
                <ShortcutItem key={r.id} request={r} onChanged={onChanged} />
              ))}
            </List>
            {footer?.(items)}
          </>
        )}
      </PagedSection>
    </Grid>
  );
}

/** The last few closed requests and the starred ones, to ask again in two clicks. */
export function RecentSection(props: SectionProps) {
  const { refreshKey, onChanged } = props;
  const recent = useRequestList(
    { view: 'mine', status: TERMINAL_STATUSES, pageSize: RECENT_COUNT },
    refreshKey,
  );
  const [favoritesShown, setFavoritesShown] = useState(FAVORITES_STEP);
  const favorites = useRequestList(
    {
      view: 'favorites',
      pageSize: Math.min(favoritesShown + 1, FAVORITES_MAX),
    },
    refreshKey,
  );
  return (
    <InfoCard title="Recent & favourites">
      <Grid container spacing={3}>
        <ShortcutColumn
          heading="Recent"
          title="Recent requests"
          pages={recent}
          empty="Nothing closed yet."
          onChanged={onChanged}
        />
        <ShortcutColumn
          heading="Favourites"
          title="Favourites"
          pages={favorites}
          empty="Star a request to keep it here."
          onChanged={onChanged}
          limit={favoritesShown}
          footer={items => (
            <FavoritesMore
              total={items.length}
              shown={favoritesShown}
              loading={favorites.loading}
              onMore={() =>
                setFavoritesShown(n =>
                  Math.min(n + FAVORITES_STEP, FAVORITES_MAX),
                )
              }
            />
          )}
        />
      </Grid>
    </InfoCard>
  );
}
