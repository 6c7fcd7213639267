import { Config, ConfigReader } from '@backstage/config';
import { AccessConfig, AccessFlow } from './AccessConfig';
import { accessSchema } from './accessSchema';
import { readWebhookEndpoint } from './webhookEndpoint';

function formatPath(path: (string | number)[]): string {
  return path.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : `${acc}.${p}`),
    'access',
  );
}

const orNoLimit = (n: number | false) => (n === false ? Infinity : n);

/**
 * Thrown when `access.*` config is invalid; the message names every bad key.
 * @public
 */
export class AccessConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid access config:\n  - ${problems.join('\n  - ')}`);
    this.name = 'AccessConfigError';
  }
}

/**
 * Reads and validates `access.*` once at start-up.
 *
 * @param options.provisionerTypes - provisioner types registered by modules (`none` is built in)
 * @param options.checkTypes - check types registered by modules
 */
export function readAccessConfig(
  config: Config,
  options: { provisionerTypes: string[]; checkTypes: string[] },
): AccessConfig {
  const raw = config.getOptional('access') ?? {};
  const parsed = accessSchema.safeParse(raw);
  if (!parsed.success) {
    throw new AccessConfigError(
      parsed.error.issues.map(i => `${formatPath(i.path)}: ${i.message}`),
    );
  }
  const a = parsed.data;
  const problems: string[] = [];

  const seen = new Map<string, number>();
  a.flows.forEach((f, i) => {
    if (seen.has(f.id)) {
      problems.push(
        `access.flows[${i}].id: duplicate flow id "${
          f.id
        }" (also access.flows[${seen.get(f.id)}])`,
      );
    } else seen.set(f.id, i);
  });
  const seenBundles = new Map<string, number>();
  a.bundles.forEach((b, i) => {
    if (seenBundles.has(b.id)) {
      problems.push(`access.bundles[${i}].id: duplicate bundle id "${b.id}"`);
    } else seenBundles.set(b.id, i);
  });

  const provisioners = Object.entries(a.provisioners).map(([id, p]) => ({
    id,
    type: p.type,
    ...(p.trust ? { trust: p.trust } : {}),
  }));
  for (const p of provisioners) {
    if (p.id === 'none') {
      problems.push(
        `access.provisioners.none: "none" is built in and cannot be redefined`,
      );
    }
    if (!options.provisionerTypes.includes(p.type)) {
      problems.push(
        `access.provisioners.${p.id}.type: unknown provisioner type "${
          p.type
        }" (known: ${options.provisionerTypes.join(', ')})`,
      );
    }
  }
  const checks = Object.entries(a.checks).map(([id, c]) => ({
    id,
    type: c.type,
    maxDurationSeconds: c.maxDuration,
  }));
  for (const c of checks) {
    if (!options.checkTypes.includes(c.type)) {
      problems.push(
        `access.checks.${c.id}.type: unknown check type "${c.type}"${
          options.checkTypes.length
            ? ` (known: ${options.checkTypes.join(', ')})`
            : ' (no check types are installed)'
        }`,
      );
    }
  }
  const provisionerIds = new Set(['none', ...provisioners.map(p => p.id)]);
  const checkIds = new Set(checks.map(c => c.id));

  const flows: AccessFlow[] = a.flows.map((f, i) => {
    if (!provisionerIds.has(f.provisioner)) {
      problems.push(
        `access.flows[${i}].provisioner: unknown provisioner "${f.provisioner}" (configure it under access.provisioners)`,
      );
    }
    for (const key of ['autoApproveChecks', 'requiredChecks'] as const) {
      f.approval[key].forEach((id, j) => {
        if (!checkIds.has(id)) {
          problems.push(
            `access.flows[${i}].approval.${key}[${j}]: unknown check "${id}" (configure it under access.checks)`,
          );
        }
      });
    }
    // Only a list of named users can be counted now; owners and groups resolve per request.
    if (
      f.approval.type === 'manual' &&
      f.approval.approvers.every(x => x.startsWith('user:'))
    ) {
      const users = new Set(f.approval.approvers).size;
      if (users < f.approval.required) {
        problems.push(
          `access.flows[${i}].approval.required: needs ${f.approval.required} approvals but only ${users} approver(s) are listed`,
        );
      }
    }
    return {
      id: f.id,
      title: f.title,
      description: f.description,
      requesters: f.requesters,
      filters: Array.isArray(f.resources.filter)
        ? f.resources.filter
        : [f.resources.filter],
      permissions: [...new Set(f.resources.permissions)],
      approval: f.approval,
      duration: {
        defaultSeconds: f.duration.default,
        maxSeconds: f.duration.max,
        extensions: f.duration.extensions,
      },
      justification:
        f.approval.type === 'breakglass' ? 'required' : f.justification,
      provisioner: f.provisioner,
      ...(f.resources.namespaces || f.resources.origins
        ? {
            trust: {
              namespaces: f.resources.namespaces,
              origins: f.resources.origins,
            },
          }
        : {}),
    };
  });

  const seenWebhooks = new Set<string>();
  const webhooks = a.webhooks.flatMap((w, i) => {
    if (seenWebhooks.has(w.id)) {
      problems.push(`access.webhooks[${i}].id: duplicate webhook id "${w.id}"`);
    }
    seenWebhooks.add(w.id);
    try {
      // The same checks as the webhook provisioner's receiver: URL, secret, headers, timeout.
      const o = readWebhookEndpoint(
        new ConfigReader({
          url: w.url,
          secret: w.secret,
          ...(w.headers ? { headers: w.headers } : {}),
          ...(w.timeout !== undefined ? { timeout: w.timeout as any } : {}),
          ...(w.maxResponseBytes !== undefined
            ? { maxResponseBytes: w.maxResponseBytes as any }
            : {}),
        }),
      );
      return [
        {
          id: w.id,
          url: o.url,
          secret: o.secret,
          headers: o.headers,
          events: [...new Set(w.events)],
          timeoutMs: o.timeoutMs,
          maxResponseBytes: o.maxResponseBytes,
        },
      ];
    } catch (e) {
      problems.push(`access.webhooks[${i}].${(e as Error).message}`);
      return [];
    }
  });

  if (problems.length) throw new AccessConfigError(problems);

  return {
    flows,
    bundles: a.bundles,
    provisioners,
    checks,
    pendingTimeoutSeconds: a.pendingTimeout ?? 7 * 86400,
    expiryFrequencySeconds: a.expiry?.frequency ?? 5,
    revokeConcurrency: a.expiry?.revokeConcurrency ?? 8,
    limits: {
      checkConcurrency: a.limits?.checkConcurrency ?? 8,
      grantConcurrency: a.limits?.grantConcurrency ?? 4,
      // `false` turns a per-user limit off.
      submissionsPerMinute: orNoLimit(a.limits?.submissionsPerMinute ?? 30),
      openPendingPerUser: orNoLimit(a.limits?.openPendingPerUser ?? 1000),
    },
    webhooks,
    onBehalfOfServices: [...new Set(a.onBehalfOf?.allowedServices ?? [])],
    reverifyFrequencySeconds: a.reverify?.frequency ?? 300,
    expiringSoonNoticeSeconds:
      a.notifications?.expiringSoon === false
        ? 0
        : a.notifications?.expiringSoon ?? 900,
  };
}
