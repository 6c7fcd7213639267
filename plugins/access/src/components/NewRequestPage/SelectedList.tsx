import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import IconButton from '@material-ui/core/IconButton';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import Typography from '@material-ui/core/Typography';
import { makeStyles, Theme } from '@material-ui/core/styles';
import DeleteIcon from '@material-ui/icons/Delete';
import { memo, useState } from 'react';
import { displayName, MAX_SELECTED, SelectedItem } from '../../lib/selection';
import { PermissionPicker } from './PermissionPicker';
import { ResourceName } from './ResourceName';

/** Selected items rendered before "Show all": keeps a 1,000-item selection cheap. */
const SHOWN_AT_FIRST = 100;

const useStyles = makeStyles((theme: Theme) => ({
  list: { maxHeight: 480, overflowY: 'auto' },
  item: {
    display: 'block',
    borderBottom: `1px solid ${theme.palette.divider}`,
  },
  itemError: {
    borderLeft: `4px solid ${theme.palette.error.main}`,
  },
  row: { display: 'flex', alignItems: 'flex-start' },
  grow: { flex: 1, minWidth: 0 },
}));

/**
 * The entities picked so far (across searches and pages), each with its permissions and a
 * remove button.
 */
export const SelectedList = memo(function SelectedItemsList(props: {
  items: SelectedItem[];
  onToggle(item: SelectedItem, permission: string): void;
  onRemove(item: SelectedItem): void;
  onClear(): void;
  /** The item an API error named, and the error. */
  error?: { index: number; message: string };
}) {
  const { items, onToggle, onRemove, onClear, error } = props;
  const classes = useStyles();
  const [showAll, setShowAll] = useState(false);
  const limit =
    showAll || (error && error.index >= SHOWN_AT_FIRST)
      ? items.length
      : SHOWN_AT_FIRST;
  const shown = items.slice(0, limit);

  return (
    <Box component="section" aria-labelledby="new-request-selected">
      <Box display="flex" alignItems="center">
        <Typography
          variant="h6"
          component="h3"
          id="new-request-selected"
          className={classes.grow}
        >
          Selected ({items.length})
        </Typography>
        {items.length > 0 && (
          <Button size="small" onClick={onClear}>
            Clear all
          </Button>
        )}
      </Box>
      <Typography variant="body2" color="textSecondary">
        {items.length === 0
          ? 'Tick a permission on a resource to add it.'
          : `Up to ${MAX_SELECTED.toLocaleString(
              'en-US',
            )} resources per request.`}
      </Typography>
      {items.length > 0 && (
        <List dense className={classes.list}>
          {shown.map((item, index) => {
            const name = displayName(item);
            const hasError = error?.index === index;
            return (
              <ListItem
                key={item.entityRef}
                className={`${classes.item} ${
                  hasError ? classes.itemError : ''
                }`}
              >
                <div className={classes.row}>
                  <div className={classes.grow}>
                    <ResourceName name={name} entityRef={item.entityRef} />
                  </div>
                  <IconButton
                    size="small"
                    aria-label={`Remove ${name}`}
                    onClick={() => onRemove(item)}
                  >
                    <DeleteIcon fontSize="small" />
                  </IconButton>
                </div>
                {item.resource ? (
                  <PermissionPicker
                    resource={item.resource}
                    name={name}
                    checked={item.permissions}
                    onToggle={p => onToggle(item, p)}
                  />
                ) : (
                  <Box mt={0.5}>
                    {item.permissions.map(p => (
                      <Chip key={p} size="small" label={p} />
                    ))}
                  </Box>
                )}
                {item.permissions.length === 0 && (
                  <Typography variant="caption" color="error" component="div">
                    Choose at least one permission.
                  </Typography>
                )}
                {hasError && (
                  <Typography variant="caption" color="error" component="div">
                    {error.message}
                  </Typography>
                )}
              </ListItem>
            );
          })}
        </List>
      )}
      {items.length > shown.length && (
        <Button size="small" onClick={() => setShowAll(true)}>
          Show all {items.length}
        </Button>
      )}
    </Box>
  );
});
