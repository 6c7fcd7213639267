/*
 * Backend pieces that exist only for the benchmark:
 *
 * - `bench` auth provider: GET /api/auth/bench/refresh with `x-bench-user: user:default/x`
 *   returns a real Backstage user token for that user (signed by the auth plugin and
 *   verified by the access plugin like any user token), so the load generator can call
 *   the API as a user;
 * - `bench-sleep` provisioner type: waits `delayMs` (default 50) per grant / revoke call and
 *   counts how many calls run at once;
 * - a `bench` plugin: GET /api/bench/stats (provisioner counters, catalog calls, process
 *   memory) and POST /api/bench/reset, unauthenticated.
 *
 * None of this is loaded by the example backend.
 */
import {
  coreServices,
  createBackendModule,
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { AuthenticationError } from '@backstage/errors';
import {
  authProvidersExtensionPoint,
  createProxyAuthenticator,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { accessProvisionersExtensionPoint } from '@jit-access/plugin-access-node';
import express from 'express';
import Router from 'express-promise-router';
import { benchCatalog } from './catalog';

const benchAuthenticator = createProxyAuthenticator<
  unknown,
  { userEntityRef: string },
  unknown
>({
  async defaultProfileTransform(result) {
    return { profile: { displayName: result.userEntityRef } };
  },
  initialize() {
    return undefined;
  },
  async authenticate({ req }) {
    const ref = req.header('x-bench-user');
    if (!ref || !ref.startsWith('user:')) {
      throw new AuthenticationError(
        'bench sign-in needs x-bench-user: user:<ns>/<name>',
      );
    }
    return { result: { userEntityRef: ref } };
  },
});

export const benchAuthModule = createBackendModule({
  pluginId: 'auth',
  moduleId: 'bench-sign-in',
  register(reg) {
    reg.registerInit({
      deps: { providers: authProvidersExtensionPoint },
      async init({ providers }) {
        providers.registerProvider({
          providerId: 'bench',
          factory: createProxyAuthProviderFactory({
            authenticator: benchAuthenticator,
            async signInResolver({ result }, ctx) {
              return ctx.issueToken({
                claims: {
                  sub: result.userEntityRef,
                  ent: [result.userEntityRef],
                },
              });
            },
          }),
        });
      },
    });
  },
});

/**
 * Notifications and signals are counted, not delivered: their backends are separate
 * plugins (with their own tables and catalog look-ups) whose cost is not the access
 * plugin's.
 */
const sent = { notifications: 0, signals: 0 };

/**
 * Counts the SQL statements each plugin sends (all of them go through the `pg` client), so
 * the bench can report round trips per operation. PostgreSQL only; a no-op on SQLite.
 */
interface QueryStat {
  count: number;
  ms: number;
  database: string;
  text: string;
  /** The latest bindings of a SELECT, so the bench can EXPLAIN it as it was sent. */
  values?: unknown[];
}
const queryStats = new Map<string, QueryStat>();
let queryCount = 0;
try {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const pg = require('pg');
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function countedQuery(this: any, ...args: any[]) {
    const first = args[0];
    const text: string =
      typeof first === 'string' ? first : first?.text ?? String(first);
    const key = `${this.database ?? '?'}: ${text
      .replace(/\s+/g, ' ')
      .slice(0, 160)}`;
    const values = Array.isArray(args[1])
      ? args[1]
      : Array.isArray(first?.values)
      ? first.values
      : undefined;
    const entry: QueryStat = queryStats.get(key) ?? {
      count: 0,
      ms: 0,
      database: this.database,
      text,
    };
    // The latest bindings, so the bench can EXPLAIN the statement as it was sent.
    entry.values =
      /^\s*select/i.test(text) && values && values.length <= 1000
        ? values
        : undefined;
    entry.count++;
    queryCount++;
    queryStats.set(key, entry);
    const started = process.hrtime.bigint();
    const done = () => {
      entry.ms += Number(process.hrtime.bigint() - started) / 1e6;
    };
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      args[args.length - 1] = function timed(this: any, ...cbArgs: any[]) {
        done();
        return last.apply(this, cbArgs);
      };
      return original.apply(this, args);
    }
    const result = original.apply(this, args);
    if (result && typeof result.then === 'function') {
      result.then(done, () => {});
    }
    return result;
  };
} catch {
  // no pg
}

const zeroSleepStats = () => ({
  inFlight: 0,
  maxInFlight: 0,
  grants: 0,
  revokes: 0,
  busyMs: 0,
  firstStart: 0,
  lastEnd: 0,
});

/** Counters of the bench-sleep provisioner. */
const sleepStats = zeroSleepStats();

function resetSleepStats() {
  Object.assign(sleepStats, zeroSleepStats());
}

async function sleepCall(delayMs: number) {
  const start = Date.now();
  if (!sleepStats.firstStart) sleepStats.firstStart = start;
  sleepStats.inFlight++;
  sleepStats.maxInFlight = Math.max(
    sleepStats.maxInFlight,
    sleepStats.inFlight,
  );
  try {
    await new Promise(r => setTimeout(r, delayMs));
  } finally {
    sleepStats.inFlight--;
    const end = Date.now();
    sleepStats.busyMs += end - start;
    sleepStats.lastEnd = end;
  }
}

export const benchSleepProvisionerModule = createBackendModule({
  pluginId: 'access',
  moduleId: 'bench-sleep-provisioner',
  register(reg) {
    reg.registerInit({
      deps: { provisioners: accessProvisionersExtensionPoint },
      async init({ provisioners }) {
        provisioners.addProvisionerType({
          type: 'bench-sleep',
          create({ config }) {
            const delayMs = config.getOptionalNumber('delayMs') ?? 50;
            return {
              async grant() {
                sleepStats.grants++;
                await sleepCall(delayMs);
                return {};
              },
              async revoke() {
                sleepStats.revokes++;
                await sleepCall(delayMs);
              },
            };
          },
        });
      },
    });
  },
});

export const benchStatsPlugin = createBackendPlugin({
  pluginId: 'bench',
  register(reg) {
    reg.registerInit({
      deps: { httpRouter: coreServices.httpRouter },
      async init({ httpRouter }) {
        const router = Router();
        router.use(express.json());
        router.get('/stats', async (_req, res) => {
          res.json({
            queries: {
              total: queryCount,
              top: [...queryStats]
                .sort((a, b) => b[1].count - a[1].count)
                .slice(0, 40)
                .map(([sql, v]) => ({
                  sql,
                  count: v.count,
                  ms: Math.round(v.ms),
                  database: v.database,
                  text: v.text,
                  values: v.values,
                })),
            },
            provisioner: sleepStats,
            catalog: { entities: benchCatalog.size, calls: benchCatalog.calls },
            notifications: sent.notifications,
            signals: sent.signals,
            memory: process.memoryUsage(),
          });
        });
        router.get('/memory', async (_req, res) => {
          res.json({ memory: process.memoryUsage() });
        });
        router.post('/reset', async (_req, res) => {
          resetSleepStats();
          queryStats.clear();
          queryCount = 0;
          res.json({ ok: true });
        });
        httpRouter.addAuthPolicy({ path: '/', allow: 'unauthenticated' });
        httpRouter.use(router);
      },
    });
  },
});

export const benchNotificationsFactory = createServiceFactory({
  service: notificationService,
  deps: {},
  factory: () => ({
    async send() {
      sent.notifications++;
    },
  }),
});

export const benchSignalsFactory = createServiceFactory({
  service: signalsServiceRef,
  deps: {},
  factory: () => ({
    async publish() {
      sent.signals++;
    },
  }),
});
