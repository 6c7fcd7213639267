import Accordion from '@material-ui/core/Accordion';
import AccordionDetails from '@material-ui/core/AccordionDetails';
import AccordionSummary from '@material-ui/core/AccordionSummary';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles, Theme } from '@material-ui/core/styles';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import { EmptyState, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef, EntityRefLink } from '@backstage/plugin-catalog-react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  AccessApprovalType,
  AccessFlowSummary,
} from '@jit-access/plugin-access-common';
import { ReactNode } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useFlows } from '../../hooks';
import { formatSeconds, LoadedList, LoadError } from '../shared';

/** How many matching entities are named; the rest is only counted. */
export const MATCH_PREVIEW = 20;

const APPROVAL_LABELS: Record<AccessApprovalType, string> = {
  manual: 'Manual',
  automatic: 'Automatic',
  breakglass: 'Break-glass',
};

const useStyles = makeStyles((theme: Theme) => ({
  summary: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
  },
  th: {
    width: 200,
    verticalAlign: 'top',
    fontWeight: theme.typography.fontWeightBold as number,
  },
  td: { verticalAlign: 'top' },
  list: { margin: 0, paddingLeft: theme.spacing(2.5) },
  or: {
    display: 'block',
    margin: theme.spacing(0.5, 0),
    color: theme.palette.text.secondary,
  },
  details: { display: 'block' },
}));

function approverLabel(a: string): string {
  return a === 'owner' ? 'owner (the entity’s owners)' : a;
}

function FilterView(props: { filter: AccessFlowSummary['filter'] }) {
  const classes = useStyles();
  if (props.filter.length === 0) return <>—</>;
  return (
    <>
      {props.filter.map((alternative, i) => (
        <Box key={i}>
          {i > 0 && (
            <Typography variant="caption" className={classes.or}>
              or
            </Typography>
          )}
          <ul className={classes.list}>
            {Object.entries(alternative).map(([key, value]) => (
              <li key={key}>
                <code>{key}</code>:{' '}
                {Array.isArray(value) ? value.join(' or ') : value}
              </li>
            ))}
          </ul>
        </Box>
      ))}
    </>
  );
}

/**
 * The catalog entities a flow's filter selects, loaded when the flow is expanded: the
 * total and the first names. Whether a given person may request them also depends on the
 * flow's requesters and on earlier flows (first match wins).
 */
function MatchingEntities(props: { flow: AccessFlowSummary }) {
  const catalogApi = useApi(catalogApiRef);
  const { filter } = props.flow;
  const state = useAsyncRetry(
    async () =>
      // Configuration requires a filter; an empty one would list the whole catalog.
      filter.length === 0
        ? undefined
        : catalogApi.queryEntities({
            filter,
            limit: MATCH_PREVIEW,
            fields: [
              'kind',
              'metadata.name',
              'metadata.namespace',
              'metadata.title',
            ],
            orderFields: { field: 'metadata.name', order: 'asc' },
          }),
    [catalogApi, filter],
  );
  if (filter.length === 0)
    return <Typography variant="body2">The flow has no filter.</Typography>;
  if (state.error)
    return (
      <LoadError
        what="the matching entities from the catalog"
        error={state.error}
        onRetry={state.retry}
      />
    );
  if (state.loading || !state.value) return <Progress />;
  const { items, totalItems } = state.value;
  if (totalItems === 0)
    return (
      <Typography variant="body2">
        No catalog entity matches this filter: nobody can request anything
        through this flow.
      </Typography>
    );
  return (
    <>
      <Typography variant="body2">
        {totalItems === 1
          ? '1 catalog entity matches'
          : `${totalItems} catalog entities match`}
        {totalItems > items.length ? ` (first ${items.length} shown)` : ''}.
      </Typography>
      <ul aria-label={`Entities matching ${props.flow.title}`}>
        {items.map(e => {
          const ref = stringifyEntityRef(e);
          return (
            <li key={ref}>
              <EntityRefLink entityRef={ref}>
                {e.metadata.title ?? e.metadata.name}
              </EntityRefLink>{' '}
              <Typography
                component="span"
                variant="caption"
                color="textSecondary"
              >
                {ref}
              </Typography>
            </li>
          );
        })}
      </ul>
    </>
  );
}

function Row(props: { label: string; children: ReactNode }) {
  const classes = useStyles();
  return (
    <TableRow>
      <TableCell component="th" scope="row" className={classes.th}>
        {props.label}
      </TableCell>
      <TableCell className={classes.td}>{props.children}</TableCell>
    </TableRow>
  );
}

function FlowDetails(props: { flow: AccessFlowSummary }) {
  const { flow } = props;
  const { approval, duration } = flow;
  const none = <>—</>;
  return (
    <Table size="small" aria-label={`Flow ${flow.title}`}>
      <TableBody>
        {flow.description && <Row label="Description">{flow.description}</Row>}
        <Row label="Requesters">
          {flow.requesters
            .map(r => (r === '*' ? 'everyone signed in (*)' : r))
            .join(', ')}
        </Row>
        <Row label="Catalog filter">
          <FilterView filter={flow.filter} />
        </Row>
        <Row label="Permissions">{flow.permissions.join(', ')}</Row>
        <Row label="Approval type">
          {APPROVAL_LABELS[approval.type]}
          {approval.allowSelfApproval ? ' (self-approval allowed)' : ''}
        </Row>
        <Row label={approval.type === 'breakglass' ? 'Reviewers' : 'Approvers'}>
          {approval.approvers.length
            ? approval.approvers.map(approverLabel).join(', ')
            : none}
        </Row>
        <Row label="Required approvals">
          {approval.type === 'manual'
            ? approval.required
            : `not used (${APPROVAL_LABELS[approval.type].toLowerCase()} flow)`}
        </Row>
        <Row label="Checks">
          <div>
            Required:{' '}
            {approval.requiredChecks.length
              ? approval.requiredChecks.join(', ')
              : 'none'}
          </div>
          <div>
            Auto-approve:{' '}
            {approval.autoApproveChecks.length
              ? approval.autoApproveChecks.join(', ')
              : 'none'}
            {approval.type === 'breakglass' && approval.autoApproveChecks.length
              ? ' (ignored on break-glass flows)'
              : ''}
          </div>
        </Row>
        <Row label="Duration">
          default {formatSeconds(duration.defaultSeconds)}, max{' '}
          {formatSeconds(duration.maxSeconds)},{' '}
          {duration.extensions === 0
            ? 'no extensions'
            : `${duration.extensions} extension${
                duration.extensions === 1 ? '' : 's'
              }`}
        </Row>
        <Row label="Justification">{flow.justification}</Row>
        <Row label="Provisioner">
          <code>{flow.provisioner}</code>
        </Row>
        <Row label="Matching entities">
          <MatchingEntities flow={flow} />
        </Row>
      </TableBody>
    </Table>
  );
}

/** The configured flows in precedence order (the first matching flow decides). */
export function FlowsTab() {
  const flows = useFlows();
  return (
    <LoadedList
      state={flows}
      what="the flows"
      empty={
        <EmptyState
          missing="info"
          title="No flows configured"
          description="Nobody can request access until flows are configured under access.flows in app-config.yaml."
        />
      }
    >
      {value => <FlowList flows={value} />}
    </LoadedList>
  );
}

function FlowList(props: { flows: AccessFlowSummary[] }) {
  const classes = useStyles();
  return (
    <>
      <Typography variant="body2" paragraph>
        In precedence order: for each entity and permission, the first flow that
        lists the requester, matches the entity and offers the permission
        decides. Expand a flow to see its rules and the entities it matches.
      </Typography>
      {props.flows.map((flow, i) => (
        <Accordion key={flow.id} TransitionProps={{ unmountOnExit: true }}>
          <AccordionSummary
            expandIcon={<ExpandMoreIcon />}
            aria-controls={`access-flow-${flow.id}`}
            id={`access-flow-${flow.id}-header`}
          >
            <Box className={classes.summary}>
              <Typography variant="subtitle1">
                {i + 1}. {flow.title}
              </Typography>
              <Typography variant="caption" color="textSecondary">
                <code>{flow.id}</code>
              </Typography>
              <Chip
                size="small"
                label={APPROVAL_LABELS[flow.approval.type]}
                color={
                  flow.approval.type === 'breakglass' ? 'secondary' : 'default'
                }
              />
              <Typography variant="body2" color="textSecondary">
                {flow.permissions.join(', ')}
              </Typography>
            </Box>
          </AccordionSummary>
          <AccordionDetails
            id={`access-flow-${flow.id}`}
            className={classes.details}
          >
            <FlowDetails flow={flow} />
          </AccordionDetails>
        </Accordion>
      ))}
    </>
  );
}
