import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { accessApiRef, AccessClient } from './api';

/** The access API for the new frontend system. @alpha */
export const accessApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: accessApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new AccessClient({ discoveryApi, fetchApi }),
    }),
});

/**
 * The JIT Access frontend plugin (new frontend system).
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'access',
  extensions: [accessApi],
});
