import Button from '@material-ui/core/Button';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';

/**
 * The table row of a later page that came back empty (its items were decided or removed
 * meanwhile), with a way back to the first page.
 */
export function EmptyPageRow(props: { colSpan: number; onFirst: () => void }) {
  return (
    <TableRow>
      <TableCell colSpan={props.colSpan}>
        <Typography variant="body2">
          Nothing more on this page.{' '}
          <Button size="small" onClick={props.onFirst}>
            Back to the first page
          </Button>
        </Typography>
      </TableCell>
    </TableRow>
  );
}
