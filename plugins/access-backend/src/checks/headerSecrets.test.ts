import path from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import { createConfigSecretEnumerator } from '@backstage/backend-defaults/rootConfig';
import { ConfigReader } from '@backstage/config';
import {
  createTestDatabases,
  startAccessBackend,
} from '../__testUtils__/harness';

jest.setTimeout(60_000);

const databases = createTestDatabases();

const CHECK = {
  type: 'webhook',
  url: 'https://itsm.example.com/check',
  headers: { Authorization: 'Bearer check-s3cret' },
  validators: [{ jsonPath: '$.ok', expectedValues: [true] }],
};

describe('header secrets in config', () => {
  it('are secrets to Backstage, so its log redaction hides them', async () => {
    // What the root logger does at start: every config value the schemas mark secret.
    const enumerate = await createConfigSecretEnumerator({
      logger: mockServices.logger.mock(),
      dir: path.resolve(__dirname, '../..'),
    });
    const secrets = [
      ...enumerate(
        new ConfigReader({
          access: {
            checks: { ticket: CHECK },
            provisioners: {
              hook: {
                type: 'webhook',
                url: 'https://grants.example.com/hook',
                secret: 'whsec_c2VjcmV0LXNpZ25pbmcta2V5LTEyMzQ1Njc4',
                headers: { 'X-Api-Key': 'provisioner-s3cret' },
              },
            },
            webhooks: [
              {
                id: 'siem',
                url: 'https://siem.example.com/in',
                secret: 'whsec_c2llbS1zaWduaW5nLWtleS0xMjM0NTY3ODkw',
                headers: { Authorization: 'Splunk outbound-s3cret' },
              },
            ],
          },
        }),
      ),
    ];
    expect(secrets).toEqual(
      expect.arrayContaining([
        'Bearer check-s3cret',
        'provisioner-s3cret',
        'Splunk outbound-s3cret',
      ]),
    );
    // not everything is a secret
    expect(secrets).not.toContain('https://itsm.example.com/check');
  });

  it('stop the start when fetch would refuse one, naming the key without the value', async () => {
    const knex = await databases.init('SQLITE_3');
    const start = startAccessBackend({
      knex,
      access: {
        checks: {
          ticket: {
            ...CHECK,
            headers: { Authorization: 'Bearer check-s3cret\nX-Evil: 1' },
          },
        },
        flows: [],
      },
    });
    await expect(start).rejects.toThrow(
      'access.checks.ticket.headers.Authorization: is not a valid HTTP header name and value',
    );
    const error = await start.catch(e => e);
    expect(String(error?.stack ?? error)).not.toContain('check-s3cret');
  });
});
