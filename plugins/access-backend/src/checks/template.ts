import { AccessCheckContext } from '@jit-access/plugin-access-node';

/** The values a webhook template may use, e.g. `{{requester.email}}`, `{{resources.0.entityRef}}`. */
export function templateValues(
  ctx: AccessCheckContext,
): Record<string, unknown> {
  return {
    requestId: ctx.requestId,
    requester: {
      ref: ctx.requester.ref,
      email: ctx.requester.email ?? '',
      name: ctx.requester.displayName ?? ctx.requester.ref,
    },
    resources: ctx.resources.map(r => ({
      entityRef: r.entityRef,
      permissions: r.permissions.join(','),
      title: r.entity?.metadata.title ?? r.entity?.metadata.name ?? '',
    })),
    flow: ctx.flow,
    justification: ctx.justification,
    durationSeconds: ctx.durationSeconds,
  };
}

const PLACEHOLDER = /\{\{\s*([a-zA-Z0-9_.]+)\s*\}\}/g;

function lookup(values: Record<string, unknown>, path: string): unknown {
  let cur: unknown = values;
  for (const part of path.split('.')) {
    if (cur === null || cur === undefined || typeof cur !== 'object') {
      return undefined;
    }
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** The placeholders a template names that no value fills (for start-up validation). */
export function unknownPlaceholders(
  template: string,
  sample: Record<string, unknown>,
): string[] {
  const missing: string[] = [];
  for (const m of template.matchAll(PLACEHOLDER)) {
    const root = m[1].split('.')[0];
    if (!(root in sample)) missing.push(m[1]);
  }
  return missing;
}

/**
 * Fills a template. `json` escapes each value for use inside a JSON string, so that a
 * justification with quotes or newlines cannot break the body; `url` percent-encodes, and
 * throws (naming the value) for a value of only dots in the path.
 */
export function renderTemplate(
  template: string,
  values: Record<string, unknown>,
  mode: 'json' | 'url' | 'text',
): string {
  // Where the query or fragment starts: values after it cannot reach the path.
  const pathEnd = template.search(/[?#]/);
  return template.replace(PLACEHOLDER, (_m, path: string, offset: number) => {
    const v = lookup(values, path);
    if (v === undefined || v === null) return '';
    const text = typeof v === 'object' ? JSON.stringify(v) : String(v);
    if (mode === 'json') return JSON.stringify(text).slice(1, -1);
    if (mode === 'url') {
      // encodeURIComponent keeps dots, and URL parsers drop `.` and `..` segments (also
      // as %2E), so such a value would point the call at another path: refuse it.
      if (/^\.+$/.test(text) && (pathEnd < 0 || offset < pathEnd)) {
        throw new Error(
          `${path} is ${JSON.stringify(
            text,
          )}, which would change the URL's path`,
        );
      }
      return encodeURIComponent(text);
    }
    return text;
  });
}
