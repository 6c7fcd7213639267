import '@testing-library/jest-dom';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { renderInTestApp } from '@backstage/test-utils';
import { AccessRequest } from '@jit-access/plugin-access-common';
import { screen, within } from '@testing-library/react';
import { RequestTimeline } from './RequestTimeline';
import { buildTimeline } from './timelineEvents';
import {
  makeClosed,
  makeGrant,
  makeRequest,
} from '../../__testUtils__/sampleRequests';

const last = <T,>(xs: T[]): T => xs[xs.length - 1];

const at = (minute: number) =>
  new Date(Date.UTC(2025, 2, 5, 10, minute)).toISOString();

/** A break-glass request submitted by a service that went through everything. */
const fullLife: AccessRequest = makeClosed('revoked', {
  requester: 'user:default/alice',
  createdBy: 'service:itsm-workflow',
  breakGlass: true,
  approvalType: 'breakglass',
  justification: 'Sev1 INC-7',
  durationSeconds: 3600,
  createdAt: at(0),
  checks: [
    {
      checkId: 'change-ticket',
      type: 'webhook',
      outcome: 'passed',
      detail: 'CHG-42 is approved',
      at: at(1),
    },
    {
      checkId: 'oncall',
      type: 'pagerduty-oncall',
      outcome: 'error',
      detail: 'PagerDuty answered 502',
      at: at(1),
    },
  ],
  approvals: [
    {
      approver: 'user:default/bob',
      decision: 'approved',
      kind: 'request',
      comment: 'go ahead',
      at: at(2),
    },
    {
      approver: 'user:default/carol',
      decision: 'approved',
      kind: 'extension',
      comment: 'one more hour',
      at: at(40),
    },
    {
      approver: 'group:default/platform-admins',
      decision: 'acknowledged',
      kind: 'review',
      comment: 'justified',
      at: at(50),
    },
  ],
  grantedAt: at(3),
  extension: {
    status: 'approved',
    durationSeconds: 3600,
    justification: 'still mitigating',
    requestedAt: at(30),
    decidedAt: at(40),
  },
  review: {
    status: 'acknowledged',
    reviewer: 'group:default/platform-admins',
    comment: 'justified',
    at: at(50),
  },
  extensionsUsed: 1,
  endedAt: at(60),
  endReason: 'Revoked by the holder',
});

describe('buildTimeline', () => {
  it('orders a full life and does not repeat decisions taken by people', () => {
    expect(buildTimeline(fullLife).map(e => e.key)).toEqual([
      'submitted',
      'check-0',
      'check-1',
      'approval-0',
      'granted',
      'extension-requested',
      'approval-1',
      'approval-2',
      'ended',
    ]);
  });

  it("shows decisions nobody made by hand: applied extensions, checks' refusals, reviews by revocation", () => {
    const applied = buildTimeline(
      makeGrant(60, {
        extension: {
          status: 'approved',
          durationSeconds: 7200,
          justification: '',
          requestedAt: at(10),
          decidedAt: at(10),
        },
      }),
    );
    expect(applied.find(e => e.key === 'extension-decided')?.title).toBe(
      'Extended by 2h',
    );

    const refused = buildTimeline(
      makeGrant(60, {
        extension: {
          status: 'rejected',
          durationSeconds: 3600,
          justification: '',
          requestedAt: at(10),
          decidedAt: at(10),
          reason: 'Required check "oncall" failed: not on call',
        },
      }),
    );
    expect(refused.find(e => e.key === 'extension-decided')).toMatchObject({
      title: 'Extension refused',
      detail: 'Required check "oncall" failed: not on call',
      tone: 'error',
    });

    const reviewed = buildTimeline(
      makeClosed('revoked', {
        breakGlass: true,
        grantedAt: at(1),
        endedAt: at(5),
        review: {
          status: 'revoked',
          reviewer: 'user:default/dana',
          at: at(5),
        },
      }),
    );
    expect(reviewed.find(e => e.key === 'review')).toMatchObject({
      title: 'Break-glass review: access revoked',
      actor: 'user:default/dana',
    });
  });

  it('ends with what a request still waits for', () => {
    const pending = makeRequest({
      approvers: ['user:default/bob', 'user:default/carol'],
      requiredApprovals: 2,
      approvals: [
        {
          approver: 'user:default/bob',
          decision: 'approved',
          kind: 'request',
          at: at(5),
        },
      ],
    });
    expect(last(buildTimeline(pending))).toMatchObject({
      key: 'waiting',
      title: 'Waiting for 1 more approval',
      note: 'from carol',
    });

    const checking = makeRequest({
      approvalType: 'automatic',
      requiredApprovals: 0,
      approvers: [],
    });
    expect(last(buildTimeline(checking)).title).toBe('Waiting for its checks');

    // a manual request whose checks still run: the backend asks nobody yet
    const manualChecking = makeRequest({
      approvers: ['user:default/bob'],
      requiredApprovals: 1,
      awaiting: undefined,
    });
    expect(last(buildTimeline(manualChecking)).title).toBe(
      'Waiting for its checks',
    );

    const revoking = buildTimeline(
      makeGrant(-1, {
        breakGlass: true,
        review: { status: 'pending' },
        ending: {
          as: 'expired',
          reason: 'Access expired',
          by: 'system',
          at: at(2),
        },
        lastError: 'IAM answered 503',
        extension: {
          status: 'pending',
          durationSeconds: 3600,
          justification: '',
          requestedAt: at(1),
        },
      }),
    );
    expect(revoking.filter(e => !e.at).map(e => e.title)).toEqual([
      'Extension waiting for approval',
      'Being revoked',
      'Provisioner error, retrying',
      'Break-glass review pending',
    ]);
  });
});

describe('RequestTimeline', () => {
  it('shows every step with who, when, and what they said', async () => {
    await renderInTestApp(<RequestTimeline request={fullLife} />, {
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    });
    const items = within(screen.getByTestId('request-timeline')).getAllByRole(
      'listitem',
    );
    expect(items).toHaveLength(9);

    const submitted = within(screen.getByTestId('timeline-submitted'));
    expect(
      submitted.getByText('Break-glass access requested'),
    ).toBeInTheDocument();
    expect(submitted.getByText('service itsm-workflow')).toBeInTheDocument();
    expect(submitted.getByRole('link', { name: 'alice' })).toHaveAttribute(
      'href',
      '/catalog/default/user/alice',
    );
    expect(submitted.getByText('Sev1 INC-7')).toBeInTheDocument();
    expect(
      submitted.getByText(/1h via Production databases/),
    ).toBeInTheDocument();
    expect(
      submitted.getByText((_, el) => el?.tagName === 'TIME'),
    ).toHaveAttribute('datetime', at(0));

    const check = within(screen.getByTestId('timeline-check-1'));
    expect(check.getByText('Check "oncall" error')).toBeInTheDocument();
    expect(check.getByText('PagerDuty answered 502')).toBeInTheDocument();
    expect(check.getByText('pagerduty-oncall')).toBeInTheDocument();

    const approved = within(screen.getByTestId('timeline-approval-0'));
    expect(approved.getByText('Approved')).toBeInTheDocument();
    expect(approved.getByRole('link', { name: 'bob' })).toBeInTheDocument();
    expect(approved.getByText('go ahead')).toBeInTheDocument();

    expect(screen.getByTestId('timeline-granted')).toHaveTextContent(
      'Break-glass access granted',
    );
    expect(
      screen.getByTestId('timeline-extension-requested'),
    ).toHaveTextContent('Extension of 1h requested');
    expect(
      screen.getByTestId('timeline-extension-requested'),
    ).toHaveTextContent('still mitigating');
    expect(screen.getByTestId('timeline-approval-1')).toHaveTextContent(
      'Extension approved',
    );
    const review = within(screen.getByTestId('timeline-approval-2'));
    expect(
      review.getByText('Break-glass use acknowledged'),
    ).toBeInTheDocument();
    expect(
      review.getByRole('link', { name: 'platform-admins' }),
    ).toBeInTheDocument();
    expect(review.getByText('justified')).toBeInTheDocument();

    const ended = within(screen.getByTestId('timeline-ended'));
    expect(ended.getByText('Ended: Revoked')).toBeInTheDocument();
    expect(ended.getByText('Revoked by the holder')).toBeInTheDocument();
  });

  it('shows a rejection and the reason the request ended', async () => {
    await renderInTestApp(
      <RequestTimeline
        request={makeClosed('rejected', {
          approvals: [
            {
              approver: 'user:default/bob',
              decision: 'rejected',
              kind: 'request',
              comment: 'use the staging copy',
              at: at(5),
            },
          ],
          createdAt: at(0),
          endedAt: at(5),
          endReason: 'use the staging copy',
        })}
      />,
      { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
    );
    expect(screen.getByTestId('timeline-approval-0')).toHaveTextContent(
      'Rejected',
    );
    expect(screen.getByTestId('timeline-ended')).toHaveTextContent(
      'Ended: Rejected',
    );
    expect(screen.getByTestId('timeline-ended')).toHaveTextContent(
      'use the staging copy',
    );
  });
});
