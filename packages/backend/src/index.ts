/*
 * The backend of the JIT Access for Backstage demo app.
 */

import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

// auth plugin, with the dev-only "sign in as any example user" provider
// (refused unless NODE_ENV=development; see ./modules/devSignIn)
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('./modules/devSignIn'));

// catalog plugin
backend.add(import('@backstage/plugin-catalog-backend'));
// See https://backstage.io/docs/features/software-catalog/configuration#subscribing-to-catalog-errors
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

// permission plugin, with the JIT Access policy: the users and groups of
// access.permissionPolicy.admins (platform-admins) administer access; the rest is allowed
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(
  import('@jit-access/plugin-permission-backend-module-access-policy'),
);

// notifications and signals plugins
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

// user settings plugin
backend.add(import('@backstage/plugin-user-settings-backend'));

// JIT access plugin
backend.add(import('@jit-access/plugin-access-backend'));
// PagerDuty checks: auto-approve on-call engineers and incident responders
backend.add(import('@jit-access/plugin-access-backend-module-pagerduty'));
// PostgreSQL provisioner: a login role per grant (the analytics-db flow of the demo)
backend.add(import('@jit-access/plugin-access-backend-module-postgres'));

backend.start();
