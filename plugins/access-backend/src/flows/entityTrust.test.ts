import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockServices, TestDatabaseId } from '@backstage/backend-test-utils';
import { ANNOTATION_ORIGIN_LOCATION, Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import {
  accessProvisionersExtensionPoint,
  ProvisionerRequest,
} from '@jit-access/plugin-access-node';
import {
  AccessTestBackend,
  createTestDatabases,
  ENTITIES,
  HarnessOptions,
  FLOWS,
  resource,
  startAccessBackend,
} from '../__testUtils__/harness';
import { editableCatalog } from '../__testUtils__/editableCatalog';
import { readAccessConfig } from '../config/readAccessConfig';
import {
  narrowFilterToNamespaces,
  trustsEntity,
  untrustedReason,
  warnAboutUntrustedFlows,
} from './entityTrust';

jest.setTimeout(60_000);

const databases = createTestDatabases();

const TRUSTED_ORIGIN = 'url:https://github.com/acme/catalog/';

/** A production database registered from the given catalog location. */
function prodDb(name: string, namespace: string, origin?: string): Entity {
  const e = resource(name, 'database', 'prod', 'payments');
  e.metadata.namespace = namespace;
  if (origin) {
    e.metadata.annotations = { [ANNOTATION_ORIGIN_LOCATION]: origin };
  }
  // Whoever registers the entity names its owner, and so its approvers.
  e.spec = { ...e.spec, owner: 'user:default/alice' };
  return e;
}

const TRUSTED = prodDb(
  'ledger-db',
  'default',
  `${TRUSTED_ORIGIN}blob/main/ledger.yaml`,
);
/** Matches the flow's filter, but in a namespace the flow does not trust. */
const OTHER_NAMESPACE = prodDb(
  'ledger-db',
  'mallory',
  `${TRUSTED_ORIGIN}blob/main/x.yaml`,
);
const PLANTED_ORIGIN =
  'url:https://github.com/acme/catalog-fork/blob/main/catalog-info.yaml';
/** In the trusted namespace, registered from someone's own repository. */
const PLANTED = prodDb('planted-db', 'default', PLANTED_ORIGIN);
/** In the trusted namespace, with no origin annotation at all. */
const NO_ORIGIN = prodDb('bare-db', 'default');

const CATALOG = [...ENTITIES, TRUSTED, OTHER_NAMESPACE, PLANTED, NO_ORIGIN];
const ref = (e: Entity) =>
  `resource:${e.metadata.namespace}/${e.metadata.name}`;

/** An automatic flow for every production database, trusting one namespace and origin. */
const TRUSTING_FLOW = {
  ...FLOWS[0],
  id: 'prod-auto',
  requesters: ['*'],
  resources: {
    filter: { kind: 'Resource', 'spec.type': 'database' },
    permissions: ['read'],
    namespaces: ['default'],
    origins: [TRUSTED_ORIGIN],
  },
};

/** A backend on the catalog above for the tests of one describe block. */
function backendWith(
  databaseId: TestDatabaseId,
  options: Pick<HarnessOptions, 'access' | 'extraFeatures' | 'catalog'>,
): () => AccessTestBackend {
  let h: AccessTestBackend;
  beforeAll(async () => {
    h = await startAccessBackend({
      knex: await databases.init(databaseId),
      entities: CATALOG,
      ...options,
    });
  });
  afterAll(async () => {
    await h.backend.stop();
  });
  return () => h;
}

describe.each(databases.eachSupportedId())(
  'flows that restrict the namespaces and catalog locations they trust, on %s',
  databaseId => {
    const backend = backendWith(databaseId, {
      access: { flows: [TRUSTING_FLOW] },
    });

    it('offers only the trusted entity on its page and in New Request', async () => {
      const covered: Record<string, unknown> = {};
      for (const e of [TRUSTED, OTHER_NAMESPACE, PLANTED, NO_ORIGIN]) {
        const res = await backend().api.get(
          `/entity-access?entityRef=${encodeURIComponent(ref(e))}`,
          'bob',
        );
        expect(res.status).toBe(200);
        covered[ref(e)] = [res.body.covered, res.body.permissions];
      }
      expect(covered).toEqual({
        [ref(TRUSTED)]: [
          true,
          [expect.objectContaining({ permission: 'read' })],
        ],
        [ref(OTHER_NAMESPACE)]: [false, []],
        [ref(PLANTED)]: [false, []],
        [ref(NO_ORIGIN)]: [false, []],
      });

      const res = await backend().api.get('/resources?limit=100', 'bob');
      expect(res.status).toBe(200);
      expect(
        res.body.items.map((i: { entityRef: string }) => i.entityRef),
      ).toEqual([ref(TRUSTED)]);
    });

    it('refuses a request for an entity outside the trust, as when no flow applies', async () => {
      for (const e of [OTHER_NAMESPACE, PLANTED, NO_ORIGIN]) {
        const res = await backend().api.post(
          '/requests',
          {
            resources: [{ entityRef: ref(e), permissions: ['read'] }],
            justification: 'x',
          },
          'bob',
        );
        expect(res.status).toBe(403);
        expect(res.body.error.message).toBe(
          `resources[0]: no access flow lets user:default/bob request "read" on ${ref(
            e,
          )}`,
        );
      }
      const ok = await backend().api.post(
        '/requests',
        { resources: [{ entityRef: ref(TRUSTED), permissions: ['read'] }] },
        'bob',
      );
      expect(ok.status).toBe(201);
      expect(ok.body.items[0].status).toBe('granted');
    });
  },
);

/** What the provisioner was asked to grant, extend and revoke. */
const granted: ProvisionerRequest[] = [];
const extended: ProvisionerRequest[] = [];
const revoked: ProvisionerRequest[] = [];

const recordingProvisioner = createBackendModule({
  pluginId: 'access',
  moduleId: 'recording-provisioner',
  register(env) {
    env.registerInit({
      deps: { provisioners: accessProvisionersExtensionPoint },
      async init({ provisioners }) {
        provisioners.addProvisionerType({
          type: 'recording',
          create: () => ({
            async grant(r) {
              granted.push(r);
              return {};
            },
            async extend(r) {
              extended.push(r);
            },
            async revoke(r) {
              revoked.push(r);
            },
          }),
        });
      },
    });
  },
});

describe.each(databases.eachSupportedId())(
  'a provisioner that restricts what it trusts, on %s',
  databaseId => {
    const catalog = editableCatalog(CATALOG);
    const backend = backendWith(databaseId, {
      catalog: catalog.factory,
      access: {
        // The flow itself trusts every namespace and location.
        flows: [
          {
            ...TRUSTING_FLOW,
            resources: {
              filter: TRUSTING_FLOW.resources.filter,
              permissions: ['read'],
            },
            provisioner: 'db',
          },
        ],
        provisioners: {
          db: {
            type: 'recording',
            trust: { namespaces: ['default'], origins: [TRUSTED_ORIGIN] },
          },
        },
      },
      extraFeatures: [recordingProvisioner],
    });

    it('refuses to grant on an entity outside its trust, saying why, and grants on a trusted one', async () => {
      granted.length = 0;
      const ask = (e: Entity) =>
        backend().api.post(
          '/requests',
          { resources: [{ entityRef: ref(e), permissions: ['read'] }] },
          'bob',
        );

      const other = await ask(OTHER_NAMESPACE);
      expect(other.status).toBe(201);
      expect(other.body.items[0]).toMatchObject({
        status: 'failed',
        endReason: `Provisioner "db" failed: Refused: ${ref(
          OTHER_NAMESPACE,
        )} is in namespace "mallory", which provisioner "db" does not trust (trusted: "default") (access.provisioners.db.trust)`,
      });
      const planted = await ask(PLANTED);
      expect(planted.body.items[0]).toMatchObject({
        status: 'failed',
        endReason: `Provisioner "db" failed: Refused: ${ref(
          PLANTED,
        )} comes from "url:https://github.com/acme/catalog-fork/blob/main/catalog-info.yaml", which is not a location provisioner "db" trusts (trusted: "${TRUSTED_ORIGIN}") (access.provisioners.db.trust)`,
      });
      const audit = await backend().api.get(
        `/audit?requestId=${planted.body.items[0].id}`,
        'pat',
      );
      expect(JSON.stringify(audit.body.items)).toContain(
        'which is not a location provisioner \\"db\\" trusts',
      );
      expect(granted).toEqual([]);

      const ok = await ask(TRUSTED);
      expect(ok.body.items[0].status).toBe('granted');
      expect(granted.map(r => r.resources[0].entityRef)).toEqual([
        ref(TRUSTED),
      ]);
    });

    it('refuses to extend once the entity comes from an untrusted location, and still revokes', async () => {
      const h = backend();
      const [r] = (
        await h.api.post(
          '/requests',
          { resources: [{ entityRef: ref(TRUSTED), permissions: ['read'] }] },
          'bob',
        )
      ).body.items;
      expect(r.status).toBe('granted');
      // The entity is taken over: now registered from someone's fork.
      catalog.set(
        CATALOG.map(e =>
          e === TRUSTED ? prodDb('ledger-db', 'default', PLANTED_ORIGIN) : e,
        ),
      );
      h.clock.advance(31);
      extended.length = 0;
      revoked.length = 0;

      const ext = await h.api.post(
        `/requests/${r.id}/extend`,
        { durationSeconds: 600, justification: '' },
        'bob',
      );
      expect(ext.status).toBe(200);
      expect(extended).toEqual([]);
      const audit = (await h.api.get(`/audit?requestId=${r.id}`, 'pat')).body
        .items;
      expect(audit[0]).toMatchObject({
        action: 'provisioner-extend-failed',
        details: {
          error: expect.stringMatching(
            /^Refused: resource:default\/ledger-db comes from "url:https:\/\/github\.com\/acme\/catalog-fork\/.*\(access\.provisioners\.db\.trust\)$/,
          ),
        },
      });

      const end = await h.api.post(`/requests/${r.id}/revoke`, {}, 'bob');
      expect(end.status).toBe(200);
      expect(revoked.map(x => x.requestId)).toEqual([r.id]);
    });
  },
);

describe('trust config', () => {
  const read = (access: object) =>
    readAccessConfig(new ConfigReader({ access }), {
      provisionerTypes: ['none', 'recording'],
      checkTypes: [],
    });

  it('names the key of a bad namespace or origin', () => {
    expect(() =>
      read({
        flows: [
          {
            ...TRUSTING_FLOW,
            resources: {
              ...TRUSTING_FLOW.resources,
              namespaces: ['not a namespace'],
              origins: ['github.com/acme'],
            },
          },
        ],
        provisioners: {
          db: { type: 'recording', trust: { namespace: ['default'] } },
        },
      }),
    ).toThrow(
      expect.objectContaining({
        problems: expect.arrayContaining([
          'access.flows[0].resources.namespaces[0]: must be a catalog namespace (letters, digits and -), like default',
          'access.flows[0].resources.origins[0]: must be the start of a catalog location ref, like url:https://github.com/acme/catalog/blob/main/',
          expect.stringMatching(
            /^access\.provisioners\.db\.trust: Unrecognized key\(s\) in object: 'namespace'/,
          ),
        ]),
      }),
    );
  });

  it('warns at start-up about flows with a real provisioner that trust any entity', () => {
    const logger = mockServices.logger.mock();
    const config = read({
      flows: [
        { ...TRUSTING_FLOW, id: 'restricted', provisioner: 'db' },
        {
          ...TRUSTING_FLOW,
          id: 'open',
          resources: { filter: { kind: 'Resource' }, permissions: ['read'] },
          provisioner: 'db',
        },
        {
          ...TRUSTING_FLOW,
          id: 'records-only',
          resources: { filter: { kind: 'Resource' }, permissions: ['read'] },
        },
      ],
      provisioners: { db: { type: 'recording' } },
    });
    warnAboutUntrustedFlows(config.flows, ['none'], logger);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(
        /^access: flow "open" grants through provisioner "db" on any catalog entity .* Set access\.flows\[1\]\.resources\.namespaces \(and origins\)/,
      ),
    );
  });
});

describe('the example app-config.yaml', () => {
  it('restricts every flow to the default namespace, and warns about none', () => {
    const file = resolve(__dirname, '../../../../app-config.yaml');
    const config = readAccessConfig(
      new ConfigReader(parse(readFileSync(file, 'utf8'))),
      {
        provisionerTypes: ['none', 'postgres'],
        checkTypes: ['pagerduty-oncall', 'pagerduty-incident'],
      },
    );
    expect(config.flows.length).toBeGreaterThan(0);
    for (const flow of config.flows) {
      expect([flow.id, flow.trust?.namespaces]).toEqual([flow.id, ['default']]);
    }
    expect(config.provisioners).toContainEqual({
      id: 'analytics-pg',
      type: 'postgres',
      trust: { namespaces: ['default'] },
    });
    const logger = mockServices.logger.mock();
    warnAboutUntrustedFlows(config.flows, ['none'], logger);
    expect(logger.warn).not.toHaveBeenCalled();
  });
});

describe('narrowFilterToNamespaces', () => {
  it('asks the catalog only for trusted namespaces', () => {
    expect(narrowFilterToNamespaces({ kind: 'Resource' }, ['default'])).toEqual(
      {
        kind: 'Resource',
        'metadata.namespace': ['default'],
      },
    );
    expect(
      narrowFilterToNamespaces(
        { kind: 'Resource', 'Metadata.Namespace': ['Default', 'mallory'] },
        ['default'],
      ),
    ).toEqual({ kind: 'Resource', 'Metadata.Namespace': ['Default'] });
    expect(
      narrowFilterToNamespaces(
        { kind: 'Resource', 'metadata.namespace': 'mallory' },
        ['default'],
      ),
    ).toBeUndefined();
    expect(narrowFilterToNamespaces({ kind: 'Resource' }, undefined)).toEqual({
      kind: 'Resource',
    });
  });
});

describe('origins', () => {
  const from = (origin: string) => prodDb('x-db', 'default', origin);
  const trusts = (prefix: string, origin: string) =>
    trustsEntity({ origins: [prefix] }, from(origin));

  it('trusts a location under the prefix, or the prefix itself', () => {
    const repo = 'url:https://github.com/acme/catalog';
    expect(trusts(repo, `${repo}/blob/main/all.yaml`)).toBe(true);
    expect(trusts(`${repo}/`, `${repo}/blob/main/all.yaml`)).toBe(true);
    expect(
      trusts(`${repo}/blob/main/all.yaml`, `${repo}/blob/main/all.yaml`),
    ).toBe(true);
    expect(trusts('file:/srv/catalog', 'file:/srv/catalog/prod.yaml')).toBe(
      true,
    );
  });

  it('does not trust a sibling whose name merely starts like the prefix', () => {
    const repo = 'url:https://github.com/acme/catalog';
    expect(trusts(repo, `${repo}-evil/blob/main/x.yaml`)).toBe(false);
    expect(trusts(repo, `${repo}ue/blob/main/x.yaml`)).toBe(false);
    expect(
      trusts(
        'url:https://github.com',
        'url:https://github.com.evil.example/x.yaml',
      ),
    ).toBe(false);
    expect(
      trusts(`${repo}/blob/main/all.yaml`, `${repo}/blob/main/all.yaml.evil`),
    ).toBe(false);
    expect(
      untrustedReason(
        { origins: [repo] },
        'resource:default/x-db',
        from(`${repo}-evil/blob/main/x.yaml`),
        'flow "f"',
      ),
    ).toBe(
      `resource:default/x-db comes from "${repo}-evil/blob/main/x.yaml", which is not a location flow "f" trusts (trusted: "${repo}")`,
    );
  });

  it('does not trust a location that climbs out of the prefix with dot segments', () => {
    const repo = 'url:https://github.com/acme/catalog/';
    for (const escape of ['..', '%2e%2e', '.%2E', '.']) {
      expect([escape, trusts(repo, `${repo}${escape}/evil/x.yaml`)]).toEqual([
        escape,
        false,
      ]);
    }
    expect(trusts(repo, `${repo}blob\\..\\..\\evil/x.yaml`)).toBe(false);
    expect(trusts(repo, `${repo}blob/main/..hidden.yaml`)).toBe(true);
  });

  it('does not trust a location with control characters, which URL parsing drops', () => {
    const repo = 'url:https://github.com/acme/catalog/blob/main/';
    // `.\t.` reads as a name, but is fetched as `..`
    for (const c of ['\t', '\n', '\r']) {
      expect(trusts(repo, `${repo}.${c}./.${c}./evil/x.yaml`)).toBe(false);
      expect(trusts(repo, `${repo}x${c}.yaml`)).toBe(false);
    }
    expect(trusts('file:/srv/catalog', 'file:/srv/catalog/a\n.yaml')).toBe(
      false,
    );
    expect(
      untrustedReason(
        { origins: [repo] },
        'resource:default/x-db',
        from(`${repo}.\t./x.yaml`),
        'flow "f"',
      ),
    ).toBe(
      `resource:default/x-db comes from "url:https://github.com/acme/catalog/blob/main/.\\t./x.yaml", which is not a catalog location in normal form; flow "f" trusts none such`,
    );
  });

  it('does not trust a url: location that differs from its normalised form', () => {
    const repo = 'url:https://github.com/acme/catalog/blob/main/';
    for (const origin of [
      `${repo} /x.yaml`,
      'url:https://GITHUB.com/acme/catalog/blob/main/x.yaml',
      'url:https://github.com:443/acme/catalog/blob/main/x.yaml',
      'url:https://github.com/acme/catalog/blob/main/a/%2e/x.yaml',
    ]) {
      expect([origin, trusts('url:https://', origin)]).toEqual([origin, false]);
    }
    expect(trusts(repo, `${repo}x%20y.yaml`)).toBe(true);
  });
});
