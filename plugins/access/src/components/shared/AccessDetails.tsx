import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import IconButton from '@material-ui/core/IconButton';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { createStyles, makeStyles } from '@material-ui/core/styles';
import FileCopyOutlinedIcon from '@material-ui/icons/FileCopyOutlined';
import VisibilityIcon from '@material-ui/icons/Visibility';
import VisibilityOffIcon from '@material-ui/icons/VisibilityOff';
import { useState } from 'react';

/** Keys whose values are secrets: masked until the user reveals them. */
const SECRET_KEY =
  /pass(word)?|pwd|secret|token|credential|private|api[-_ ]?key|^key$/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

const useStyles = makeStyles(() =>
  createStyles({
    key: { fontWeight: 500, width: '30%' },
    value: {
      fontFamily: 'monospace',
      overflowWrap: 'anywhere',
    },
    buttons: { whiteSpace: 'nowrap', width: 1 },
  }),
);

function DetailRow(props: { name: string; value: string }) {
  const { name, value } = props;
  const classes = useStyles();
  const alertApi = useApi(alertApiRef);
  const secret = isSecretKey(name);
  const [revealed, setRevealed] = useState(false);
  const copy = async () => {
    try {
      // Copies the real value even while it is masked.
      await window.navigator.clipboard.writeText(value);
      alertApi.post({
        message: `${name} copied to the clipboard`,
        severity: 'success',
        display: 'transient',
      });
    } catch (e) {
      alertApi.post({
        message: `Could not copy ${name}: ${(e as Error).message}`,
        severity: 'error',
      });
    }
  };
  return (
    <TableRow>
      <TableCell component="th" scope="row" className={classes.key}>
        {name}
      </TableCell>
      <TableCell className={classes.value}>
        {secret && !revealed ? (
          <span aria-label={`${name} (hidden)`}>••••••••</span>
        ) : (
          value
        )}
      </TableCell>
      <TableCell className={classes.buttons} align="right">
        {secret && (
          <Tooltip title={revealed ? `Hide ${name}` : `Show ${name}`}>
            <IconButton
              size="small"
              aria-label={revealed ? `Hide ${name}` : `Show ${name}`}
              onClick={() => setRevealed(r => !r)}
            >
              {revealed ? <VisibilityOffIcon /> : <VisibilityIcon />}
            </IconButton>
          </Tooltip>
        )}
        <Tooltip title={`Copy ${name}`}>
          <IconButton size="small" aria-label={`Copy ${name}`} onClick={copy}>
            <FileCopyOutlinedIcon />
          </IconButton>
        </Tooltip>
      </TableCell>
    </TableRow>
  );
}

/** How to connect, as the provisioner returned it; secrets masked until revealed. */
export function AccessDetails(props: {
  details: Record<string, string>;
  title?: string;
}) {
  const entries = Object.entries(props.details);
  if (entries.length === 0) return null;
  const title = props.title ?? 'Access details';
  return (
    <>
      <Typography variant="subtitle2" component="h4">
        {title}
      </Typography>
      <Table size="small" aria-label={title}>
        <TableBody>
          {entries.map(([k, v]) => (
            <DetailRow key={k} name={k} value={v} />
          ))}
        </TableBody>
      </Table>
    </>
  );
}
