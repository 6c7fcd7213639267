import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import {
  checkWebhookSecret,
  webhookMessageId,
  WebhookSigner,
} from './webhookSigning';

// 24 random bytes, as Standard Webhooks recommends.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('WebhookSigner', () => {
  it('signs headers that the standardwebhooks library verifies', () => {
    const payload = JSON.stringify({ type: 'access.grant', data: { a: 1 } });
    const headers = new WebhookSigner(SECRET).sign(payload, 'msg_1_grant');
    expect(headers['webhook-id']).toBe('msg_1_grant');
    expect(headers['webhook-timestamp']).toMatch(/^\d+$/);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(SECRET).verify(payload, { ...headers })).toEqual({
      type: 'access.grant',
      data: { a: 1 },
    });
  });

  it('uses whole seconds of the given timestamp', () => {
    const at = new Date('2030-01-02T03:04:05.678Z');
    const headers = new WebhookSigner(SECRET).sign('{}', 'msg_x', at);
    expect(headers['webhook-timestamp']).toBe(
      String(Math.floor(at.getTime() / 1000)),
    );
    expect(headers['webhook-signature']).toBe(
      new Webhook(SECRET).sign('msg_x', at, '{}'),
    );
  });

  it('verifies its own messages, with header names in any case', () => {
    const signer = new WebhookSigner(SECRET);
    const payload = '{"ok":true}';
    const headers = signer.sign(payload, 'msg_abc');
    expect(
      signer.verify(payload, {
        'Webhook-Id': headers['webhook-id'],
        'WEBHOOK-TIMESTAMP': headers['webhook-timestamp'],
        'webhook-signature': [headers['webhook-signature']],
        'x-other': undefined,
      }),
    ).toEqual({ ok: true });
  });

  it('rejects a tampered body, another id, another secret and a stale timestamp', () => {
    const signer = new WebhookSigner(SECRET);
    const payload = '{"ok":true}';
    const headers = signer.sign(payload, 'msg_abc');
    expect(() => signer.verify('{"ok":false}', { ...headers })).toThrow(
      WebhookVerificationError,
    );
    expect(() =>
      signer.verify(payload, { ...headers, 'webhook-id': 'msg_other' }),
    ).toThrow(WebhookVerificationError);
    expect(() =>
      new WebhookSigner('whsec_dGhpcyBpcyBhbm90aGVyIHNlY3JldCBrZXk=').verify(
        payload,
        { ...headers },
      ),
    ).toThrow(WebhookVerificationError);
    const stale = signer.sign(
      payload,
      'msg_abc',
      new Date(Date.now() - 10 * 60_000),
    );
    expect(() => signer.verify(payload, { ...stale })).toThrow(
      'Message timestamp too old',
    );
  });

  it('refuses message ids that are not safe header values', () => {
    const signer = new WebhookSigner(SECRET);
    expect(() => signer.sign('{}', '')).toThrow(/message id/);
    expect(() => signer.sign('{}', 'msg 1')).toThrow(/message id/);
    expect(() => signer.sign('{}', 'msg\r\nx: y')).toThrow(/message id/);
  });
});

describe('checkWebhookSecret', () => {
  it('accepts whsec_ secrets and counts their key bytes', () => {
    expect(checkWebhookSecret(SECRET)).toEqual({ keyBytes: 24 });
    expect(checkWebhookSecret('whsec_YWJjZA==')).toEqual({ keyBytes: 4 });
  });

  it.each([
    ['no prefix', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    ['empty key', 'whsec_'],
    ['not base64', 'whsec_not base64 ZZZZ!'],
    ['bad padding', 'whsec_abcZZZZ=='],
    ['lone character', 'whsec_YWJjZZZZZ'],
  ])('rejects %s without echoing the secret', (_, secret) => {
    let message = '';
    try {
      checkWebhookSecret(secret);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^must be a Standard Webhooks secret \(whsec_/);
    expect(message).not.toContain('ZZZZ');
  });

  it('is what the signer checks too', () => {
    expect(() => new WebhookSigner('secret')).toThrow(
      /Standard Webhooks secret/,
    );
  });
});

describe('webhookMessageId', () => {
  it('keeps request ids and event names readable', () => {
    expect(
      webhookMessageId('7c9e6679-7425-40de-944b-e07fc1f90ae7', 'grant'),
    ).toBe('msg_7c9e6679-7425-40de-944b-e07fc1f90ae7_grant');
  });

  it('encodes anything else so ids stay distinct and header-safe', () => {
    expect(webhookMessageId('a_b', 'c')).not.toBe(webhookMessageId('a', 'b_c'));
    expect(webhookMessageId('a b\r\n', 'x')).toMatch(/^[\x21-\x7e]+$/);
  });
});
