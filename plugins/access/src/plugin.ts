import {
  createApiFactory,
  createPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { accessApiRef, AccessClient } from './api';

/**
 * The JIT Access frontend plugin (legacy frontend system).
 * @public
 */
export const accessPlugin = createPlugin({
  id: 'access',
  apis: [
    createApiFactory({
      api: accessApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new AccessClient({ discoveryApi, fetchApi }),
    }),
  ],
});
