import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';

/** The module's settings, read from `freshservice`. */
export interface FreshserviceSettings {
  baseUrl: string;
  apiKey: string;
  services: string[];
  privateNotes: boolean;
  resolvedStatus: 4 | 5;
  timeoutMs: number;
  appBaseUrl?: string;
}

const LOCAL = /^(localhost|127\.0\.0\.1|\[::1\])$/;

/**
 * Reads `freshservice`; undefined when the block is absent. A bad value throws an Error
 * naming the key, which stops the backend.
 */
export function readFreshserviceSettings(
  config: Config,
): FreshserviceSettings | undefined {
  const fs = config.getOptionalConfig('freshservice');
  if (!fs) return undefined;
  const at = (key: string) => `freshservice.${key}`;
  const get = <T>(key: string, read: () => T): T => {
    try {
      return read();
    } catch (e) {
      throw new Error(`${at(key)}: ${(e as Error).message}`);
    }
  };

  const baseUrl = get('baseUrl', () => fs.getString('baseUrl')).replace(
    /\/+$/,
    '',
  );
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(`${at('baseUrl')}: not a URL`);
  }
  if (
    !(
      url.protocol === 'https:' ||
      (url.protocol === 'http:' && LOCAL.test(url.hostname))
    )
  ) {
    throw new Error(
      `${at('baseUrl')}: must be https:// (http:// only to localhost)`,
    );
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new Error(
      `${at(
        'baseUrl',
      )}: no user name, password, query or fragment (the API key goes in freshservice.apiKey)`,
    );
  }
  if (url.pathname !== '/' && url.pathname !== '') {
    throw new Error(
      `${at(
        'baseUrl',
      )}: the account's address only, e.g. https://acme.freshservice.com (not ${
        url.pathname
      })`,
    );
  }

  const apiKey = get('apiKey', () => fs.getString('apiKey')).trim();
  if (!apiKey || /[\s:]/.test(apiKey)) {
    throw new Error(
      `${at('apiKey')}: a Freshservice API key, without spaces or ':'`,
    );
  }

  const services = get('services', () => fs.getStringArray('services'));
  if (!services.length) {
    throw new Error(
      `${at(
        'services',
      )}: name the service subject(s) the Freshservice workflow calls with (a static token's subject)`,
    );
  }
  services.forEach((s, i) => {
    if (!s.trim() || s.startsWith('service:')) {
      throw new Error(
        `${at(
          `services[${i}]`,
        )}: a subject as in access.onBehalfOf.allowedServices, without the service: prefix`,
      );
    }
  });

  const privateNotes =
    get('privateNotes', () => fs.getOptionalBoolean('privateNotes')) ?? false;
  const resolvedStatus =
    get('resolvedStatus', () => fs.getOptionalNumber('resolvedStatus')) ?? 4;
  if (resolvedStatus !== 4 && resolvedStatus !== 5) {
    throw new Error(`${at('resolvedStatus')}: 4 (Resolved) or 5 (Closed)`);
  }
  const timeoutMs = fs.has('timeout')
    ? get('timeout', () =>
        durationToMilliseconds(readDurationFromConfig(fs, { key: 'timeout' })),
      )
    : 10_000;
  if (!(timeoutMs > 0 && timeoutMs <= 120_000)) {
    throw new Error(`${at('timeout')}: more than 0 and at most 2 minutes`);
  }
  return {
    baseUrl,
    apiKey,
    services,
    privateNotes,
    resolvedStatus,
    timeoutMs,
    appBaseUrl: config.getOptionalString('app.baseUrl')?.replace(/\/+$/, ''),
  };
}
