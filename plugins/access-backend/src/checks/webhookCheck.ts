import { Config } from '@backstage/config';
import {
  AccessCheck,
  AccessCheckContext,
  AccessCheckFactory,
  AccessCheckOutcome,
} from '@jit-access/plugin-access-node';
import { JSONPath } from 'jsonpath-plus';
import { readMaxResponseBytes } from '../config/callLimits';
import { readDurationMs } from '../config/duration';
import { readHeaderConfig } from '../config/headerConfig';
import {
  boundedFetch,
  BoundedResponse,
  REDIRECT_NOT_FOLLOWED,
  ResponseTooLargeError,
} from '../http/boundedFetch';
import { headerSecrets, Redactor } from '../http/redact';
import {
  renderTemplate,
  templateValues,
  unknownPlaceholders,
} from './template';

interface Validator {
  jsonPath: string;
  expectedValues: string[];
}

interface WebhookCheckOptions {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  validators: Validator[];
  timeoutMs: number;
  retries: number;
  /** Default 1 MiB. */
  maxResponseBytes?: number;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason);
      },
      { once: true },
    );
  });

function readOptions(config: Config): WebhookCheckOptions {
  const url = config.getString('url');
  try {
    const parsed = new URL(url.replace(/\{\{[^}]*\}\}/g, 'x'));
    if (!['http:', 'https:'].includes(parsed.protocol)) throw new Error();
  } catch {
    throw new Error(`url: "${url}" is not an http(s) URL`);
  }
  const method = (config.getOptionalString('method') ?? 'POST').toUpperCase();
  if (method !== 'GET' && method !== 'POST') {
    throw new Error(`method: must be GET or POST, got "${method}"`);
  }
  // Checked now, so that fetch never rejects a header later with a message that quotes
  // the value (a secret) into the check's detail.
  const headers = readHeaderConfig(config, {
    invalidHint: ' (a line break in the value?)',
  });
  const validators = (config.getOptionalConfigArray('validators') ?? []).map(
    (v, i) => {
      const jsonPath = v.getString('jsonPath');
      if (!jsonPath.startsWith('$')) {
        throw new Error(
          `validators[${i}].jsonPath: must start with $, like $.incidents[0].status`,
        );
      }
      const expected = v.get('expectedValues');
      if (!Array.isArray(expected) || expected.length === 0) {
        throw new Error(
          `validators[${i}].expectedValues: must be a non-empty list`,
        );
      }
      return { jsonPath, expectedValues: expected.map(x => String(x)) };
    },
  );
  if (validators.length === 0) {
    throw new Error('validators: a webhook check needs at least one validator');
  }
  const timeoutMs = readDurationMs(config, 'timeout', 5000);
  const retries = config.getOptionalNumber('retries') ?? 2;
  if (!Number.isInteger(retries) || retries < 0 || retries > 5) {
    throw new Error('retries: must be a whole number from 0 to 5');
  }
  const body = config.getOptionalString('body');
  // A misspelt placeholder would otherwise silently become an empty string.
  const sample = templateValues({
    requestId: '',
    requester: { ref: '' },
    resources: [],
    flow: { id: '', title: '' },
    justification: '',
    durationSeconds: 0,
    signal: new AbortController().signal,
  });
  for (const [key, template] of [
    ['url', url],
    ['body', body ?? ''],
  ] as const) {
    const unknown = unknownPlaceholders(template, sample);
    if (unknown.length) {
      throw new Error(
        `${key}: unknown placeholder ${unknown
          .map(u => `{{${u}}}`)
          .join(
            ', ',
          )}; use requestId, requester.*, resources.N.*, flow.*, justification, durationSeconds`,
      );
    }
  }
  const maxResponseBytes = readMaxResponseBytes(config);
  return {
    url,
    method,
    headers,
    body,
    validators,
    timeoutMs,
    retries,
    maxResponseBytes,
  };
}

function show(value: unknown): string {
  const s = JSON.stringify(value);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/**
 * Validates an answer. Every validator must hold; a validator holds when any value its
 * JSONPath selects equals one of the expected values (compared as strings).
 */
export function validateAnswer(
  json: unknown,
  validators: Validator[],
): AccessCheckOutcome {
  const seen: string[] = [];
  for (const v of validators) {
    let matches: unknown[];
    try {
      matches = JSONPath({
        path: v.jsonPath,
        json: json as any,
        wrap: true,
      }) as unknown[];
    } catch (e) {
      return {
        outcome: 'error',
        detail: `JSONPath ${v.jsonPath} could not be evaluated: ${
          (e as Error).message
        }`,
      };
    }
    if (!matches.length) {
      return {
        outcome: 'failed',
        detail: `${v.jsonPath} is missing from the answer`,
      };
    }
    const hit = matches.find(m =>
      v.expectedValues.includes(
        typeof m === 'object' ? JSON.stringify(m) : String(m),
      ),
    );
    if (hit === undefined) {
      return {
        outcome: 'failed',
        detail: `${v.jsonPath} was ${matches
          .map(show)
          .join(', ')}; expected ${v.expectedValues.join(' or ')}`,
      };
    }
    seen.push(`${v.jsonPath} = ${show(hit)}`);
  }
  return { outcome: 'passed', detail: seen.join('; ') };
}

/**
 * Calls a configured HTTP endpoint and validates its JSON answer with JSONPath. The header
 * values (credentials) never appear in a detail, whatever the endpoint answers.
 */
export class WebhookCheck implements AccessCheck {
  private readonly host: string;
  private readonly redactor: Redactor;

  constructor(private readonly options: WebhookCheckOptions) {
    this.host = new URL(options.url.replace(/\{\{[^}]*\}\}/g, 'x')).host;
    this.redactor = new Redactor(headerSecrets(options.headers));
  }

  async run(ctx: AccessCheckContext): Promise<AccessCheckOutcome> {
    let outcome: AccessCheckOutcome;
    try {
      outcome = await this.ask(ctx);
    } catch (e) {
      outcome = {
        outcome: 'error',
        detail: `${this.host} could not be asked: ${
          e instanceof Error ? e.message : String(e)
        }`,
      };
    }
    return { ...outcome, detail: this.redactor.redact(outcome.detail) };
  }

  private async ask(ctx: AccessCheckContext): Promise<AccessCheckOutcome> {
    const o = this.options;
    const values = templateValues(ctx);
    const url = renderTemplate(o.url, values, 'url');
    const body =
      o.method === 'POST' && o.body !== undefined
        ? renderTemplate(o.body, values, 'json')
        : undefined;
    const signal = AbortSignal.any([
      ctx.signal,
      AbortSignal.timeout(o.timeoutMs),
    ]);
    let lastProblem = '';
    for (let attempt = 0; attempt <= o.retries; attempt++) {
      let response: BoundedResponse;
      try {
        response = await boundedFetch(url, {
          method: o.method,
          headers: {
            Accept: 'application/json',
            ...(body !== undefined
              ? { 'Content-Type': 'application/json' }
              : {}),
            ...o.headers,
          },
          body,
          signal,
          maxResponseBytes: o.maxResponseBytes,
        });
      } catch (e) {
        if (signal.aborted) {
          return {
            outcome: 'error',
            detail: `${this.host} did not answer within ${o.timeoutMs / 1000}s`,
          };
        }
        lastProblem = `could not reach ${this.host}: ${(e as Error).message}`;
        if (attempt < o.retries)
          await sleep(250 * 2 ** attempt, signal).catch(() => undefined);
        continue;
      }
      if (response.status === 429 || response.status >= 500) {
        lastProblem = `${this.host} answered ${response.status}`;
        await response.discard();
        if (attempt < o.retries) {
          const retryAfter = Number(response.headers.get('retry-after'));
          const wait =
            Number.isFinite(retryAfter) && retryAfter > 0
              ? Math.min(retryAfter * 1000, 2000)
              : 250 * 2 ** attempt;
          try {
            await sleep(wait, signal);
          } catch {
            return {
              outcome: 'error',
              detail: `${this.host} did not answer within ${
                o.timeoutMs / 1000
              }s`,
            };
          }
        }
        continue;
      }
      if (!response.ok) {
        await response.discard();
        return {
          outcome: 'error',
          detail: `${this.host} answered ${response.status}${
            response.redirect ? ` ${REDIRECT_NOT_FOLLOWED}` : ''
          }`,
        };
      }
      let json: unknown;
      try {
        json = JSON.parse(await response.text());
      } catch (e) {
        return {
          outcome: 'error',
          detail:
            e instanceof ResponseTooLargeError
              ? `${this.host} ${e.message}`
              : `${this.host} answered with something that is not JSON`,
        };
      }
      return validateAnswer(json, o.validators);
    }
    return {
      outcome: 'error',
      detail: `${lastProblem} (after ${o.retries + 1} tries)`,
    };
  }
}

/** The built-in `webhook` check type. */
export const webhookCheckFactory: AccessCheckFactory = {
  type: 'webhook',
  create: ({ config }) => new WebhookCheck(readOptions(config)),
};
