import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Collapse from '@material-ui/core/Collapse';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles, Theme } from '@material-ui/core/styles';
import GetAppIcon from '@material-ui/icons/GetApp';
import VerifiedUserIcon from '@material-ui/icons/VerifiedUser';
import { EmptyState, Link } from '@backstage/core-components';
import {
  AlertMessage,
  alertApiRef,
  useApi,
  useRouteRef,
} from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  ACCESS_REQUEST_STATUS_LABELS,
  AccessAuditEntry,
  accessAuditReadPermission,
} from '@jit-access/plugin-access-common';
import { DateTime } from 'luxon';
import { ReactNode, useState } from 'react';
import { useAuditTools, useAuditTrail } from '../../hooks';
import { requestRouteRef } from '../../routes';
import {
  errorMessage,
  PagedTable,
  PermissionGate,
  relativeTime,
} from '../shared';
import { downloadBlob } from './downloadBlob';

/** Entries per page of the audit table. */
export const AUDIT_PAGE_SIZE = 50;

const useStyles = makeStyles((theme: Theme) => ({
  high: {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.warning.contrastText,
  },
  critical: {
    backgroundColor: theme.palette.error.main,
    color: theme.palette.error.contrastText,
  },
  low: {},
  medium: {},
  details: {
    margin: 0,
    padding: theme.spacing(1),
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    fontSize: theme.typography.caption.fontSize,
    backgroundColor: theme.palette.background.default,
  },
  noBorder: { '& > td': { borderBottom: 'unset' } },
}));

function Actor(props: { actor: string }) {
  // Actors are user refs, `service:<subject>`, `check:<id>` or `system`.
  if (props.actor.startsWith('user:'))
    return <EntityRefLink entityRef={props.actor} />;
  return <Typography variant="body2">{props.actor}</Typography>;
}

function AuditRow(props: { entry: AccessAuditEntry }) {
  const classes = useStyles();
  const requestLink = useRouteRef(requestRouteRef);
  const [open, setOpen] = useState(false);
  const e = props.entry;
  const hasDetails = Object.keys(e.details ?? {}).length > 0;
  const detailsId = `access-audit-details-${e.id}`;
  return (
    <>
      <TableRow className={classes.noBorder} data-testid={`audit-${e.id}`}>
        <TableCell>
          <Typography
            variant="body2"
            title={relativeTime(e.at)}
            style={{ whiteSpace: 'nowrap' }}
          >
            {DateTime.fromISO(e.at).toLocaleString(
              DateTime.DATETIME_SHORT_WITH_SECONDS,
            )}
          </Typography>
        </TableCell>
        <TableCell>
          <Actor actor={e.actor} />
        </TableCell>
        <TableCell>
          <code>{e.action}</code>
        </TableCell>
        <TableCell>
          {e.requestId ? (
            <Link to={requestLink({ id: e.requestId })} title={e.requestId}>
              {e.requestId.slice(0, 8)}
            </Link>
          ) : (
            '—'
          )}
        </TableCell>
        <TableCell>
          <Chip
            size="small"
            label={e.severity}
            className={classes[e.severity]}
          />
        </TableCell>
        <TableCell>
          {e.fromStatus || e.toStatus ? (
            <Typography variant="body2">
              {e.fromStatus ? ACCESS_REQUEST_STATUS_LABELS[e.fromStatus] : '—'}{' '}
              → {e.toStatus ? ACCESS_REQUEST_STATUS_LABELS[e.toStatus] : '—'}
            </Typography>
          ) : (
            ''
          )}
        </TableCell>
        <TableCell>
          {hasDetails && (
            <Button
              size="small"
              onClick={() => setOpen(o => !o)}
              aria-expanded={open}
              aria-controls={detailsId}
            >
              {open ? 'Hide details' : 'Show details'}
            </Button>
          )}
        </TableCell>
      </TableRow>
      <TableRow>
        <TableCell colSpan={7} style={{ paddingTop: 0, paddingBottom: 0 }}>
          <Collapse in={open} unmountOnExit>
            <pre id={detailsId} className={classes.details}>
              {JSON.stringify(e.details, null, 2)}
            </pre>
          </Collapse>
        </TableCell>
      </TableRow>
    </>
  );
}

/**
 * A button that runs one audit tool over the whole trail, disabled meanwhile, and posts
 * what came of it; `run` may report progress for the busy label.
 */
function AuditToolButton(props: {
  icon: ReactNode;
  label: string;
  busyLabel(progress: number): string;
  failure: string;
  run(onProgress: (progress: number) => void): Promise<AlertMessage>;
}) {
  const alertApi = useApi(alertApiRef);
  const [progress, setProgress] = useState<number | undefined>();
  const busy = progress !== undefined;
  const onClick = async () => {
    setProgress(0);
    try {
      alertApi.post(await props.run(setProgress));
    } catch (e) {
      alertApi.post({
        message: `${props.failure}: ${errorMessage(e)}`,
        severity: 'error',
      });
    } finally {
      setProgress(undefined);
    }
  };
  return (
    <Button
      variant="outlined"
      startIcon={props.icon}
      onClick={onClick}
      disabled={busy}
    >
      {progress !== undefined ? props.busyLabel(progress) : props.label}
    </Button>
  );
}

function ExportButton() {
  const tools = useAuditTools();
  return (
    <AuditToolButton
      icon={<GetAppIcon />}
      label="Export CSV"
      busyLabel={exported => `Exporting… ${exported} entries`}
      failure="Could not export the audit log"
      run={async onProgress => {
        const result = await tools.exportCsv(onProgress);
        downloadBlob(result.blob, 'access-audit.csv');
        return {
          message: result.truncated
            ? `Exported the newest ${result.entries} audit entries (the export stops there; use the API for older ones)`
            : `Exported ${result.entries} audit entries to access-audit.csv`,
          severity: result.truncated ? 'warning' : 'success',
          display: 'transient',
        };
      }}
    />
  );
}

/** Asks the backend to recompute the audit trail's seals, and says what it found. */
function VerifyButton() {
  const tools = useAuditTools();
  return (
    <AuditToolButton
      icon={<VerifiedUserIcon />}
      label="Verify integrity"
      busyLabel={() => 'Verifying…'}
      failure="Could not verify the audit trail"
      run={async () => {
        const v = await tools.verify();
        return v.ok
          ? {
              message: `The audit trail is intact: ${v.checked} sealed entries checked (chain head #${v.head.seq}).`,
              severity: 'success',
              display: 'transient',
            }
          : {
              message: `The audit trail was tampered with: entry #${v.problem?.seq} (id ${v.problem?.id}) ${v.problem?.reason}. ${v.checked} entries before it are intact.`,
              severity: 'error',
            };
      }}
    />
  );
}

function AuditLog() {
  const list = useAuditTrail(AUDIT_PAGE_SIZE);
  return (
    <>
      <Box
        mb={2}
        display="flex"
        alignItems="center"
        justifyContent="space-between"
      >
        <Typography variant="body2">
          Newest first. The export holds the whole log.
        </Typography>
        <Box display="flex" style={{ gap: 8 }}>
          <Button onClick={list.retry} disabled={list.loading}>
            Refresh
          </Button>
          <VerifyButton />
          <ExportButton />
        </Box>
      </Box>
      <PagedTable
        pages={list}
        what="the audit log"
        empty={
          <EmptyState
            missing="data"
            title="The audit log is empty"
            description="Every change to an access request is recorded here."
          />
        }
        label="Audit log"
        pagerLabel="Audit log"
        columns={[
          'Time',
          'Actor',
          'Action',
          'Request',
          'Severity',
          'Status change',
          'Details',
        ]}
        progressLabel="Loading"
      >
        {items => items.map(e => <AuditRow key={e.id} entry={e} />)}
      </PagedTable>
    </>
  );
}

/** The audit trail, paged, with a CSV export; needs `access.audit.read`. */
export function AuditTab() {
  return (
    <PermissionGate
      permission={accessAuditReadPermission}
      title="You need the access.audit.read permission"
      message="Reading and exporting the access audit log needs the access.audit.read permission. Ask your Backstage admins to grant it in the permission policy."
    >
      <AuditLog />
    </PermissionGate>
  );
}
