import { Webhook } from 'standardwebhooks';

/**
 * The three headers of a signed Standard Webhooks message
 * (https://www.standardwebhooks.com/).
 */
export interface StandardWebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The header names the signer owns; configured headers must not replace them. */
export const STANDARD_WEBHOOK_HEADER_NAMES: readonly string[] = [
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
];

const SECRET_PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** The Standard Webhooks spec asks for secrets of 24 to 64 random bytes. */
export const RECOMMENDED_SECRET_BYTES = 24;

/**
 * Checks a Standard Webhooks secret (`whsec_` followed by base64) and returns how many key
 * bytes it holds. Throws a message that never contains the secret and has no config key;
 * the caller adds it.
 */
export function checkWebhookSecret(secret: string): { keyBytes: number } {
  const problem =
    'must be a Standard Webhooks secret (whsec_ followed by base64, e.g. "whsec_" + the output of `openssl rand -base64 32`)';
  if (typeof secret !== 'string' || !secret.startsWith(SECRET_PREFIX)) {
    throw new Error(problem);
  }
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (!BASE64.test(encoded) || encoded.length % 4 === 1) {
    throw new Error(problem);
  }
  try {
    // The library's own decoder is the one that signs, so let it have the last word.
    // eslint-disable-next-line no-new
    new Webhook(secret);
  } catch {
    throw new Error(problem);
  }
  return { keyBytes: Buffer.from(encoded, 'base64').length };
}

/**
 * Signs and verifies Standard Webhooks messages with one secret, through the
 * `standardwebhooks` library. Meant for every outbound webhook of the access backend.
 */
export class WebhookSigner {
  private readonly webhook: Webhook;

  /** @param secret - a `whsec_...` secret; see {@link checkWebhookSecret}. */
  constructor(secret: string) {
    checkWebhookSecret(secret);
    this.webhook = new Webhook(secret);
  }

  /**
   * Builds the headers for one delivery attempt of a message.
   *
   * @param payload - the exact body that will be sent
   * @param messageId - stable for the message across retries, so receivers can de-duplicate
   * @param timestamp - when this attempt is sent (receivers reject stale timestamps, so sign
   *   each attempt afresh); whole seconds are used
   */
  sign(
    payload: string,
    messageId: string,
    timestamp: Date = new Date(),
  ): StandardWebhookHeaders {
    if (!/^[\x21-\x7e]+$/.test(messageId)) {
      throw new Error(
        'webhook message id must be non-empty visible ASCII, without spaces',
      );
    }
    return {
      'webhook-id': messageId,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': this.webhook.sign(messageId, timestamp, payload),
    };
  }

  /**
   * Verifies a received message as a receiver would (signature and a timestamp within five
   * minutes) and returns its parsed JSON body. Throws `WebhookVerificationError` otherwise.
   * Header names are matched case-insensitively.
   */
  verify(
    payload: string | Buffer,
    headers: Record<string, string | string[] | undefined>,
  ): unknown {
    const flat: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) continue;
      flat[name.toLowerCase()] = Array.isArray(value)
        ? value.join(', ')
        : value;
    }
    return this.webhook.verify(payload, flat);
  }
}

/**
 * Builds a Standard Webhooks message id from stable parts, e.g.
 * `webhookMessageId(requestId, 'grant')` → `msg_<requestId>_grant`. Parts are
 * percent-encoded (and `_` too, so distinct parts never give the same id), which keeps the
 * id a safe header value; UUIDs and plain words pass unchanged.
 */
export function webhookMessageId(...parts: string[]): string {
  return `msg_${parts
    .map(p => encodeURIComponent(String(p)).replace(/_/g, '%5F'))
    .join('_')}`;
}
