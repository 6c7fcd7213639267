import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  checkWebhookSecret,
  RECOMMENDED_SECRET_BYTES,
  STANDARD_WEBHOOK_HEADER_NAMES,
} from '../http/webhookSigning';
import { readMaxResponseBytes } from './callLimits';
import { readDurationMs } from './duration';
import { readHeaderConfig } from './headerConfig';

/**
 * A receiver of signed Standard Webhooks calls: the webhook provisioner's
 * (`access.provisioners.<id>`) and each outbound webhook's (`access.webhooks[]`).
 */
export interface WebhookEndpoint {
  url: string;
  /** Standard Webhooks secret, `whsec_<base64>`. */
  secret: string;
  /** Extra headers sent with every call, e.g. an API key of the receiver. */
  headers: Record<string, string>;
  /** Limit for each try, including reading the answer. */
  timeoutMs: number;
  /** An answer with a larger body is a failed try. Default 1 MiB. */
  maxResponseBytes: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** Headers the signer and fetch set themselves. */
const RESERVED_HEADERS = [
  ...STANDARD_WEBHOOK_HEADER_NAMES,
  'content-type',
  'content-length',
  'host',
  'transfer-encoding',
];

/**
 * Reads and validates a webhook receiver's `url`, `secret`, `headers`, `timeout` and
 * `maxResponseBytes`. Messages start with the key relative to the given config (the caller
 * adds where it is) and never contain the secret, header values or the URL (which may
 * carry a token).
 */
export function readWebhookEndpoint(
  config: Config,
  logger?: LoggerService,
): WebhookEndpoint {
  const url = config.getString('url');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('url: must be an absolute http(s) URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(
      `url: must be an http(s) URL, not ${parsed.protocol.replace(/:$/, '')}`,
    );
  }
  if (parsed.username || parsed.password) {
    throw new Error(
      'url: must not contain a user name or password; send credentials in headers',
    );
  }

  const secret = config.getString('secret');
  let keyBytes: number;
  try {
    keyBytes = checkWebhookSecret(secret).keyBytes;
  } catch (e) {
    throw new Error(`secret: ${(e as Error).message}`);
  }
  if (keyBytes < RECOMMENDED_SECRET_BYTES) {
    logger?.warn(
      `secret holds ${keyBytes} bytes; Standard Webhooks recommends ${RECOMMENDED_SECRET_BYTES} to 64 random bytes`,
    );
  }

  const headers = readHeaderConfig(config, {
    reserved: RESERVED_HEADERS,
    reservedMessage:
      'is set by the webhook provisioner and cannot be configured',
  });
  const timeoutMs = readDurationMs(config, 'timeout', DEFAULT_TIMEOUT_MS);
  const maxResponseBytes = readMaxResponseBytes(config);
  return { url, secret, headers, timeoutMs, maxResponseBytes };
}
