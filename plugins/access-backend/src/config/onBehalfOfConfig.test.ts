import { ConfigReader } from '@backstage/config';
import { readAccessConfig } from './readAccessConfig';

const read = (onBehalfOf: unknown) =>
  readAccessConfig(new ConfigReader({ access: { onBehalfOf } } as any), {
    provisionerTypes: ['none'],
    checkTypes: [],
  });

function problems(onBehalfOf: unknown): string {
  try {
    read(onBehalfOf);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the config to be refused');
}

describe('access.onBehalfOf', () => {
  it('allows no service by default', () => {
    expect(
      readAccessConfig(new ConfigReader({}), {
        provisionerTypes: ['none'],
        checkTypes: [],
      }).onBehalfOfServices,
    ).toEqual([]);
    expect(read({}).onBehalfOfServices).toEqual([]);
  });

  it('reads the listed subjects', () => {
    expect(
      read({
        allowedServices: ['itsm-workflow', 'plugin:ticketing', 'itsm-workflow'],
      }).onBehalfOfServices,
    ).toEqual(['itsm-workflow', 'plugin:ticketing']);
  });

  it.each([
    [['service:itsm'], 'without the service: prefix'],
    [['plugin:*'], 'wildcards are not allowed'],
    [['*'], 'wildcards are not allowed'],
    [['two words'], 'no spaces'],
    ['itsm', 'Expected array'],
  ])('refuses %j, naming the key', (allowedServices, why) => {
    const message = problems({ allowedServices });
    expect(message).toContain('access.onBehalfOf.allowedServices');
    expect(message).toContain(why);
  });

  it('refuses unknown keys', () => {
    expect(problems({ allowed: ['itsm'] })).toContain('access.onBehalfOf');
  });
});
