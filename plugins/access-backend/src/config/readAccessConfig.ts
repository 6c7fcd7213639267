import { Config, ConfigReader } from '@backstage/config';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { z } from 'zod';
import { AccessConfig, AccessFlow } from './AccessConfig';
import { entityTrustFields, entityTrustSchema } from './entityTrustSchema';
import { parseDurationSeconds } from './duration';
import { readWebhookProvisionerOptions } from '../provisioning/webhookProvisioner';
import { patternProblem } from '../webhooks/eventTypes';

const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;

const duration = z.unknown().transform((value, ctx) => {
  try {
    return parseDurationSeconds(value);
  } catch (e) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: (e as Error).message,
    });
    return z.NEVER;
  }
});

function entityRef(kinds: string[], extra: string[] = []) {
  return z.string().transform((value, ctx) => {
    if (extra.includes(value)) return value;
    try {
      const ref = parseEntityRef(value);
      if (!kinds.includes(ref.kind.toLocaleLowerCase('en-US'))) {
        throw new Error(`kind must be ${kinds.join(' or ')}`);
      }
      return stringifyEntityRef(ref);
    } catch (e) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `"${value}" is not ${[
          ...extra.map(x => `'${x}'`),
          `a ${kinds.join('/')} entity ref like '${kinds[0]}:default/name'`,
        ].join(' or ')} (${(e as Error).message})`,
      });
      return z.NEVER;
    }
  });
}

const filterValue = z.union([
  z.string().min(1),
  z.array(z.string().min(1)).min(1),
]);
const filter = z
  .record(z.string().min(1), filterValue)
  .refine(f => Object.keys(f).length > 0, {
    message: 'a filter needs at least one key, such as kind',
  });
const permissionName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_.:-]*$/i,
    'permission names are letters, digits, _ . : -',
  );

const flowSchema = z
  .object({
    id: z.string().regex(KEBAB, 'must be kebab-case, like prod-db'),
    title: z.string().min(1),
    description: z.string().optional(),
    requesters: z.array(entityRef(['user', 'group'], ['*'])).min(1),
    resources: z
      .object({
        filter: z.union([filter, z.array(filter).min(1)]),
        permissions: z.array(permissionName).min(1),
        ...entityTrustFields,
      })
      .strict(),
    approval: z
      .object({
        type: z.enum(['manual', 'automatic', 'breakglass']),
        approvers: z.array(entityRef(['user', 'group'], ['owner'])).default([]),
        required: z.number().int().min(1).default(1),
        allowSelfApproval: z.boolean().default(false),
        autoApproveChecks: z.array(z.string()).default([]),
        requiredChecks: z.array(z.string()).default([]),
      })
      .strict(),
    duration: z
      .object({
        default: duration,
        max: duration,
        extensions: z.number().int().min(0).default(0),
      })
      .strict(),
    justification: z.enum(['required', 'optional']).default('required'),
    provisioner: z.string().default('none'),
  })
  .strict()
  .superRefine((flow, ctx) => {
    if (flow.duration.default > flow.duration.max) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['duration', 'default'],
        message: 'must not be longer than duration.max',
      });
    }
    if (
      flow.approval.type !== 'automatic' &&
      flow.approval.approvers.length === 0
    ) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['approval', 'approvers'],
        message: `a ${flow.approval.type} flow needs at least one approver${
          flow.approval.type === 'breakglass' ? ' to review its use' : ''
        }`,
      });
    }
    if (
      flow.approval.type === 'breakglass' &&
      flow.justification !== 'required'
    ) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['justification'],
        message:
          'break-glass flows always require a justification; set it to required',
      });
    }
  });

const bundleSchema = z
  .object({
    id: z.string().regex(KEBAB, 'must be kebab-case, like incident-kit'),
    title: z.string().min(1),
    description: z.string().optional(),
    resources: z
      .array(
        z
          .object({
            entityRef: entityRef([
              'resource',
              'component',
              'system',
              'domain',
              'api',
              'group',
              'user',
              'location',
              'template',
            ]),
            permissions: z.array(permissionName).min(1),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

const idKey = z.string().regex(KEBAB, 'ids must be kebab-case');

const webhookSchema = z
  .object({
    id: z.string().regex(KEBAB, 'must be kebab-case, like siem'),
    url: z.string().min(1),
    secret: z.string().min(1),
    events: z
      .array(
        z.string().superRefine((p, ctx) => {
          const problem = patternProblem(p);
          if (problem)
            ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
        }),
      )
      .min(1)
      .default(['*']),
    headers: z.record(z.string()).optional(),
    timeout: z.unknown().optional(),
    maxResponseBytes: z.unknown().optional(),
  })
  .strict();

/** A Backstage service principal's subject, as `credentials.principal.subject` gives it. */
const serviceSubject = z
  .string()
  .regex(/^\S+$/, 'a service subject has no spaces')
  .refine(s => !s.startsWith('service:'), {
    message:
      'name the subject without the service: prefix (e.g. itsm-workflow for a static token whose subject is itsm-workflow)',
  })
  .refine(s => !s.includes('*'), {
    message: 'wildcards are not allowed: list each service',
  });

const keysObject = z.object({
  key: z.string().min(1).optional(),
  keys: z
    .array(z.object({ id: z.string().min(1), key: z.string().min(1) }).strict())
    .min(1)
    .optional(),
});
const keysSchema = keysObject.strict().optional();
/** An audit chain head as logged and sent in `audit.sealed`. */
const chainHead = z
  .string()
  .regex(
    /^[1-9][0-9]*:[0-9a-f]{64}$/,
    'must be <seq>:<hash> of an audit chain head (e.g. 12:9c4e...), as logged and sent in audit.sealed',
  );
/** acceptHead may also name the empty chain, to seal a trail that never was sealed. */
const acceptHead = z
  .string()
  .regex(
    /^([1-9][0-9]*:[0-9a-f]{64}|0:)$/,
    "must be <seq>:<hash> of an audit chain head (e.g. 12:9c4e...), as logged and sent in audit.sealed, or '0:' (the empty chain)",
  );
const auditSchema = keysObject
  .extend({
    acceptHead: acceptHead.optional(),
    legacyHead: chainHead.optional(),
    legacyKeys: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict()
  .optional();

const accessSchema = z
  .object({
    flows: z.array(flowSchema).default([]),
    bundles: z.array(bundleSchema).default([]),
    provisioners: z
      .record(
        idKey,
        z
          .object({
            type: z.string().min(1),
            trust: entityTrustSchema.optional(),
          })
          .passthrough(),
      )
      .default({}),
    checks: z
      .record(
        idKey,
        z
          .object({ type: z.string().min(1), maxDuration: duration.optional() })
          .passthrough(),
      )
      .default({}),
    reverify: z.object({ frequency: duration.optional() }).strict().optional(),
    // Keys are decoded and checked by keys/readKeys.ts; only their shape here.
    encryption: keysSchema,
    audit: auditSchema,
    notifications: z
      .object({
        expiringSoon: z.union([z.literal(false), duration]).optional(),
      })
      .strict()
      .optional(),
    pendingTimeout: duration.optional(),
    onBehalfOf: z
      .object({ allowedServices: z.array(serviceSubject).default([]) })
      .strict()
      .optional(),
    webhooks: z.array(webhookSchema).default([]),
    expiry: z
      .object({
        frequency: duration.optional(),
        revokeConcurrency: z.number().int().min(1).max(256).optional(),
      })
      .strict()
      .optional(),
    limits: z
      .object({
        checkConcurrency: z.number().int().min(1).max(256).optional(),
        grantConcurrency: z.number().int().min(1).max(256).optional(),
        submissionsPerMinute: z
          .union([z.literal(false), z.number().int().min(1)])
          .optional(),
        openPendingPerUser: z
          .union([z.literal(false), z.number().int().min(1)])
          .optional(),
      })
      .strict()
      .optional(),
    // Read (and its refs checked) by the permission policy module,
    // @jit-access/plugin-permission-backend-module-access-policy; only its shape here.
    permissionPolicy: z
      .object({ admins: z.array(z.string()).optional() })
      .strict()
      .optional(),
  })
  .strict();

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
      // The same checks as the webhook provisioner: URL, secret, headers, timeout.
      const o = readWebhookProvisionerOptions(
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
