/*
 * The backend under test in `yarn bench`: the real access plugin on the configured
 * database (PostgreSQL, or SQLite with --sqlite), the real auth plugin (user tokens are
 * signed and verified as in production) and the real permission plugin with the example
 * app's policy. Only the catalog (in memory, generated entities), notifications and
 * signals (counted) and the bench sign-in provider / sleep provisioner differ from the
 * example backend; see modules.ts and catalog.ts. Started by bench/run.mjs with the
 * Backstage CLI's TypeScript transform:
 *
 *   node --require @backstage/cli/config/nodeTransform.cjs bench/backend/index.ts --config <file>
 */
import { createBackend } from '@backstage/backend-defaults';
import { benchCatalogServiceFactory } from './catalog';
import {
  benchAuthModule,
  benchNotificationsFactory,
  benchSignalsFactory,
  benchSleepProvisionerModule,
  benchStatsPlugin,
} from './modules';

const backend = createBackend();

backend.add(import('@backstage/plugin-auth-backend'));
backend.add(benchAuthModule);
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(
  import('@jit-access/plugin-permission-backend-module-access-policy'),
);
// BENCH_WITHOUT_ACCESS=1: the same backend without the access plugin, the floor of the
// memory figure (what Backstage itself, auth and permission take).
if (!process.env.BENCH_WITHOUT_ACCESS) {
  backend.add(import('@jit-access/plugin-access-backend'));
  backend.add(benchSleepProvisionerModule);
}
backend.add(benchStatsPlugin);
backend.add(benchCatalogServiceFactory);
backend.add(benchNotificationsFactory);
backend.add(benchSignalsFactory);

backend.start().catch(e => {
  // eslint-disable-next-line no-console
  console.error(e);
  process.exit(1);
});
