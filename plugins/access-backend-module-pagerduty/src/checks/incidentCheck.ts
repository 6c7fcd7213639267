import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import {
  AccessCheckContext,
  AccessCheckFactory,
  AccessCheckOutcome,
} from '@jit-access/plugin-access-node';
import {
  PagerDutyClient,
  PagerDutyIncident,
  PagerDutyIncidentStatus,
} from '../client/PagerDutyClient';
import { readOptionalBoolean, readOptionalStringList } from './checkConfig';
import {
  pagerDutyCheckFactory,
  PagerDutyCheckFactoryOptions,
  PagerDutyCheckType,
} from './pagerDutyCheckType';
import { RequesterAndServices } from './requesterLookup';
import { resolvedIncidentsHandledBy } from './resolvedIncidents';

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
  /**
   * With `resolved` among the statuses: how recently the requester must have acknowledged
   * or resolved the incident, in milliseconds (default 24 hours, at most 30 days).
   */
  resolvedWithinMs: number;
}

const KEYS = ['statuses', 'entityService', 'resolvedWithin'];
const DAY_MS = 24 * 3600_000;

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
    resolvedWithinMs: readResolvedWithin(config),
  };
}

/**
 * PagerDuty lists resolved incidents opened in the last month only, so a longer window
 * would promise what the check cannot see.
 */
function readResolvedWithin(config: Config): number {
  if (!config.has('resolvedWithin')) return DAY_MS;
  const ms = durationToMilliseconds(
    readDurationFromConfig(config, { key: 'resolvedWithin' }),
  );
  if (!(ms > 0 && ms <= 30 * DAY_MS)) {
    throw new Error(
      'resolvedWithin must be a duration from 1s to 30d, e.g. 4h or 1d',
    );
  }
  return ms;
}

const INCIDENT_CHECK: PagerDutyCheckType<IncidentCheckSettings> = {
  type: INCIDENT_CHECK_TYPE,
  keys: KEYS,
  read: readIncidentCheckSettings,
  weakness: (id, settings) => {
    if (!settings.entityService) {
      return `access.checks.${id}.entityService is false: an incident on any service approves, and anyone who may trigger or acknowledge incidents in PagerDuty can open one in any service they can reach; see docs/checks.md`;
    }
    if (settings.statuses.includes('resolved')) {
      return `access.checks.${id}.statuses includes resolved: resolving anyone's incident on a requested entity's service approves, and in PagerDuty anyone who may respond to incidents on the service may resolve them; see docs/checks.md`;
    }
    return undefined;
  },
  run: runIncidentCheck,
};

/**
 * The `pagerduty-incident` check type: passes when an incident in one of the configured
 * statuses is assigned to the requester on each requested entity's service (on any service
 * with `entityService: false`, which logs a warning).
 * @public
 */
export function createIncidentCheckFactory(
  options: PagerDutyCheckFactoryOptions,
): AccessCheckFactory {
  return pagerDutyCheckFactory(INCIDENT_CHECK, options.getClient);
}

async function runIncidentCheck(
  client: PagerDutyClient,
  settings: IncidentCheckSettings,
  context: AccessCheckContext,
  found: RequesterAndServices,
): Promise<AccessCheckOutcome> {
  const { user, services: targets } = found;

  const serviceIds = targets
    ? [...new Set(targets.map(t => t.serviceId))]
    : undefined;
  const open = settings.statuses.filter(
    (s): s is Exclude<PagerDutyIncidentStatus, 'resolved'> => s !== 'resolved',
  );
  const assigned =
    open.length > 0
      ? await client.listIncidents(
          { userIds: [user.id], statuses: open, serviceIds },
          { signal: context.signal },
        )
      : [];
  // the filters are applied here too: an answer that ignored one must not approve
  const matching = assigned.filter(
    i =>
      open.includes(i.status as (typeof open)[number]) &&
      (!serviceIds || (!!i.service && serviceIds.includes(i.service.id))) &&
      (i.assignments ?? []).some(a => a?.assignee?.id === user.id),
  );
  const uncoveredIds = (serviceIds ?? []).filter(
    id => !matching.some(i => i.service?.id === id),
  );
  if (
    settings.statuses.includes('resolved') &&
    (serviceIds ? uncoveredIds.length > 0 : matching.length === 0)
  ) {
    matching.push(
      ...(await resolvedIncidentsHandledBy(client, user, {
        serviceIds: serviceIds ? uncoveredIds : undefined,
        since: Date.now() - settings.resolvedWithinMs,
        signal: context.signal,
      })),
    );
  }

  const statusText = orList(settings.statuses);
  // resolved incidents are assigned to nobody: the requester must have handled one
  const who = settings.statuses.includes('resolved')
    ? `${
        user.email
      } (resolved: acknowledged or resolved by them in the last ${formatWindow(
        settings.resolvedWithinMs,
      )})`
    : user.email;
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

/** E.g. `24h`, `90m`, `2d`. */
function formatWindow(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes % (24 * 60) === 0) return `${minutes / (24 * 60)}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${Math.max(minutes, 1)}m`;
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
