import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { randomBytes } from 'crypto';
import { fingerprintOf } from './Keyring';
import { isProduction, readKeys } from './readKeys';

const key = () => randomBytes(32).toString('base64');
const read = (access: object, nodeEnv = 'test', auth?: object) =>
  readKeys(
    new ConfigReader({ access, ...(auth ? { auth } : {}) }),
    mockServices.logger.mock(),
    nodeEnv,
  );

describe('access.encryption and access.audit', () => {
  it('names every bad key at once', () => {
    const same = key();
    expect(() =>
      read({
        encryption: {
          key: key(),
          keys: [{ id: 'a', key: key() }],
        },
        audit: {
          keys: [
            { id: 'a.b', key: key() },
            { id: 'x', key: 'c2hvcnQ=' },
            { id: 'x', key: same },
          ],
        },
      }),
    ).toThrow(
      [
        'access.encryption: set key (one key) or keys (current first, then previous), not both',
        'access.audit.keys[0].id: "a.b" is not 1 to 64 letters, digits, _ or -',
        'access.audit.keys[1].key: must be 32 bytes in base64 (openssl rand -base64 32); got 5 bytes',
        'access.audit.keys[2].id: duplicate key id "x"',
      ].join('\n  - '),
    );
  });

  it('refuses an audit key that is also an access details key', () => {
    const k = key();
    expect(() =>
      read({ encryption: { key: k }, audit: { keys: [{ id: 'a', key: k }] } }),
    ).toThrow(/access\.audit: the audit chain key must differ/);
  });

  it('takes retired details keys for entries sealed before key ids, never an audit key among them', async () => {
    const [old, audit] = [key(), key()];
    const keys = await read({
      encryption: { key: key() },
      audit: { key: audit, legacyKeys: [old] },
    }).resolve(async () => key());
    expect(keys.legacy.map(k => k.toString('base64'))).toEqual([old]);
    expect(keys.audit.all.map(k => k.key.toString('base64'))).toEqual([audit]);
    expect(() =>
      read({
        encryption: { key: key() },
        audit: {
          keys: [
            { id: 'a2', key: key() },
            { id: 'old', key: old },
          ],
          legacyKeys: [old, 'c2hvcnQ='],
        },
      }),
    ).toThrow(
      [
        'access.audit.legacyKeys[1]: must be 32 bytes in base64 (openssl rand -base64 32); got 5 bytes',
        'access.audit.keys[1]: a key in access.audit.legacyKeys (a retired access details key) must not also be an audit key: it would seal new entries',
      ].join('\n  - '),
    );
  });

  it('refuses a key id that is the id derived from another key of the list', () => {
    const [k1, k2] = [randomBytes(32), randomBytes(32)];
    const taken = fingerprintOf(k2);
    expect(() =>
      read({
        encryption: {
          keys: [
            { id: taken, key: k1.toString('base64') },
            { id: 'old', key: k2.toString('base64') },
          ],
        },
      }),
    ).toThrow(
      `access.encryption.keys[0].id: "${taken}" is the id derived from access.encryption.keys[1].key, which what it protected may carry; choose another id`,
    );
  });

  it('knows production by NODE_ENV or auth.environment', () => {
    expect(isProduction(new ConfigReader({}), 'production')).toBe(true);
    expect(
      isProduction(
        new ConfigReader({ auth: { environment: 'production' } }),
        'development',
      ),
    ).toBe(true);
    expect(isProduction(new ConfigReader({}), 'development')).toBe(false);
  });

  it('gives a single key a stable id derived from it, the same inside a keys list', async () => {
    const k = key();
    const dev = async () => key();
    const alone = await read({
      encryption: { key: k },
      audit: { key: key() },
    }).resolve(dev);
    const listed = await read({
      encryption: {
        keys: [
          { id: 'new', key: key() },
          { id: 'old', key: k },
        ],
      },
      audit: { key: key() },
    }).resolve(dev);
    expect(alone.details.current.id).toMatch(/^key-[0-9a-f]{16}$/);
    expect(listed.details.current.id).toBe('new');
    expect(listed.details.find(alone.details.current.id)?.id).toBe('old');
  });
});
