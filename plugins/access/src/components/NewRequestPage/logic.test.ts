import {
  describeApproval,
  errorTarget,
  flowLimits,
  groupPreview,
  parseDurationHours,
} from './logic';
import { FLOWS } from '../../__testUtils__/newRequestData';
import { previewItem } from '../../__testUtils__/previewItems';

const flow = (id: string) => FLOWS.find(f => f.id === id)!;

describe('describeApproval', () => {
  it('says automatic and break-glass flows grant at once', () => {
    expect(
      describeApproval(
        previewItem({
          approvalType: 'automatic',
          autoApproved: true,
          approvers: [],
        }),
      ),
    ).toBe('Granted at once');
    expect(
      describeApproval(
        previewItem({
          approvalType: 'breakglass',
          autoApproved: true,
          approvers: ['user:default/pat'],
        }),
      ),
    ).toBe('Granted at once; reviewed afterwards by pat');
  });

  it('names the auto-approve check of a manual flow', () => {
    expect(
      describeApproval(previewItem({ checks: ['on-call'] }), flow('prod-db')),
    ).toBe(
      'May be auto-approved if check "on-call" passes; otherwise needs 1 approval from dana or erin',
    );
    // Without the flow list, checks of a manual flow are taken as auto-approve checks.
    expect(describeApproval(previewItem({ checks: ['a', 'b'] }))).toBe(
      'May be auto-approved if checks "a", "b" pass; otherwise needs 1 approval from dana or erin',
    );
  });

  it('tells required checks from auto-approve checks when the flow is known', () => {
    const f = {
      ...flow('prod-db'),
      approval: {
        ...flow('prod-db').approval,
        requiredChecks: ['ticket'],
        autoApproveChecks: [],
      },
    };
    expect(describeApproval(previewItem({ checks: ['ticket'] }), f)).toBe(
      'Check "ticket" must pass; then needs 1 approval from dana or erin',
    );
  });

  it('counts approvals and shortens long approver lists', () => {
    expect(
      describeApproval(
        previewItem({
          requiredApprovals: 2,
          approvers: ['a', 'b', 'c', 'd', 'e', 'f'].map(
            n => `user:default/${n}`,
          ),
        }),
      ),
    ).toBe('Needs 2 approvals from a, b, c or 3 others');
  });
});

describe('errorTarget', () => {
  it('finds the field the backend names', () => {
    expect(
      errorTarget('Invalid body: durationSeconds: must be whole seconds'),
    ).toEqual({ kind: 'duration' });
    expect(
      errorTarget('justification: flow "x" (X) requires a justification'),
    ).toEqual({ kind: 'justification' });
    expect(
      errorTarget('resources[12].entityRef: no entity "x" in the catalog'),
    ).toEqual({ kind: 'item', index: 12 });
    expect(
      errorTarget('bundle kit resources[2]: no access flow lets ...'),
    ).toEqual({ kind: 'item', index: 2 });
    expect(
      errorTarget('You may not request access (access.request.create)'),
    ).toEqual({ kind: 'general' });
  });
});

describe('parseDurationHours', () => {
  const limits = flowLimits(['prod-db', 'prod-db-admin'], FLOWS, undefined);

  it('accepts hours up to the smallest max', () => {
    expect(parseDurationHours('', limits)).toEqual({});
    expect(parseDurationHours('1.5', limits)).toEqual({ seconds: 5400 });
    expect(parseDurationHours('2', limits)).toEqual({ seconds: 7200 });
  });

  it('explains what is refused', () => {
    expect(parseDurationHours('2.5', limits).error).toBe(
      'At most 2h: flow "Production database admin" allows no longer.',
    );
    expect(parseDurationHours('0', limits).error).toBe(
      'Enter a number of hours greater than 0.',
    );
    expect(parseDurationHours('abc', limits).error).toBe(
      'Enter a number of hours greater than 0.',
    );
    expect(parseDurationHours('9000', []).error).toBe(
      'At most 366 days (8784 hours).',
    );
  });
});

describe('flowLimits', () => {
  it('falls back to the preview for flows it does not know', () => {
    const limits = flowLimits(
      ['prod-db'],
      [],
      [previewItem({ flowId: 'x', flowTitle: 'X', maxDurationSeconds: 600 })],
    );
    expect(limits).toEqual([
      {
        flowId: 'x',
        flowTitle: 'X',
        defaultSeconds: undefined,
        maxSeconds: 600,
        justificationRequired: true,
      },
    ]);
  });

  it('always requires a justification for break-glass', () => {
    const glass = {
      ...flow('cluster-breakglass'),
      justification: 'optional' as const,
    };
    expect(
      flowLimits(['cluster-breakglass'], [glass], undefined)[0]
        .justificationRequired,
    ).toBe(true);
  });
});

describe('groupPreview', () => {
  it('groups by flow and approver set, like the backend splits requests', () => {
    const groups = groupPreview([
      previewItem({ entityRef: 'resource:default/a' }),
      previewItem({
        entityRef: 'resource:default/b',
        approvers: ['user:default/erin', 'user:default/dana'],
      }),
      previewItem({
        entityRef: 'resource:default/c',
        approvers: ['user:default/zed'],
      }),
    ]);
    expect(groups.map(g => g.items.map(i => i.entityRef))).toEqual([
      ['resource:default/a', 'resource:default/b'],
      ['resource:default/c'],
    ]);
  });
});
