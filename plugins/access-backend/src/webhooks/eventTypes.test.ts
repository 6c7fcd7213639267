import { AUDIT_ACTIONS } from '../audit/auditActions';
import {
  NAMED_EVENT_TYPES,
  patternProblem,
} from '../config/eventSubscriptions';
import { EVENT_TYPE_BY_ACTION, eventTypeOf } from './eventTypes';

describe('outbound webhook event types', () => {
  it('gives every audit action, and the sealed chain head, exactly one event type', () => {
    expect(Object.keys(EVENT_TYPE_BY_ACTION).sort()).toEqual(
      [...AUDIT_ACTIONS, 'audit-sealed'].sort(),
    );
    for (const action of AUDIT_ACTIONS) {
      const type = eventTypeOf(action);
      // a subscriber can name each type it may receive
      expect(patternProblem(type)).toBeUndefined();
    }
  });

  it('names the request lifecycle and leaves the rest of the trail as audit.<action>', () => {
    expect(eventTypeOf('request-auto-approved')).toBe('request.approved');
    expect(eventTypeOf('breakglass-granted')).toBe('access.granted');
    expect(eventTypeOf('audit-sealed')).toBe('audit.sealed');
    expect(eventTypeOf('revoke-requested')).toBe('audit.revoke-requested');
    expect(eventTypeOf('audit-chain-mark')).toBe('audit.audit-chain-mark');
    expect(NAMED_EVENT_TYPES).toEqual(
      expect.arrayContaining([
        'request.created',
        'request.approval_recorded',
        'access.expiring',
        'extension.cancelled',
        'audit.sealed',
      ]),
    );
    expect(NAMED_EVENT_TYPES).not.toContain(null);
  });

  it('lists, for subscriptions, exactly the named types some action produces, in order', () => {
    const produced = [
      ...new Set(
        Object.values(EVENT_TYPE_BY_ACTION).filter(
          (t): t is NonNullable<typeof t> => t !== null,
        ),
      ),
    ];
    expect([...NAMED_EVENT_TYPES]).toEqual(produced);
  });
});
