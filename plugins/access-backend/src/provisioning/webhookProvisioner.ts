import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  AccessProvisioner,
  AccessProvisionerFactory,
  ProvisionerGrantResult,
  ProvisionerRequest,
} from '@jit-access/plugin-access-node';
import { readWholeNumber } from '../config/callLimits';
import {
  readWebhookEndpoint,
  WebhookEndpoint,
} from '../config/webhookEndpoint';
import {
  boundedFetch,
  BoundedResponse,
  REDIRECT_NOT_FOLLOWED,
  ResponseTooLargeError,
} from '../http/boundedFetch';
import { headerSecrets, Redactor } from '../http/redact';
import { webhookMessageId, WebhookSigner } from '../http/webhookSigning';

/** What the webhook provisioner needs; read from `access.provisioners.<id>`. */
export interface WebhookProvisionerOptions
  extends Omit<WebhookEndpoint, 'maxResponseBytes'> {
  /** Tries after the first for 429, 5xx, network errors and timeouts. */
  retries: number;
  /** Wait before the first retry; doubles each retry (with jitter). Not configurable. */
  backoffMs?: number;
  /** Upper bound of the exponential wait. */
  maxBackoffMs?: number;
  /** Upper bound of a wait asked for with `Retry-After`. */
  maxRetryAfterMs?: number;
  /** An answer with a larger body is a failed try. Default 1 MiB. */
  maxResponseBytes?: number;
}

/** The JSON body POSTed for `access.grant` and `access.revoke`. */
export interface WebhookProvisionerEvent {
  type: 'access.grant' | 'access.revoke';
  /** When the provisioner was asked (ISO 8601). */
  timestamp: string;
  data: {
    requestId: string;
    requester: string;
    requesterEmail: string | null;
    flowId: string;
    resources: Array<{ entityRef: string; permissions: string[] }>;
    expiresAt: string;
  };
}

const DEFAULT_RETRIES = 3;
const MAX_RETRIES = 10;
const DEFAULT_BACKOFF_MS = 500;
const DEFAULT_MAX_BACKOFF_MS = 8_000;
const DEFAULT_MAX_RETRY_AFTER_MS = 5_000;
const EXCERPT_CHARS = 200;

/**
 * Reads and validates the provisioner's config: its receiver, and `retries`. Messages
 * start with the key relative to the provisioner's config (the registry adds
 * `access.provisioners.<id>.`) and never contain the secret, header values or the URL
 * (which may carry a token).
 */
export function readWebhookProvisionerOptions(
  config: Config,
  logger?: LoggerService,
): WebhookProvisionerOptions {
  const endpoint = readWebhookEndpoint(config, logger);
  const retries = readWholeNumber(config, 'retries', {
    min: 0,
    max: MAX_RETRIES,
    default: DEFAULT_RETRIES,
  });
  return { ...endpoint, retries };
}

const sleep = (ms: number) =>
  new Promise<void>(resolve => setTimeout(resolve, ms));

/** Seconds or an HTTP date, in milliseconds from now; undefined when absent or unreadable. */
function retryAfterMs(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * Access details from a grant answer: the `accessDetails` object of a JSON body, when every
 * value is a string, number or boolean (numbers and booleans become strings).
 */
export function accessDetailsFromAnswer(
  text: string,
): Record<string, string> | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    return undefined;
  }
  const details = (json as Record<string, unknown>).accessDetails;
  if (!details || typeof details !== 'object' || Array.isArray(details)) {
    return undefined;
  }
  const entries = Object.entries(details as Record<string, unknown>);
  if (entries.length === 0) return undefined;
  const out: Array<[string, string]> = [];
  for (const [key, value] of entries) {
    if (
      typeof value !== 'string' &&
      typeof value !== 'number' &&
      typeof value !== 'boolean'
    ) {
      return undefined;
    }
    out.push([key, String(value)]);
  }
  // fromEntries defines own properties, so a `__proto__` key stays a plain key.
  return Object.fromEntries(out);
}

function errorCode(e: unknown): string | undefined {
  const cause = (e as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

/**
 * Grants and revokes access by POSTing signed Standard Webhooks events to a receiver.
 *
 * The `webhook-id` header is `msg_<requestId>_grant` (or `_revoke`) on every try and every
 * call for the same request, so a receiver that de-duplicates on it makes both calls
 * idempotent across retries and crash recovery.
 */
export class WebhookProvisioner implements AccessProvisioner {
  private readonly signer: WebhookSigner;
  /** Scheme and host only: paths and queries may carry tokens. */
  private readonly origin: string;
  private readonly redactor: Redactor;

  constructor(
    private readonly options: WebhookProvisionerOptions,
    private readonly logger?: LoggerService,
  ) {
    this.signer = new WebhookSigner(options.secret);
    const url = new URL(options.url);
    this.origin = url.origin;
    this.redactor = new Redactor([
      options.secret,
      options.secret.slice('whsec_'.length),
      ...headerSecrets(options.headers),
      url.pathname.length > 1 ? url.pathname : '',
      url.search,
    ]);
  }

  async grant(request: ProvisionerRequest): Promise<ProvisionerGrantResult> {
    const text = await this.deliver('grant', request);
    if (text.trim() === '') return {};
    const accessDetails = accessDetailsFromAnswer(text);
    if (accessDetails) return { accessDetails };
    if (/"accessDetails"/.test(text)) {
      this.logger?.warn(
        `${this.origin} answered the grant of ${request.requestId} with accessDetails that are not an object of strings; ignoring them`,
      );
    }
    return {};
  }

  async revoke(request: ProvisionerRequest): Promise<void> {
    await this.deliver('revoke', request);
  }

  /** Builds the event body; the catalog entities are left out on purpose. */
  static event(
    kind: 'grant' | 'revoke',
    request: ProvisionerRequest,
    now: Date = new Date(),
  ): WebhookProvisionerEvent {
    return {
      type: `access.${kind}`,
      timestamp: now.toISOString(),
      data: {
        requestId: request.requestId,
        requester: request.requester,
        requesterEmail: request.requesterEmail ?? null,
        flowId: request.flowId,
        resources: request.resources.map(r => ({
          entityRef: r.entityRef,
          permissions: [...r.permissions],
        })),
        expiresAt: request.expiresAt,
      },
    };
  }

  /**
   * POSTs one event until it is accepted (2xx), retrying 429, 5xx, answers over the size
   * cap, network errors and timeouts. Returns the accepted answer's body ('' when it
   * could not be read).
   */
  private async deliver(
    kind: 'grant' | 'revoke',
    request: ProvisionerRequest,
  ): Promise<string> {
    const o = this.options;
    const payload = JSON.stringify(WebhookProvisioner.event(kind, request));
    const messageId = webhookMessageId(request.requestId, kind);
    const tries = o.retries + 1;
    const backoffMs = o.backoffMs ?? DEFAULT_BACKOFF_MS;
    const maxBackoffMs = o.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
    const maxRetryAfterMs = o.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
    let problem = '';
    let wait = 0;

    for (let attempt = 0; attempt < tries; attempt++) {
      if (attempt > 0) {
        this.logger?.warn(
          `${kind} of ${request.requestId}: ${this.origin} ${problem} (try ${attempt} of ${tries}); retrying in ${wait}ms`,
        );
        await sleep(wait);
      }
      const exponential = Math.min(backoffMs * 2 ** attempt, maxBackoffMs);
      // Equal jitter: half fixed, half random, so many grants failing together spread out.
      wait = Math.round(exponential / 2 + (Math.random() * exponential) / 2);

      const controller = new AbortController();
      const timer = setTimeout(
        () => controller.abort(new Error('timeout')),
        o.timeoutMs,
      );
      const done = () => clearTimeout(timer);
      let response: BoundedResponse;
      try {
        response = await boundedFetch(o.url, {
          method: 'POST',
          headers: {
            ...o.headers,
            'Content-Type': 'application/json',
            Accept: 'application/json',
            'User-Agent': 'backstage-jit-access-webhook-provisioner',
            // Signed per try: receivers reject timestamps older than five minutes.
            ...this.signer.sign(payload, messageId, new Date()),
          },
          body: payload,
          signal: controller.signal,
          maxResponseBytes: o.maxResponseBytes,
        });
      } catch (e) {
        done();
        problem = controller.signal.aborted
          ? `did not answer within ${o.timeoutMs / 1000}s`
          : `could not be reached${errorCode(e) ? ` (${errorCode(e)})` : ''}`;
        continue;
      }

      if (response.ok) {
        try {
          return await response.text();
        } catch (e) {
          if (e instanceof ResponseTooLargeError) {
            problem = e.message;
            continue;
          }
          // The receiver said 2xx, so it is done; only the details are lost.
          this.logger?.warn(
            `${this.origin} accepted the ${kind} of ${
              request.requestId
            } but its answer could not be read${
              kind === 'grant' ? '; no access details' : ''
            }`,
          );
          return '';
        } finally {
          done();
        }
      }

      if (response.status === 429 || response.status >= 500) {
        await response.discard();
        done();
        problem = `answered ${response.status}`;
        const asked = retryAfterMs(response.headers.get('retry-after'));
        if (asked !== undefined) wait = Math.min(asked, maxRetryAfterMs);
        continue;
      }

      // Anything else (4xx, a redirect) will not get better by asking again.
      let excerpt = '';
      try {
        const read = await response.textAtMost(4096);
        // A cut-off tail could hold part of a secret that redaction would not recognise.
        excerpt = read.complete
          ? read.text
          : read.text.slice(
              0,
              Math.max(0, read.text.length - this.redactor.longest),
            );
      } catch {
        // The status says enough.
      } finally {
        done();
      }
      if (response.redirect) {
        throw new Error(
          `${this.origin} answered ${response.status} ${REDIRECT_NOT_FOLLOWED}`,
        );
      }
      excerpt = this.clean(excerpt);
      throw new Error(
        `${this.origin} answered ${response.status}${
          excerpt ? `: ${excerpt}` : ''
        }`,
      );
    }
    throw new Error(
      `${this.origin} ${problem} after ${tries} ${
        tries === 1 ? 'try' : 'tries'
      }`,
    );
  }

  /** A one-line excerpt of an error body, without anything secret the receiver echoed. */
  private clean(text: string): string {
    return this.redactor.excerpt(text, EXCERPT_CHARS);
  }
}

/**
 * The built-in `webhook` provisioner type: POSTs signed `access.grant` / `access.revoke`
 * events (Standard Webhooks) to `url`.
 */
export const webhookProvisionerFactory: AccessProvisionerFactory = {
  type: 'webhook',
  create: ({ config, logger }) =>
    new WebhookProvisioner(
      readWebhookProvisionerOptions(config, logger),
      logger,
    ),
};
