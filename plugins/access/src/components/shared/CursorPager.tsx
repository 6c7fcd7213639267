import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { CursorPages } from '../../hooks/useCursorPages';

/** Page number and previous / next buttons for {@link useCursorPages}; nothing for a single page. */
export function CursorPager(props: {
  pages: CursorPages<unknown>;
  /** Names the listing: the navigation is labelled `<label> pages`. */
  label: string;
}) {
  const { pages, label } = props;
  const hasNext = pages.hasNext && !pages.loading;
  if (!pages.hasPrevious && !hasNext) return null;
  return (
    <Box
      component="nav"
      aria-label={`${label} pages`}
      display="flex"
      justifyContent="flex-end"
      alignItems="center"
      mt={1}
      style={{ gap: 8 }}
    >
      <Typography variant="body2">Page {pages.page}</Typography>
      <Button
        size="small"
        onClick={pages.previous}
        disabled={!pages.hasPrevious}
      >
        Previous page
      </Button>
      <Button size="small" onClick={pages.next} disabled={!hasNext}>
        Next page
      </Button>
    </Box>
  );
}
