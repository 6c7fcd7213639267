import {
  PagerDutyAgent,
  PagerDutyClient,
  PagerDutyError,
  PagerDutyIncident,
  PagerDutyUser,
} from '../client/PagerDutyClient';

/** The most incident logs one check reads; past that it cannot tell and says so. */
export const MAX_INCIDENT_LOGS_READ = 10;

const HANDLED = ['acknowledge_log_entry', 'resolve_log_entry'];

const isUser = (agent: PagerDutyAgent | undefined, user: PagerDutyUser) =>
  agent?.type === 'user_reference' && agent.id === user.id;

/**
 * Resolved incidents that `user` acknowledged or resolved, resolved since `since` (ms),
 * newest first: one per service of `serviceIds` at most, or the first one found without
 * services. PagerDuty lists resolved incidents without assignees, so who handled one comes
 * from who resolved it (`last_status_change_by`) or, failing that, from its log.
 */
export async function resolvedIncidentsHandledBy(
  client: PagerDutyClient,
  user: PagerDutyUser,
  options: { serviceIds?: string[]; since: number; signal?: AbortSignal },
): Promise<PagerDutyIncident[]> {
  const { serviceIds, since, signal } = options;
  const resolvedAt = (i: PagerDutyIncident) => Date.parse(i.resolved_at ?? '');
  // the filters are applied here too: an answer that ignored one must not approve
  const recent = (
    await client.listResolvedIncidents({ serviceIds }, { signal })
  )
    .filter(
      i =>
        i.status === 'resolved' &&
        typeof i.service?.id === 'string' &&
        resolvedAt(i) >= since &&
        (!serviceIds || serviceIds.includes(i.service?.id)),
    )
    .sort((a, b) => resolvedAt(b) - resolvedAt(a));

  const found: PagerDutyIncident[] = [];
  const covered = new Set<string>();
  const done = () =>
    serviceIds ? serviceIds.every(id => covered.has(id)) : found.length > 0;
  let logsRead = 0;
  for (const incident of recent) {
    if (done()) break;
    if (covered.has(incident.service.id)) continue;
    let handled = isUser(incident.last_status_change_by, user);
    if (!handled) {
      if (logsRead === MAX_INCIDENT_LOGS_READ) {
        throw new PagerDutyError(
          `more than ${MAX_INCIDENT_LOGS_READ} resolved incidents to look through for ${user.email}; could not tell whether they handled one`,
        );
      }
      logsRead++;
      const log = await client.listIncidentLogEntries(incident.id, { signal });
      handled = log.some(
        e => HANDLED.includes(e.type) && isUser(e.agent, user),
      );
    }
    if (handled) {
      found.push(incident);
      covered.add(incident.service.id);
    }
  }
  return found;
}
