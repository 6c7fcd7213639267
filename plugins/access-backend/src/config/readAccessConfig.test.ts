import { ConfigReader } from '@backstage/config';
import { FLOWS } from '../__testUtils__/harness';
import { readAccessConfig } from './readAccessConfig';

const types = {
  provisionerTypes: ['none', 'webhook'],
  checkTypes: [] as string[],
};
const read = (access: unknown) =>
  readAccessConfig(new ConfigReader({ access } as any), types);
const flow = (over: Record<string, unknown> = {}) => ({ ...FLOWS[1], ...over });

function problems(access: unknown): string {
  try {
    read(access);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the config to be refused');
}

describe('readAccessConfig', () => {
  it('reads the example flows with every duration form', () => {
    const c = read({
      flows: FLOWS,
      pendingTimeout: { days: 3 },
      expiry: { frequency: '10s' },
    });
    expect(c.flows.map(f => f.id)).toEqual([
      'staging-db',
      'prod-db',
      'prod-db-admin',
      'cluster-breakglass',
      'any-resource',
    ]);
    expect(c.flows[0].duration).toEqual({
      defaultSeconds: 3600,
      maxSeconds: 14400,
      extensions: 2,
    });
    expect(c.flows[2].duration).toEqual({
      defaultSeconds: 1800,
      maxSeconds: 7200,
      extensions: 0,
    });
    expect(c.flows[4].duration.maxSeconds).toBe(86400);
    expect(c.flows[1].approval.approvers).toEqual([
      'owner',
      'group:default/dba',
    ]);
    expect(c.flows[4].filters).toEqual([{ kind: 'Resource' }]);
    expect(c.pendingTimeoutSeconds).toBe(3 * 86400);
    expect(c.expiryFrequencySeconds).toBe(10);
  });

  it('defaults to no flows, a 7 day pending timeout and 5 second expiry', () => {
    const c = readAccessConfig(new ConfigReader({}), types);
    expect(c.flows).toEqual([]);
    expect(c.pendingTimeoutSeconds).toBe(7 * 86400);
    expect(c.expiryFrequencySeconds).toBe(5);
  });

  it.each([
    [
      'a duplicate flow id',
      { flows: [flow(), flow()] },
      'access.flows[1].id: duplicate flow id "prod-db"',
    ],
    [
      'default longer than max',
      { flows: [flow({ duration: { default: '9h', max: '8h' } })] },
      'access.flows[0].duration.default: must not be longer than duration.max',
    ],
    [
      'a bad duration',
      { flows: [flow({ duration: { default: 'soon', max: '8h' } })] },
      'access.flows[0].duration.default: "soon" is not a duration',
    ],
    [
      'an unknown approval type',
      {
        flows: [
          flow({ approval: { type: 'sometimes', approvers: ['owner'] } }),
        ],
      },
      'access.flows[0].approval.type',
    ],
    [
      'an unknown approver ref form',
      {
        flows: [
          flow({ approval: { type: 'manual', approvers: ['dba-team'] } }),
        ],
      },
      'access.flows[0].approval.approvers[0]: "dba-team" is not \'owner\' or a user/group entity ref',
    ],
    [
      'an approver of the wrong kind',
      {
        flows: [
          flow({
            approval: { type: 'manual', approvers: ['component:default/x'] },
          }),
        ],
      },
      'access.flows[0].approval.approvers[0]',
    ],
    [
      'an unknown key',
      { flows: [flow({ approvers: ['owner'] })] },
      "access.flows[0]: Unrecognized key(s) in object: 'approvers'",
    ],
    [
      'an unknown check',
      {
        flows: [
          flow({
            approval: {
              type: 'manual',
              approvers: ['owner'],
              requiredChecks: ['oncall'],
            },
          }),
        ],
      },
      'access.flows[0].approval.requiredChecks[0]: unknown check "oncall"',
    ],
    [
      'an unknown provisioner',
      { flows: [flow({ provisioner: 'vault' })] },
      'access.flows[0].provisioner: unknown provisioner "vault"',
    ],
    [
      'an unknown provisioner type',
      { provisioners: { db: { type: 'oracle' } } },
      'access.provisioners.db.type: unknown provisioner type "oracle"',
    ],
    [
      'an unknown check type',
      { checks: { oncall: { type: 'opsgenie' } } },
      'access.checks.oncall.type: unknown check type "opsgenie"',
    ],
    [
      'a break-glass flow without approvers to review it',
      { flows: [{ ...FLOWS[3], approval: { type: 'breakglass' } }] },
      'access.flows[0].approval.approvers: a breakglass flow needs at least one approver to review its use',
    ],
    [
      'a manual flow without approvers',
      { flows: [flow({ approval: { type: 'manual' } })] },
      'access.flows[0].approval.approvers: a manual flow needs at least one approver',
    ],
    [
      'more required approvals than named approvers',
      {
        flows: [
          flow({
            approval: {
              type: 'manual',
              approvers: ['user:default/dana'],
              required: 2,
            },
          }),
        ],
      },
      'access.flows[0].approval.required: needs 2 approvals but only 1 approver(s) are listed',
    ],
    [
      'a flow id that is not kebab-case',
      { flows: [flow({ id: 'Prod DB' })] },
      'access.flows[0].id: must be kebab-case',
    ],
    [
      'an unknown top-level key',
      { flow: [] },
      "access: Unrecognized key(s) in object: 'flow'",
    ],
    [
      'an unknown key under permissionPolicy',
      { permissionPolicy: { admin: ['group:default/platform-admins'] } },
      "access.permissionPolicy: Unrecognized key(s) in object: 'admin'",
    ],
    [
      'a bad requester',
      { flows: [flow({ requesters: ['engineering'] })] },
      'access.flows[0].requesters[0]',
    ],
    [
      'an optional justification on break-glass',
      { flows: [{ ...FLOWS[3], justification: 'optional' }] },
      'access.flows[0].justification: break-glass flows always require a justification',
    ],
    [
      'a duplicate bundle id',
      {
        bundles: [
          {
            id: 'kit',
            title: 'Kit',
            resources: [
              { entityRef: 'resource:default/a', permissions: ['read'] },
            ],
          },
          {
            id: 'kit',
            title: 'Kit',
            resources: [
              { entityRef: 'resource:default/a', permissions: ['read'] },
            ],
          },
        ],
      },
      'access.bundles[1].id: duplicate bundle id "kit"',
    ],
  ])('refuses %s, naming the key', (_name, access, expected) => {
    expect(problems(access)).toContain(expected);
  });

  it("accepts access.permissionPolicy, the permission policy module's key", () => {
    const c = read({
      flows: [flow()],
      permissionPolicy: { admins: ['group:default/sre', 'user:default/pat'] },
    });
    expect(c.flows).toHaveLength(1);
  });

  it('lists every problem at once', () => {
    const message = problems({
      flows: [
        flow({ provisioner: 'x', duration: { default: '9h', max: '1h' } }),
      ],
    });
    expect(message).toContain('access.flows[0].duration.default');
  });
});
