import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  createTestDatabases,
  startAccessBackend,
} from '../__testUtils__/harness';

const databases = createTestDatabases();

describe('when the catalog is down', () => {
  it('answers 503 with a clear message instead of a 500', async () => {
    const down = async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:7007');
    };
    const h = await startAccessBackend({
      knex: await databases.init('SQLITE_3'),
      catalog: catalogServiceMock.mock({
        getEntityByRef: down,
        getEntitiesByRefs: down,
        getEntities: down,
        queryEntities: down,
      }).factory,
    });
    try {
      const res = await h.api.post('/requests', {
        resources: [
          { entityRef: 'resource:default/orders-db', permissions: ['read'] },
        ],
        justification: 'x',
      });
      expect(res.status).toBe(503);
      expect(res.body.error.message).toContain(
        'The software catalog did not answer',
      );
      expect((await h.api.get('/resources')).status).toBe(503);
      // what does not need the catalog keeps working
      expect((await h.api.get('/requests?view=mine')).status).toBe(200);
    } finally {
      await h.backend.stop();
    }
  });
});

describe('when the catalog refuses a query', () => {
  it('answers 400 with its reason, not 503', async () => {
    // What the catalog client throws for a 400 answer (a ResponseError).
    const refused = async () => {
      throw Object.assign(new Error('Malformed cursor, could not be parsed'), {
        name: 'ResponseError',
        statusCode: 400,
      });
    };
    const h = await startAccessBackend({
      knex: await databases.init('SQLITE_3'),
      catalog: catalogServiceMock.mock({ queryEntities: refused }).factory,
    });
    try {
      const res = await h.api.get('/resources?q=orders');
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(
        'The software catalog refused the query: Malformed cursor, could not be parsed',
      );
    } finally {
      await h.backend.stop();
    }
  });
});
