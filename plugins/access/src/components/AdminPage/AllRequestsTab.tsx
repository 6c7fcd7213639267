import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import FormControl from '@material-ui/core/FormControl';
import InputLabel from '@material-ui/core/InputLabel';
import ListItemText from '@material-ui/core/ListItemText';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { parseEntityRef } from '@backstage/catalog-model';
import { EmptyState } from '@backstage/core-components';
import {
  ACCESS_REQUEST_STATUS_LABELS,
  ACCESS_REQUEST_STATUSES,
  AccessRequest,
  AccessRequestListFilters,
  AccessRequestStatus,
} from '@jit-access/plugin-access-common';
import { ReactNode, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { useFlows, useRequestList, useLiveRefresh } from '../../hooks';
import { AdminRevokeAction, DialogHost } from '../requestActions';
import {
  ExpiryCountdown,
  formatSeconds,
  formatTime,
  isBeingRevoked,
  PagedTable,
  relativeTime,
  RelativeTime,
  RequestOverviewCells,
  StatusChip,
} from '../shared';

const PAGE_SIZE = 25;

function Ends(props: { request: AccessRequest }) {
  const r = props.request;
  if (r.status === 'granted' && r.expiresAt)
    return <ExpiryCountdown expiresAt={r.expiresAt} />;
  if (r.endedAt)
    return (
      <Typography variant="body2" title={formatTime(r.endedAt)}>
        ended {relativeTime(r.endedAt)}
      </Typography>
    );
  return (
    <Typography variant="body2" color="textSecondary">
      {formatSeconds(r.durationSeconds)} once granted
    </Typography>
  );
}

/** What the tab lists: kept in the URL so a filtered view can be linked to and reloaded. */
interface Filters extends Required<AccessRequestListFilters> {
  statuses: AccessRequestStatus[];
}

/** The filters' URL parameters, named as the API's (`?status=granted,expired&flowId=…`). */
const PARAMS = ['status', 'requester', 'entityRef', 'flowId'] as const;

function useUrlFilters(): [Filters, (change: Partial<Filters>) => void] {
  const [params, setParams] = useSearchParams();
  const filters: Filters = {
    statuses: (params.get('status') ?? '')
      .split(',')
      .filter((s): s is AccessRequestStatus =>
        (ACCESS_REQUEST_STATUSES as readonly string[]).includes(s),
      ),
    requester: params.get('requester') ?? '',
    entityRef: params.get('entityRef') ?? '',
    flowId: params.get('flowId') ?? '',
  };
  const update = (change: Partial<Filters>) => {
    const merged = { ...filters, ...change };
    const values: Record<(typeof PARAMS)[number], string> = {
      status: merged.statuses.join(','),
      requester: merged.requester.trim(),
      entityRef: merged.entityRef.trim(),
      flowId: merged.flowId,
    };
    // Other parameters (the selected tab) stay as they are.
    const next = new URLSearchParams(params);
    for (const key of PARAMS) {
      if (values[key]) next.set(key, values[key]);
      else next.delete(key);
    }
    setParams(next, { replace: true });
  };
  return [filters, update];
}

/** Why a typed ref cannot be sent, or undefined when it can (the backend checks it too). */
function refProblem(value: string, what: 'user' | 'entity') {
  const v = value.trim();
  if (!v) return undefined;
  try {
    const ref = parseEntityRef(
      v,
      what === 'user'
        ? { defaultKind: 'user', defaultNamespace: 'default' }
        : { defaultNamespace: 'default' },
    );
    if (what === 'user' && ref.kind.toLocaleLowerCase('en-US') !== 'user')
      return 'A user, like user:default/alice or alice';
    return undefined;
  } catch {
    return what === 'user'
      ? 'A user, like user:default/alice or alice'
      : 'An entity ref, like resource:default/orders-db';
  }
}

/**
 * A ref filter typed by hand: applied on Enter or when the field loses focus, so the list
 * is not reloaded for every keystroke; a ref that cannot be one is not applied.
 */
function RefFilterField(props: {
  id: string;
  label: string;
  placeholder: string;
  what: 'user' | 'entity';
  value: string;
  onApply: (value: string) => void;
}) {
  const { id, label, placeholder, what, value, onApply } = props;
  const [draft, setDraft] = useState(value);
  // Said once the admin tries to apply the value, not while typing it.
  const [problem, setProblem] = useState<string | undefined>();
  // Follows the URL (back and forward, "Clear filters").
  useEffect(() => {
    setDraft(value);
    setProblem(undefined);
  }, [value]);
  const apply = () => {
    const found = refProblem(draft, what);
    setProblem(found);
    if (!found && draft.trim() !== value) onApply(draft.trim());
  };
  return (
    <TextField
      id={id}
      variant="outlined"
      size="small"
      label={label}
      placeholder={placeholder}
      value={draft}
      onChange={e => {
        setDraft(e.target.value);
        setProblem(undefined);
      }}
      onBlur={apply}
      onKeyDown={e => {
        if (e.key === 'Enter') apply();
      }}
      error={!!problem}
      helperText={problem}
      inputProps={{ spellCheck: false }}
      style={{ minWidth: 240 }}
    />
  );
}

/**
 * A filter chosen from a list. An outlined select names its label three times (the label
 * element, the select's `labelId` and `label`, which cuts the outline's notch); this keeps
 * them in step.
 */
function FilterSelect<V extends string | string[]>(props: {
  labelId: string;
  label: string;
  name: string;
  /** Several choices at once; `value` is then an array. */
  multiple?: boolean;
  value: V;
  onChange: (value: V) => void;
  renderValue: (value: V) => ReactNode;
  children: ReactNode;
}) {
  const { labelId, label, name, multiple, value, onChange, renderValue } =
    props;
  return (
    <FormControl variant="outlined" size="small" style={{ minWidth: 220 }}>
      <InputLabel id={labelId}>{label}</InputLabel>
      <Select
        labelId={labelId}
        label={label}
        name={name}
        multiple={multiple}
        value={value}
        onChange={e => onChange(e.target.value as V)}
        renderValue={v => renderValue(v as V)}
      >
        {props.children}
      </Select>
    </FormControl>
  );
}

/**
 * Every request (admins), filtered by status, requester, resource and flow on the server,
 * with revoke on active grants.
 */
export function AllRequestsTab() {
  const [filters, setFilters] = useUrlFilters();
  const { statuses, requester, entityRef, flowId } = filters;
  const filtered = !!(statuses.length || requester || entityRef || flowId);
  const list = useRequestList({
    view: 'all',
    status: statuses.length ? statuses : undefined,
    requester,
    entityRef,
    flowId,
    pageSize: PAGE_SIZE,
  });
  useLiveRefresh(list.retry);
  // The flow choices; without them the list still works (any flow).
  const flows = useFlows();
  const flowChoices =
    flows.value?.map(f => ({ id: f.id, title: f.title })) ?? [];
  // A flow in the URL that is no longer configured can still be filtered by.
  if (flowId && !flowChoices.some(f => f.id === flowId))
    flowChoices.push({ id: flowId, title: flowId });
  const clearFilters = () =>
    setFilters({ statuses: [], requester: '', entityRef: '', flowId: '' });

  const statusFilter = (
    <FilterSelect
      labelId="access-admin-status-label"
      label="Status"
      name="status"
      multiple
      value={statuses}
      onChange={value => setFilters({ statuses: value })}
      renderValue={value =>
        value.map(s => ACCESS_REQUEST_STATUS_LABELS[s]).join(', ')
      }
    >
      {ACCESS_REQUEST_STATUSES.map(s => (
        <MenuItem key={s} value={s}>
          <Checkbox checked={statuses.includes(s)} size="small" />
          <ListItemText primary={ACCESS_REQUEST_STATUS_LABELS[s]} />
        </MenuItem>
      ))}
    </FilterSelect>
  );

  const flowFilter = (
    <FilterSelect
      labelId="access-admin-flow-label"
      label="Flow"
      name="flowId"
      value={flowId}
      onChange={value => setFilters({ flowId: value })}
      renderValue={value =>
        flowChoices.find(f => f.id === value)?.title ?? String(value)
      }
    >
      <MenuItem value="">
        <em>Any flow</em>
      </MenuItem>
      {flowChoices.map(f => (
        <MenuItem key={f.id} value={f.id}>
          <ListItemText primary={f.title} secondary={f.id} />
        </MenuItem>
      ))}
    </FilterSelect>
  );

  const rows = (items: AccessRequest[]) =>
    items.map(r => (
      <TableRow key={r.id} data-testid={`row-${r.id}`}>
        <RequestOverviewCells request={r} />
        <TableCell>
          <StatusChip status={r.status} title={r.endReason} />
          {r.breakGlass && (
            <Typography variant="caption" display="block" color="error">
              Break-glass
              {r.review?.status === 'pending' ? ', review pending' : ''}
            </Typography>
          )}
        </TableCell>
        <TableCell>
          <RelativeTime at={r.createdAt} />
        </TableCell>
        <TableCell>
          <Ends request={r} />
        </TableCell>
        <TableCell>
          <AdminRevokeAction request={r} onChanged={list.retry} />
          {isBeingRevoked(r) && (
            <Typography
              variant="body2"
              color="textSecondary"
              title={r.lastError}
            >
              Revocation in progress
            </Typography>
          )}
        </TableCell>
      </TableRow>
    ));

  return (
    <DialogHost>
      <Box
        mb={2}
        display="flex"
        alignItems="flex-start"
        flexWrap="wrap"
        style={{ gap: 8 }}
        role="search"
        aria-label="Filter requests"
      >
        {statusFilter}
        <RefFilterField
          id="access-admin-filter-requester"
          label="Requester"
          placeholder="user:default/alice"
          what="user"
          value={requester}
          onApply={v => setFilters({ requester: v })}
        />
        <RefFilterField
          id="access-admin-filter-resource"
          label="Resource"
          placeholder="resource:default/orders-db"
          what="entity"
          value={entityRef}
          onApply={v => setFilters({ entityRef: v })}
        />
        {flowFilter}
        {filtered && (
          <Button size="small" onClick={clearFilters} style={{ marginTop: 6 }}>
            Clear filters
          </Button>
        )}
        <Box flex={1} />
        {/* Signals only reach a request's requester and approvers; admins refresh by hand. */}
        <Button onClick={list.retry} disabled={list.loading}>
          Refresh
        </Button>
      </Box>
      <PagedTable
        pages={list}
        what="the requests"
        empty={
          filtered ? (
            <EmptyState
              missing="data"
              title="No requests match these filters"
              description="Change or clear the filters to see more."
              action={<Button onClick={clearFilters}>Clear filters</Button>}
            />
          ) : (
            <EmptyState
              missing="data"
              title="No access requests yet"
              description="Requests show up here as soon as someone asks for access."
            />
          )
        }
        label="All access requests"
        pagerLabel="All requests"
        columns={[
          'Requester',
          'Resources',
          'Flow',
          'Status',
          'Requested',
          'Ends',
          'Actions',
        ]}
      >
        {rows}
      </PagedTable>
    </DialogHost>
  );
}
