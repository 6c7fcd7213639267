import {
  BackstageCredentials,
  BackstageServicePrincipal,
  BackstageUserPrincipal,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import {
  accessAdminPermission,
  accessAuditReadPermission,
  accessRequestCreateOnBehalfPermission,
  accessRequestCreatePermission,
} from '@jit-access/plugin-access-common';
import { createValidatedOpenApiRouter } from '@backstage/backend-openapi-utils';
import express, { Request, Response } from 'express';
import Router from 'express-promise-router';
import { spec } from '../schema/openapi/generated/spec';
import { AuditChain } from '../audit/AuditChain';
import { readAuditTrailPage } from '../audit/auditTrailPage';
import { flowSummary } from '../flows/flowSummary';
import { auditCsv } from './auditCsv';
import { DecisionCache } from './DecisionCache';
import {
  generateCursorKey,
  RESOURCES_CURSOR_KEY_SETTING,
  ResourcesCursors,
} from './resourcesCursor';
import { searchResources } from './searchResources';
import { assertMayActOnBehalf } from './onBehalfOf';
import { AccessConfig } from '../config/AccessConfig';
import { AccessStore } from '../database/AccessStore';
import { CatalogDirectory } from '../flows/CatalogDirectory';
import { FlowResolver } from '../flows/FlowResolver';
import { AccessRequestService, Caller } from '../requests/AccessRequestService';
import { resolveRequester } from '../requests/resolveRequester';
import { TooManyRequestsError } from '../requests/submissionLimits';
import { listFilters, statusFilter } from './listFilters';
import { decodeCursor, encodeCursor } from './requestCursor';
import { validationErrorRewriter } from './validationErrors';

/**
 * Largest JSON body accepted. 1,000 items with typical entity refs and a few permissions
 * each take about 100 kB; the schema's own per-field limits allow more than any real use.
 */
export const BODY_LIMIT = '1mb';

export interface RouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  service: AccessRequestService;
  resolver: FlowResolver;
  directory: CatalogDirectory;
  store: AccessStore;
  config: AccessConfig;
  auditChain: AuditChain;
}

/** Any request, whatever the spec says its parameters are (for the shared helpers). */
type AnyRequest = Request<any, any, any, any>;

/** Request ids are UUIDs (any version, as PostgreSQL's uuid type reads them). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The spec as the router serves it: paths relative to where the plugin is mounted. */
const routerSpec = { ...spec, servers: [{ url: '/' }] };

/**
 * The HTTP API under /api/access. Only this file knows HTTP. Requests are validated
 * against `schema/openapi.yaml` before a handler runs (types, lengths, patterns, unknown
 * keys and parameters); handlers check only what the spec cannot say.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const {
    httpAuth,
    permissions,
    service,
    resolver,
    directory,
    store,
    config,
    auditChain,
  } = options;
  const outer = Router();
  // Parsed here, outside the validated router, so an oversized body stays a 413 (the
  // validated router would turn any error of its own middleware into a 400).
  outer.use(express.json({ limit: BODY_LIMIT }));
  const router = createValidatedOpenApiRouter(routerSpec, {
    // Who may call is httpRouter's and httpAuth's job; the spec only documents it.
    validatorOptions: { validateSecurity: false },
  });
  outer.use(router);
  // Fail closed: the validator lets through what it cannot match to an operation (HEAD,
  // which Express would answer with the GET handler; a path with `#…`, which Express
  // still routes), and such a call would reach a handler unchecked. The library's own
  // GET /openapi.json is registered before this.
  router.use((req, _res, next) => {
    if ((req as { openapi?: { schema?: unknown } }).openapi?.schema) next();
    else
      next(
        new NotFoundError(`No route ${req.method} ${req.path.slice(0, 100)}`),
      );
  });
  const decisionCache = new DecisionCache({
    ttlMs: 10_000,
    maxEntries: 10_000,
  });
  const cursors = new ResourcesCursors(() =>
    store.settings.getOrCreateSetting(
      RESOURCES_CURSOR_KEY_SETTING,
      generateCursorKey,
    ),
  );

  /**
   * Who is calling, with the decisions on `also` asked in the same round trip as the
   * admin check (the permission service may be a network call away).
   */
  async function caller(
    req: AnyRequest,
    also: BasicPermission[] = [],
  ): Promise<{
    caller: Caller;
    credentials: BackstageCredentials<
      BackstageUserPrincipal | BackstageServicePrincipal
    >;
    /** Names of the permissions in `also` that are allowed. */
    allowed: Set<string>;
  }> {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const isUser = credentials.principal.type === 'user';
    // Services never administer, so their admin decision is not asked.
    const asked = isUser ? [accessAdminPermission, ...also] : also;
    const decide = async () => {
      const decisions = asked.length
        ? await permissions.authorize(
            asked.map(permission => ({ permission })),
            { credentials },
          )
        : [];
      return new Set(
        asked
          .filter((_, i) => decisions[i].result === AuthorizeResult.ALLOW)
          .map(p => p.name),
      );
    };
    const allowed =
      credentials.principal.type === 'user'
        ? await decisionCache.get(
            credentials.principal.userEntityRef,
            asked.map(p => p.name),
            decide,
          )
        : await decide();
    if (credentials.principal.type === 'user') {
      return {
        credentials,
        allowed,
        caller: {
          ref: credentials.principal.userEntityRef,
          type: 'user',
          isAdmin: allowed.has(accessAdminPermission.name),
          credentials,
        },
      };
    }
    // Services act only through on-behalf-of submissions. The prefix keeps a service
    // subject from ever being taken for a user entity ref.
    return {
      credentials,
      allowed,
      caller: {
        ref: `service:${credentials.principal.subject}`,
        type: 'service',
        isAdmin: false,
      },
    };
  }

  /**
   * The request id in the path. Anything that is not a UUID names no request: 404 like an
   * unknown id, and it never reaches the database (a PostgreSQL uuid column would refuse it).
   */
  const id = (req: AnyRequest) => {
    const raw = req.params.id;
    if (!UUID.test(raw)) {
      const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
      throw new NotFoundError(`No access request ${shown}`);
    }
    return raw;
  };

  function idempotencyKey(req: AnyRequest): string | undefined {
    const key = req.header('idempotency-key');
    if (key !== undefined && (key.length < 1 || key.length > 255)) {
      throw new InputError('Idempotency-Key header: 1 to 255 characters');
    }
    return key;
  }

  /**
   * A replay answers like the original (201), as the IETF idempotency-key draft asks, and
   * says it is one so a client can tell.
   */
  function created(
    res: Response,
    result: { items: unknown[]; replayed: boolean },
  ) {
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(201).json({ items: result.items });
  }

  router.get('/flows', async (req, res) => {
    await caller(req);
    res.json({ items: resolver.flows.map(flowSummary) });
  });

  router.get('/bundles', async (req, res) => {
    await caller(req);
    res.json({ items: config.bundles.map(b => ({ ...b })) });
  });

  router.get('/resources', async (req, res) => {
    const { caller: c, credentials } = await caller(req);
    const q = req.query;
    // Services have no catalog identity of their own, so nothing is requestable for them here.
    const user =
      c.type === 'user' ? await resolveRequester(directory, c) : undefined;
    if (!user) {
      res.json({ items: [] });
      return;
    }
    res.json(
      await searchResources(
        { resolver, directory, cursors },
        { user, credentials },
        q,
      ),
    );
  });

  async function submissionCaller(req: AnyRequest, requester?: string) {
    const {
      caller: c,
      allowed,
      credentials,
    } = await caller(req, [
      accessRequestCreatePermission,
      accessRequestCreateOnBehalfPermission,
    ]);
    if (!allowed.has(accessRequestCreatePermission.name)) {
      throw new NotAllowedError(
        'You may not request access (access.request.create)',
      );
    }
    if (c.type === 'service' && requester !== undefined) {
      assertMayActOnBehalf(
        (credentials.principal as BackstageServicePrincipal).subject,
        config.onBehalfOfServices,
      );
    }
    if (
      c.type === 'service' &&
      requester !== undefined &&
      !allowed.has(accessRequestCreateOnBehalfPermission.name)
    ) {
      throw new NotAllowedError(
        'This service may not request access on behalf of users (access.request.create.onbehalf)',
      );
    }
    return c;
  }

  router.post('/requests/preview', async (req, res) => {
    const body = req.body;
    const c = await submissionCaller(req, body.requester);
    res.json({ items: await service.submissions.preview(c, body) });
  });

  router.post('/requests', async (req, res) => {
    const body = req.body;
    const c = await submissionCaller(req, body.requester);
    const key = idempotencyKey(req);
    created(
      res,
      await service.submissions.submit(c, body, { idempotencyKey: key }),
    );
  });

  router.get('/requests', async (req, res) => {
    const { caller: c } = await caller(req);
    const q = req.query;
    // Defaults are the spec's: the validator filled them in (and nothing unvalidated gets here).
    const view = q.view!;
    const limit = q.limit!;
    const statuses = statusFilter(q.status);
    const filters = listFilters(view, q);
    if (view === 'favorites') {
      res.json({ items: await service.views.favorites(c, limit) });
      return;
    }
    if (view === 'all' && !c.isAdmin) {
      throw new NotAllowedError(
        'Only access admins may list all requests (access.admin)',
      );
    }
    const cursor = q.cursor ? decodeCursor(q.cursor) : undefined;
    // Filters only narrow what the view already shows the caller.
    const query =
      view === 'all'
        ? { view: 'all' as const, statuses, filters }
        : { view, user: c.ref, statuses, filters };
    const page = await service.views.list(c, query, { cursor, limit });
    res.json({
      items: page.items,
      nextCursor: page.nextCursor ? encodeCursor(page.nextCursor) : undefined,
    });
  });

  router.get('/requests/:id', async (req, res) => {
    const { caller: c } = await caller(req);
    res.json(await service.views.get(c, id(req)));
  });

  router.post('/requests/:id/approve', async (req, res) => {
    const { caller: c } = await caller(req);
    res.json(await service.decisions.approve(c, id(req), req.body?.comment));
  });

  router.post('/requests/:id/reject', async (req, res) => {
    const { caller: c } = await caller(req);
    // The spec asks for a reason; white space is not one.
    const reason = req.body.reason.trim();
    if (!reason)
      throw new InputError('Invalid body: reason: a reason is required');
    res.json(await service.decisions.reject(c, id(req), reason));
  });

  router.post('/requests/:id/cancel', async (req, res) => {
    const { caller: c } = await caller(req);
    res.json(await service.cancelAndRevoke.cancel(c, id(req)));
  });

  router.post('/requests/:id/revoke', async (req, res) => {
    const { caller: c } = await caller(req);
    res.json(
      await service.cancelAndRevoke.revoke(c, id(req), req.body?.reason),
    );
  });

  router.post('/requests/:id/again', async (req, res) => {
    const c = await submissionCaller(req);
    const justification = req.body?.justification ?? '';
    const requestId = id(req);
    const key = idempotencyKey(req);
    created(
      res,
      await service.submissions.again(c, requestId, justification, {
        idempotencyKey: key,
      }),
    );
  });

  router.post('/requests/:id/extend', async (req, res) => {
    const { caller: c } = await caller(req);
    const body = req.body;
    res.json(
      await service.extensions.extend(
        c,
        id(req),
        body.durationSeconds,
        body.justification ?? '',
      ),
    );
  });

  router.put('/requests/:id/favorite', async (req, res) => {
    const { caller: c } = await caller(req);
    res.json(await service.views.setFavorite(c, id(req), true));
  });

  router.delete('/requests/:id/favorite', async (req, res) => {
    const { caller: c } = await caller(req);
    res.json(await service.views.setFavorite(c, id(req), false));
  });

  router.get('/entity-access', async (req, res) => {
    const { caller: c, credentials } = await caller(req);
    const q = req.query;
    res.json(await service.entities.entityAccess(c, q.entityRef, credentials));
  });

  router.get('/entity-access/history', async (req, res) => {
    const { caller: c, credentials } = await caller(req);
    const q = req.query;
    const page = await service.entities.entityHistory(
      c,
      q.entityRef,
      {
        cursor: q.cursor ? decodeCursor(q.cursor) : undefined,
        limit: q.limit!,
      },
      credentials,
    );
    res.json({
      items: page.items,
      nextCursor: page.nextCursor ? encodeCursor(page.nextCursor) : undefined,
    });
  });

  async function assertAuditReader(req: AnyRequest) {
    const { credentials, allowed } = await caller(req, [
      accessAuditReadPermission,
    ]);
    if (
      credentials.principal.type !== 'user' ||
      !allowed.has(accessAuditReadPermission.name)
    ) {
      throw new NotAllowedError(
        'Only access admins may read the audit log (access.audit.read)',
      );
    }
  }

  router.get('/audit/verify', async (req, res) => {
    await assertAuditReader(req);
    // Seal what has committed so far, so the answer covers every entry up to now.
    await auditChain.sealPending();
    res.json(await auditChain.verify());
  });

  router.get('/audit', async (req, res) => {
    await assertAuditReader(req);
    const q = req.query;
    const { items, nextCursor } = await readAuditTrailPage(store.audit, {
      cursor: q.cursor,
      limit: q.limit!,
      requestId: q.requestId,
    });
    if (q.format === 'csv') {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader(
        'Content-Disposition',
        'attachment; filename="access-audit.csv"',
      );
      if (nextCursor) res.setHeader('X-Next-Cursor', nextCursor);
      // The typed router knows the JSON answer only; this is the spec's text/csv one.
      (res as unknown as Response).send(auditCsv(items));
      return;
    }
    res.json({ items, nextCursor });
  });

  // A 429 says when to try again; Backstage's error handler writes the body.
  router.use(
    (
      err: unknown,
      _req: Request,
      res: Response,
      next: express.NextFunction,
    ) => {
      if (err instanceof TooManyRequestsError && err.retryAfterSeconds)
        res.setHeader('Retry-After', String(err.retryAfterSeconds));
      next(err);
    },
  );

  router.use(validationErrorRewriter(routerSpec));

  return outer;
}
