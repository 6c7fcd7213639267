import { createServer, IncomingMessage, Server } from 'http';
import { AddressInfo } from 'net';
import { Webhook } from 'standardwebhooks';
import {
  createTestDatabases,
  FLOWS,
  startAccessBackend,
} from '../__testUtils__/harness';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const SECRET = `whsec_${Buffer.from(
  'a-32-byte-secret-for-the-tests!!',
).toString('base64')}`;

function body(req: IncomingMessage): Promise<string> {
  return new Promise(resolve => {
    let text = '';
    req.on('data', c => (text += c));
    req.on('end', () => resolve(text));
  });
}

describe.each(databases.eachSupportedId())(
  'the built-in webhook provisioner on %s',
  databaseId => {
    let receiver: Server;
    let url: string;
    const seen: { type: string; id: string; verified: boolean }[] = [];

    beforeAll(async () => {
      receiver = createServer(async (req, res) => {
        const text = await body(req);
        let verified = true;
        try {
          new Webhook(SECRET).verify(
            text,
            req.headers as Record<string, string>,
          );
        } catch {
          verified = false;
        }
        const event = JSON.parse(text);
        seen.push({
          type: event.type,
          id: String(req.headers['webhook-id']),
          verified,
        });
        res.setHeader('Content-Type', 'application/json');
        res.end(
          JSON.stringify(
            event.type === 'access.grant'
              ? {
                  accessDetails: {
                    role: `jit_${event.data.requestId.slice(0, 6)}`,
                  },
                }
              : {},
          ),
        );
      });
      await new Promise<void>(resolve =>
        receiver.listen(0, '127.0.0.1', resolve),
      );
      url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    });
    afterAll(
      () => new Promise<void>(resolve => receiver.close(() => resolve())),
    );

    it('grants and revokes through signed events, and gives the grantee what the receiver answered', async () => {
      const h = await startAccessBackend({
        knex: await databases.init(databaseId),
        access: {
          flows: [{ ...FLOWS[0], provisioner: 'lambda' }],
          provisioners: {
            lambda: {
              type: 'webhook',
              url,
              secret: SECRET,
              timeout: '2s',
              retries: 1,
            },
          },
        },
      });
      try {
        const r = (
          await h.api.post('/requests', {
            resources: [
              {
                entityRef: 'resource:default/orders-db-staging',
                permissions: ['read'],
              },
            ],
          })
        ).body.items[0];
        expect(r).toMatchObject({
          status: 'granted',
          accessDetails: { role: `jit_${r.id.slice(0, 6)}` },
        });
        const revoked = await h.api.post(`/requests/${r.id}/revoke`, {});
        expect(revoked.body.status).toBe('revoked');
        expect(seen.slice(-2)).toEqual([
          { type: 'access.grant', id: `msg_${r.id}_grant`, verified: true },
          { type: 'access.revoke', id: `msg_${r.id}_revoke`, verified: true },
        ]);
      } finally {
        await h.backend.stop();
      }
    });
  },
);
