import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import { navModule } from './modules/nav';
import { signInModule } from './modules/signIn';

// Other frontend plugins (org, notifications, signals, user settings and the
// JIT access plugin) are discovered from package.json (`app.packages: all`).
export default createApp({
  features: [catalogPlugin, navModule, signInModule],
});
