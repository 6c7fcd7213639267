import type * as Harness from './harness';

const PG = 'BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING';

/**
 * Calls createTestDatabases of a fresh copy of the harness (so its warn-once state is new)
 * with the environment changed meanwhile. While collecting tests: TestDatabases registers
 * hooks.
 */
function withFreshHarness<T>(
  env: Record<string, string | undefined>,
  fn: (h: typeof Harness) => T,
): T {
  const saved = Object.fromEntries(
    Object.keys(env).map(k => [k, process.env[k]]),
  );
  const set = (vars: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(vars)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  set(env);
  try {
    let harness!: typeof Harness;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      harness = require('./harness');
    });
    return fn(harness);
  } finally {
    set(saved);
  }
}

const attempt = (fn: () => unknown) => {
  try {
    return { value: fn() };
  } catch (error) {
    return { error: error as Error };
  }
};

describe('createTestDatabases', () => {
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
  const noPg = { [PG]: undefined, BACKSTAGE_TEST_DISABLE_DOCKER: '1' };
  const inCi = withFreshHarness({ ...noPg, CI: 'true' }, h =>
    attempt(() => h.createTestDatabases()),
  );
  const ciWarnings = warn.mock.calls.length;
  const local = withFreshHarness({ ...noPg, CI: undefined }, h => [
    h.createTestDatabases(),
    h.createTestDatabases(),
  ]);
  const localWarnings = warn.mock.calls.slice(ciWarnings).map(c => c.join(' '));
  const withPg = withFreshHarness(
    { [PG]: 'postgresql://postgres@127.0.0.1:1', CI: 'true' },
    h => attempt(() => h.createTestDatabases()),
  );
  const allWarnings = warn.mock.calls.length;
  warn.mockRestore();

  it('fails loudly under CI when PostgreSQL is not configured', () => {
    expect(inCi.error?.message).toMatch(
      /CI needs PostgreSQL for the database tests: BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING is not set/,
    );
  });

  it('elsewhere warns once and runs SQLite only', () => {
    expect(localWarnings).toHaveLength(1);
    expect(localWarnings[0]).toMatch(/PostgreSQL runs .* are SKIPPED/);
    for (const databases of local) {
      expect(databases.eachSupportedId()).toEqual([['SQLITE_3']]);
    }
  });

  it('runs both engines, quietly, when PostgreSQL is configured', () => {
    expect(withPg.error).toBeUndefined();
    expect(
      (withPg.value as ReturnType<typeof Harness.createTestDatabases>)
        .eachSupportedId()
        .flat()
        .sort(),
    ).toEqual(['POSTGRES_15', 'SQLITE_3']);
    expect(allWarnings).toBe(ciWarnings + localWarnings.length);
  });
});
