import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { z } from 'zod';
import { parseDurationSeconds } from './duration';
import { entityTrustFields, entityTrustSchema } from './entityTrustSchema';
import { patternProblem } from './eventSubscriptions';

const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** The id, title and description every configured flow and bundle has. */
function titled(example: string) {
  return {
    id: z.string().regex(KEBAB, `must be kebab-case, like ${example}`),
    title: z.string().min(1),
    description: z.string().optional(),
  };
}

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
    ...titled('prod-db'),
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
    ...titled('incident-kit'),
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

/** The shape of `access.*`; cross-references and webhook receivers are checked by readAccessConfig. */
export const accessSchema = z
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
