import { Config } from '@backstage/config';

/**
 * Reads the configured `headers` of a webhook (check or provisioner): each value must be a
 * string, must not be one of the `reserved` header names (lower case), and must pass
 * `new Headers()` now, so that fetch never rejects it later with a message that quotes the
 * value (a secret). Neither is the value quoted in the errors here.
 */
export function readHeaderConfig(
  config: Config,
  options: {
    /** Lower-case header names the caller sets itself. */
    reserved?: readonly string[];
    /** Message for a configured reserved header, after `headers.<name>: `. */
    reservedMessage?: string;
    /** Appended to the invalid-header error, like ` (a line break in the value?)`. */
    invalidHint?: string;
  } = {},
): Record<string, string> {
  const { reserved = [], reservedMessage = 'cannot be configured' } = options;
  const headers: Record<string, string> = {};
  // Read as a plain object: a header name is not a config key ("X Api Key", "X.Y").
  const rawHeaders = (config.getOptionalConfig('headers')?.get() ??
    {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(rawHeaders)) {
    if (typeof value !== 'string') {
      throw new Error(`headers.${name}: must be a string`);
    }
    if (reserved.includes(name.toLowerCase())) {
      throw new Error(`headers.${name}: ${reservedMessage}`);
    }
    try {
      // eslint-disable-next-line no-new
      new Headers({ [name]: value });
    } catch {
      throw new Error(
        `headers.${name}: is not a valid HTTP header name and value${
          options.invalidHint ?? ''
        }`,
      );
    }
    headers[name] = value;
  }
  return headers;
}
