import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import { ResponseErrorPanel } from '@backstage/core-components';

/**
 * A failed load: the backend's own message in the title (the panel's details start
 * collapsed, so a message only there would go unread) and a retry button.
 */
export function LoadError(props: {
  what: string;
  error: Error;
  onRetry?: () => void;
}) {
  return (
    <>
      <ResponseErrorPanel
        title={`Could not load ${props.what}: ${props.error.message}`}
        error={props.error}
      />
      {props.onRetry && (
        <Box mt={1}>
          <Button variant="outlined" onClick={props.onRetry}>
            Try again
          </Button>
        </Box>
      )}
    </>
  );
}
