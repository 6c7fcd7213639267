import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  AccessCheck,
  AccessCheckContext,
  AccessCheckFactory,
  AccessCheckOutcome,
} from '@jit-access/plugin-access-node';
import {
  PagerDutyClient,
  PagerDutyIncident,
  PagerDutyIncidentStatus,
  PagerDutyUser,
} from '../client/PagerDutyClient';
import { readOptionalBoolean, readOptionalStringList } from './checkConfig';
import {
  pagerDutyCheck,
  pagerDutyCheckFactory,
  PagerDutyCheckType,
} from './pagerDutyCheckType';
import { findRequesterAndServices } from './requesterLookup';

/**
 * The `type` of incident checks.
 * @public
 */
export const INCIDENT_CHECK_TYPE = 'pagerduty-incident';

const STATUSES: PagerDutyIncidentStatus[] = [
  'triggered',
  'acknowledged',
  'resolved',
];

/**
 * The settings of a `pagerduty-incident` check (its keys under `access.checks.<id>`).
 * @public
 */
export interface IncidentCheckSettings {
  /** Incidents in these statuses count (default `[acknowledged]`). */
  statuses: PagerDutyIncidentStatus[];
  /**
   * Only incidents on the services of the requested entities count (default true). Off,
   * any incident counts, including one the requester opened in a service of their own.
   */
  entityService: boolean;
}

const KEYS = ['statuses', 'entityService'];

/** Reads and validates the settings; errors name the bad key. */
export function readIncidentCheckSettings(
  config: Config,
): IncidentCheckSettings {
  const statuses = readOptionalStringList(
    config,
    'statuses',
    `incident statuses (${STATUSES.join(', ')})`,
  );
  const bad = statuses?.filter(
    s => !STATUSES.includes(s as PagerDutyIncidentStatus),
  );
  if (bad?.length) {
    throw new Error(
      `statuses must be a list of incident statuses (${STATUSES.join(
        ', ',
      )}), not ${bad.map(s => `"${s}"`).join(', ')}`,
    );
  }
  return {
    statuses: [
      ...new Set((statuses as PagerDutyIncidentStatus[]) ?? ['acknowledged']),
    ],
    entityService: readOptionalBoolean(config, 'entityService') ?? true,
  };
}

const INCIDENT_CHECK: PagerDutyCheckType<IncidentCheckSettings> = {
  type: INCIDENT_CHECK_TYPE,
  keys: KEYS,
  read: readIncidentCheckSettings,
  weakness: (id, settings) =>
    settings.entityService
      ? undefined
      : `access.checks.${id}.entityService is false: an incident on any service approves, and anyone who may trigger or acknowledge incidents in PagerDuty can open one in any service they can reach; see docs/checks.md`,
  run: runIncidentCheck,
};

/**
 * The `pagerduty-incident` check type: passes when an incident in one of the configured
 * statuses is assigned to the requester on each requested entity's service (on any service
 * with `entityService: false`, which logs a warning).
 * @public
 */
export function createIncidentCheckFactory(options: {
  /** Throws when PagerDuty is not configured. */
  getClient: () => PagerDutyClient;
}): AccessCheckFactory {
  return pagerDutyCheckFactory(INCIDENT_CHECK, options.getClient);
}

/** A `pagerduty-incident` check with these settings. */
export function createIncidentCheck(
  client: PagerDutyClient,
  settings: IncidentCheckSettings,
  logger?: LoggerService,
): AccessCheck {
  return pagerDutyCheck(INCIDENT_CHECK, client, settings, logger);
}

async function runIncidentCheck(
  client: PagerDutyClient,
  settings: IncidentCheckSettings,
  context: AccessCheckContext,
): Promise<AccessCheckOutcome> {
  const found = await findRequesterAndServices(
    client,
    context,
    settings.entityService,
  );
  if ('outcome' in found) {
    return found.outcome;
  }
  const { user, services: targets } = found;

  const serviceIds = targets
    ? [...new Set(targets.map(t => t.serviceId))]
    : undefined;
  const incidents = await client.listIncidents(
    { userIds: [user.id], statuses: settings.statuses, serviceIds },
    { signal: context.signal },
  );
  // the filters are applied here too: an answer that ignored one must not approve
  const matching = incidents.filter(
    i =>
      settings.statuses.includes(i.status) &&
      (!serviceIds || (!!i.service && serviceIds.includes(i.service.id))) &&
      isAssignedTo(i, user),
  );

  const statusText = orList(settings.statuses);
  const who = user.email;
  if (!targets) {
    if (matching.length > 0) {
      return { outcome: 'passed', detail: describeIncident(matching[0]) };
    }
    return {
      outcome: 'failed',
      detail: `no ${statusText} PagerDuty incident assigned to ${who}`,
    };
  }

  const uncovered = targets.filter(
    t => !matching.some(i => i.service?.id === t.serviceId),
  );
  if (uncovered.length === 0) {
    const shown = [
      ...new Set(
        targets.map(t => matching.find(i => i.service?.id === t.serviceId)!),
      ),
    ];
    return {
      outcome: 'passed',
      detail: shown.map(describeIncident).join('; '),
    };
  }
  return {
    outcome: 'failed',
    detail: `no ${statusText} PagerDuty incident assigned to ${who} on the service of ${uncovered
      .map(t => `${t.entityRef} (${t.serviceId})`)
      .join(', ')}`,
  };
}

/**
 * Resolved incidents have no assignments left; PagerDuty's `user_ids[]` filter decides for
 * them. Otherwise the requester must be one of the assignees.
 */
function isAssignedTo(incident: PagerDutyIncident, user: PagerDutyUser) {
  const assignments = incident.assignments ?? [];
  if (assignments.length === 0) return incident.status === 'resolved';
  return assignments.some(a => a?.assignee?.id === user.id);
}

function orList(items: string[]): string {
  return items.length <= 1
    ? items.join('')
    : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** E.g. `incident #1234 "Orders API errors" is acknowledged (service "Orders")`. */
function describeIncident(i: PagerDutyIncident): string {
  const service = i.service?.summary ?? i.service?.id;
  return `incident #${i.incident_number} "${i.title}" is ${i.status}${
    service ? ` (service "${service}")` : ''
  }`;
}
