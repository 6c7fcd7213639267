import { Config } from '@backstage/config';
import {
  AccessCheckContext,
  AccessCheckFactory,
  AccessCheckOutcome,
} from '@jit-access/plugin-access-node';
import { PagerDutyClient, PagerDutyOnCall } from '../client/PagerDutyClient';
import {
  readOptionalBoolean,
  readOptionalLevelList,
  readOptionalStringList,
} from './checkConfig';
import {
  pagerDutyCheckFactory,
  PagerDutyCheckFactoryOptions,
  PagerDutyCheckType,
} from './pagerDutyCheckType';
import { RequesterAndServices } from './requesterLookup';

/**
 * The `type` of on-call checks.
 * @public
 */
export const ON_CALL_CHECK_TYPE = 'pagerduty-oncall';

/**
 * The settings of a `pagerduty-oncall` check (its keys under `access.checks.<id>`).
 * @public
 */
export interface OnCallCheckSettings {
  /** Exact, case-sensitive schedule names; undefined means any schedule (or none). */
  schedules?: string[];
  /** Only on call for the escalation policy of each requested entity's service counts. */
  entityService: boolean;
  /** Only these escalation levels count; undefined means any level. */
  escalationLevels?: number[];
  /** Re-verify granted access and revoke it once the requester is off call. */
  revokeWhenOffCall: boolean;
}

const KEYS = [
  'schedules',
  'entityService',
  'escalationLevels',
  'revokeWhenOffCall',
];

/** Reads and validates the settings; errors name the bad key. */
export function readOnCallCheckSettings(config: Config): OnCallCheckSettings {
  return {
    schedules: readOptionalStringList(config, 'schedules', 'schedule names'),
    entityService: readOptionalBoolean(config, 'entityService') ?? false,
    escalationLevels: readOptionalLevelList(config, 'escalationLevels'),
    revokeWhenOffCall:
      readOptionalBoolean(config, 'revokeWhenOffCall') ?? false,
  };
}

const ON_CALL_CHECK: PagerDutyCheckType<OnCallCheckSettings> = {
  type: ON_CALL_CHECK_TYPE,
  keys: KEYS,
  read: readOnCallCheckSettings,
  weakness: (id, settings) =>
    !settings.schedules && !settings.entityService
      ? `access.checks.${id} sets neither schedules nor entityService: being on call anywhere in PagerDuty passes, including by an override someone makes on any schedule they may edit; see docs/checks.md`
      : undefined,
  reverify: settings => settings.revokeWhenOffCall,
  run: runOnCallCheck,
};

/**
 * The `pagerduty-oncall` check type: passes when the requester is on call in PagerDuty
 * right now (optionally for given schedules, escalation levels, or the escalation policy
 * of the requested entities' services).
 * @public
 */
export function createOnCallCheckFactory(
  options: PagerDutyCheckFactoryOptions,
): AccessCheckFactory {
  return pagerDutyCheckFactory(ON_CALL_CHECK, options.getClient);
}

interface PolicyTarget {
  entityRef: string;
  serviceId: string;
  policyId: string;
  policyName?: string;
}

async function runOnCallCheck(
  client: PagerDutyClient,
  settings: OnCallCheckSettings,
  context: AccessCheckContext,
  found: RequesterAndServices,
): Promise<AccessCheckOutcome> {
  const { signal } = context;

  const { user, services: entityServices } = found;

  let scheduleIds: string[] | undefined;
  if (settings.schedules) {
    const { schedules, unknown } = await client.findScheduleIdsByNames(
      settings.schedules,
      { signal },
    );
    if (unknown.length > 0) {
      return {
        outcome: 'error',
        detail: `unknown PagerDuty ${plural(
          unknown.length,
          'schedule',
          'schedules',
        )} ${unknown
          .map(n => `"${n}"`)
          .join(', ')} (schedule names are exact and case-sensitive)`,
      };
    }
    scheduleIds = schedules.map(s => s.id);
  }

  let targets: PolicyTarget[] | undefined;
  if (entityServices) {
    targets = [];
    for (const { entityRef, serviceId } of entityServices) {
      // re-verification asks afresh: the service may have moved to another policy
      const service = await client.getService(serviceId, {
        signal,
        fresh: context.reverifying,
      });
      targets.push({
        entityRef,
        serviceId,
        policyId: service.escalation_policy.id,
        policyName: service.escalation_policy.summary,
      });
    }
  }

  const entries = await client.listOnCalls(
    {
      userIds: [user.id],
      scheduleIds,
      escalationPolicyIds: targets
        ? [...new Set(targets.map(t => t.policyId))]
        : undefined,
    },
    // re-verification must see PagerDuty now, not an answer kept for a first decision
    { signal, fresh: context.reverifying },
  );
  // the filters are applied here too: an answer that ignored one must not approve
  const seen = entries.filter(
    e =>
      (!e.user || e.user.id === user.id) &&
      (!scheduleIds || (!!e.schedule && scheduleIds.includes(e.schedule.id))) &&
      (!targets || targets.some(t => t.policyId === e.escalation_policy.id)),
  );
  const matching = seen.filter(
    e =>
      !settings.escalationLevels ||
      settings.escalationLevels.includes(e.escalation_level),
  );
  const notMatching = seen.filter(e => !matching.includes(e));

  if (!targets) {
    if (matching.length > 0) {
      return {
        outcome: 'passed',
        detail: `on call: ${describeOnCall(lowestLevel(matching))}`,
      };
    }
    return {
      outcome: 'failed',
      detail: notOnCallDetail(settings, undefined, notMatching),
    };
  }

  // every requested entity must be covered by an on-call for its service's policy
  const covered = new Map<PagerDutyOnCall, string[]>();
  const uncovered: PolicyTarget[] = [];
  for (const t of targets) {
    const forPolicy = matching.filter(
      e => e.escalation_policy.id === t.policyId,
    );
    if (forPolicy.length === 0) {
      uncovered.push(t);
    } else {
      const entry = lowestLevel(forPolicy);
      covered.set(entry, [...(covered.get(entry) ?? []), t.entityRef]);
    }
  }
  if (uncovered.length === 0) {
    return {
      outcome: 'passed',
      detail: `on call: ${[...covered]
        .map(
          ([entry, refs]) =>
            `${describeOnCall(entry)} (escalation policy ${
              entry.escalation_policy.summary
                ? `"${entry.escalation_policy.summary}"`
                : entry.escalation_policy.id
            } of ${refs.join(', ')})`,
        )
        .join('; ')}`,
    };
  }
  return {
    outcome: 'failed',
    detail: notOnCallDetail(
      settings,
      uncovered,
      notMatching.filter(e =>
        uncovered.some(t => t.policyId === e.escalation_policy.id),
      ),
    ),
  };
}

function plural(n: number, one: string, many: string) {
  return n === 1 ? one : many;
}

function lowestLevel(entries: PagerDutyOnCall[]): PagerDutyOnCall {
  return entries.reduce((a, b) =>
    b.escalation_level < a.escalation_level ? b : a,
  );
}

function formatTime(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime())
    ? value
    : date.toISOString().replace(/\.000Z$/, 'Z');
}

/** E.g. `schedule "DBA" level 1 until 2026-11-25T18:00:00Z`. */
function describeOnCall(e: PagerDutyOnCall): string {
  const what = e.schedule
    ? `schedule "${e.schedule.summary ?? e.schedule.id}"`
    : `escalation policy "${
        e.escalation_policy.summary ?? e.escalation_policy.id
      }" (directly)`;
  const until = e.end ? `until ${formatTime(e.end)}` : 'with no end';
  return `${what} level ${e.escalation_level} ${until}`;
}

/** E.g. `not on call for schedules DBA, API at escalation level 1`. */
function notOnCallDetail(
  settings: OnCallCheckSettings,
  uncovered: PolicyTarget[] | undefined,
  seenElsewhere: PagerDutyOnCall[],
): string {
  const parts = ['not on call'];
  if (settings.schedules) {
    parts.push(
      `for ${plural(
        settings.schedules.length,
        'schedule',
        'schedules',
      )} ${settings.schedules.join(', ')}`,
    );
  }
  if (uncovered) {
    parts.push(
      `for the escalation policy of ${uncovered
        .map(
          t =>
            `${t.entityRef} (service ${t.serviceId}, escalation policy ${
              t.policyName ? `"${t.policyName}"` : t.policyId
            })`,
        )
        .join(', ')}`,
    );
  }
  if (settings.escalationLevels) {
    parts.push(
      `at escalation ${plural(
        settings.escalationLevels.length,
        'level',
        'levels',
      )} ${settings.escalationLevels.join(', ')}`,
    );
  }
  let detail = parts.join(' ');
  if (parts.length === 1) {
    detail += ' in PagerDuty';
  }
  if (seenElsewhere.length > 0) {
    detail += `; on call only as ${seenElsewhere
      .slice(0, 3)
      .map(describeOnCall)
      .join(', ')}`;
  }
  return detail;
}
