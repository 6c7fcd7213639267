import { InputError } from '@backstage/errors';
import express from 'express';

/**
 * The OpenAPI validator (express-openapi-validator, behind Backstage's
 * `createValidatedOpenApiRouter`) reports the first problem as
 * `request/body/resources/0/permissions must NOT have fewer than 1 items`. This rewrites
 * such messages into the API's own form, `Invalid body: resources[0].permissions: at least
 * 1 item`, so a 400 names the field the way a caller writes it. A schema may word a rule
 * itself with `x-messages: { <keyword>: <text> }` (e.g. `pattern` or `type`).
 */

type Node = Record<string, any>;

/** The parts of the spec the rewrite looks into. */
export interface SpecLike {
  components?: { schemas?: Node; parameters?: Node };
}

/** What express-openapi-validator leaves on the request: the matched operation. */
interface WithOperation {
  openapi?: { schema?: Node };
}

const WHERE: Record<string, string> = {
  body: 'body',
  query: 'query',
  params: 'path',
  headers: 'header',
};

// The spec's pattern for text without null characters (as written in the yaml).
const NO_NUL_PATTERN = '^[^\\u0000]*$';

function resolve(spec: SpecLike, node: Node | undefined): Node | undefined {
  let n = node;
  for (let i = 0; n?.$ref && i < 10; i++) {
    const [, section, name] = /^#\/components\/(\w+)\/(.+)$/.exec(n.$ref) ?? [];
    n = (spec.components as Node | undefined)?.[section]?.[name];
  }
  return n;
}

/** The schema and its `allOf` members, resolved: where a keyword may be written. */
function layers(spec: SpecLike, node: Node | undefined): Node[] {
  const n = resolve(spec, node);
  if (!n) return [];
  return [n, ...(n.allOf ?? []).flatMap((m: Node) => layers(spec, m))];
}

function child(spec: SpecLike, node: Node | undefined, key: string) {
  for (const layer of layers(spec, node)) {
    if (layer.properties?.[key]) return layer.properties[key];
    if (layer.items && /^\d+$/.test(key)) return layer.items;
  }
  return undefined;
}

/** The schema at `path` inside the body or a parameter of the matched operation. */
function schemaAt(
  spec: SpecLike,
  req: express.Request,
  where: string,
  path: string[],
): Node | undefined {
  const operation = (req as WithOperation).openapi?.schema;
  if (!operation) return undefined;
  let node: Node | undefined;
  let rest = path;
  if (where === 'body') {
    node = resolve(spec, operation.requestBody)?.content?.['application/json']
      ?.schema;
  } else {
    const param = (operation.parameters ?? [])
      .map((p: Node) => resolve(spec, p))
      .find((p: Node | undefined) => p?.name === path[0]);
    node = param?.schema;
    rest = path.slice(1);
  }
  for (const key of rest) node = child(spec, node, key);
  return node;
}

function valueAt(req: express.Request, where: string, path: string[]) {
  let value: unknown = where === 'body' ? req.body : (req as Node)[where];
  for (const key of path) value = (value as Node | undefined)?.[key];
  return value;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isInteger(value)) return 'float';
  return typeof value;
}

/** `resources/0/permissions` as `resources[0].permissions`. */
function fieldName(path: string[]): string {
  let name = '';
  for (const key of path) {
    if (/^\d+$/.test(key)) name += `[${key}]`;
    else name += name ? `.${key}` : key;
  }
  return name;
}

const plural = (n: string, word: string) =>
  `${n} ${word}${n === '1' ? '' : 's'}`;

const BOUND: Record<string, string> = {
  '>=': 'at least',
  '<=': 'at most',
  '>': 'above',
  '<': 'below',
};

/** What a rule's wording needs to know about the failing field. */
interface Field {
  /** The schema's own wording for a keyword (`x-messages`). */
  own(keyword: string): string | undefined;
  value(): unknown;
  unknownKeys(): string[];
}

/** The validator's wordings (ajv's), each with the API's words for it. */
const RULES: [RegExp, (m: RegExpExecArray, f: Field) => string][] = [
  [
    /^must NOT have fewer than (\d+) items$/,
    m => `at least ${plural(m[1], 'item')}`,
  ],
  [
    /^must NOT have more than (\d+) items$/,
    m => `at most ${plural(m[1], 'item')}`,
  ],
  [
    /^must NOT have fewer than (\d+) characters$/,
    m =>
      m[1] === '1'
        ? 'must not be empty'
        : `at least ${plural(m[1], 'character')}`,
  ],
  [
    /^must NOT have more than (\d+) characters$/,
    m => `at most ${plural(m[1], 'character')}`,
  ],
  [/^must be (>=|<=|>|<) (\S+)$/, m => `must be ${BOUND[m[1]]} ${m[2]}`],
  [
    /^must be (\w+)(,null)?$/,
    (m, f) =>
      f.own('type') ?? `Expected ${m[1]}, received ${kindOf(f.value())}`,
  ],
  [
    /^must be equal to one of the allowed values: (.*)$/,
    m => `must be one of ${m[1]}`,
  ],
  [
    /^must match pattern "(.*)"$/,
    (m, f) =>
      f.own('pattern') ??
      (m[1] === NO_NUL_PATTERN
        ? 'must not contain null characters (\\u0000)'
        : `must match ${m[1]}`),
  ],
  [
    /^must match format "(.*)"$/,
    (m, f) => f.own('format') ?? `must be a ${m[1] === 'uuid' ? 'UUID' : m[1]}`,
  ],
  [
    // The words zod used before the spec took over; callers may match on them.
    /^must NOT have additional properties$/,
    (_m, f) =>
      `Unrecognized key(s) in object: ${f
        .unknownKeys()
        .map(k => `'${k.slice(0, 40)}'`)
        .join(', ')}`,
  ],
];

/** The validator's wording of one rule, in the API's words. */
function reword(message: string, field: Field): string {
  for (const [pattern, words] of RULES) {
    const m = pattern.exec(message);
    if (m) return words(m, field);
  }
  return message;
}

/** One validator message as an InputError naming the field; undefined when not one. */
export function toInputError(
  spec: SpecLike,
  req: express.Request,
  message: string,
): InputError | undefined {
  const emptyParam = /^Empty value found for query parameter '(.*)'$/.exec(
    message,
  );
  if (emptyParam) {
    return new InputError(
      `Invalid query: ${emptyParam[1].slice(0, 40)}: must not be empty`,
    );
  }
  const unknownParam = /^Unknown query parameter '(.*)'$/.exec(message);
  if (unknownParam) {
    return new InputError(
      `Invalid query: ${unknownParam[1].slice(0, 40)}: unknown parameter`,
    );
  }
  const m = /^request\/(body|query|params|headers)(\/\S*)? (.+)$/s.exec(
    message,
  );
  if (!m) return undefined;
  const where = m[1];
  const path = (m[2] ?? '')
    .split('/')
    .slice(1)
    .map(k => k.replace(/~1/g, '/').replace(/~0/g, '~'));
  const required = /^must have required property '(.*)'$/.exec(m[3]);
  if (required) path.push(required[1]);
  const node = () => schemaAt(spec, req, where, path);
  const text = required
    ? 'required'
    : reword(m[3], {
        own: keyword =>
          layers(spec, node())
            .map(l => l['x-messages']?.[keyword])
            .find(Boolean),
        value: () => valueAt(req, where, path),
        unknownKeys: () => {
          const known = new Set(
            layers(spec, node()).flatMap(l => Object.keys(l.properties ?? {})),
          );
          const value = valueAt(req, where, path);
          return value && typeof value === 'object'
            ? Object.keys(value).filter(k => !known.has(k))
            : [];
        },
      });
  const field = fieldName(path);
  return new InputError(
    `Invalid ${WHERE[where]}: ${field ? `${field}: ` : ''}${text}`,
  );
}

/**
 * Error middleware for the validated router: rewrites the validator's 400s (which
 * `createValidatedOpenApiRouter` passes on as InputErrors with the validator's text).
 */
export function validationErrorRewriter(spec: SpecLike) {
  return (
    err: unknown,
    req: express.Request,
    _res: express.Response,
    next: express.NextFunction,
  ) => {
    if (err instanceof InputError) {
      const rewritten = toInputError(spec, req, err.message);
      if (rewritten) {
        next(rewritten);
        return;
      }
    }
    next(err);
  };
}
