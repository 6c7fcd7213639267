// The backend's HTTP contract, for the fake backend of component tests (not part of the
// plugin's exports): every call the fake takes is checked against openapi.yaml as the real
// router checks it, and every answer it gives must fit the spec's response schema, so a
// test cannot pass on a fake more lenient than the real API or on answers it never sends.
import { AccessApiPaths } from '@jit-access/plugin-access-common';
import Ajv, { ValidateFunction } from 'ajv';
// Test-only code in jest (Node): it reads the spec file of the backend package beside it.
// eslint-disable-next-line no-restricted-imports
import { readFileSync } from 'fs';
// eslint-disable-next-line no-restricted-imports
import { resolve } from 'path';
import { parse } from 'yaml';

/** The backend's spec, read from the source (the generated const lives in the backend). */
const SPEC_FILE = resolve(
  __dirname,
  '../../../access-backend/src/schema/openapi.yaml',
);

// The routes of the spec as types, for what a scripted route takes and answers.
export type Method = 'get' | 'post' | 'put' | 'delete';
export type Route = keyof AccessApiPaths;
export type Operation<P extends Route, M extends Method> = AccessApiPaths[P][M];
/** The routes of the spec that take `method`. */
export type RouteWith<M extends Method> = {
  [P in Route]: Operation<P, M> extends { responses: unknown } ? P : never;
}[Route];
type JsonOf<R> = R extends { content: { 'application/json': infer B } }
  ? B
  : never;
/** The JSON of an operation's success answer (200, or 201 for creations). */
export type Answer<O> = O extends { responses: { 200: infer R } }
  ? JsonOf<R>
  : O extends { responses: { 201: infer R } }
  ? JsonOf<R>
  : never;
export type Body<O> = O extends { requestBody: infer B }
  ? JsonOf<B>
  : O extends { requestBody?: infer B }
  ? JsonOf<NonNullable<B>> | undefined
  : undefined;

type Node = Record<string, any>;

const spec: Node = parse(readFileSync(SPEC_FILE, 'utf8'));
// Formats (date-time, uuid) are not checked: the backend's validator does not either.
const ajv = new Ajv({ strict: false, validateFormats: false });
ajv.addSchema(spec, 'spec');

const compiled = new Map<string, ValidateFunction>();
/** The schema at a JSON pointer of the spec, compiled once. */
function schemaAt(pointer: string): ValidateFunction {
  let validate = compiled.get(pointer);
  if (!validate) {
    validate = ajv.compile({ $ref: `spec#${pointer}` });
    compiled.set(pointer, validate);
  }
  return validate;
}

const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** The spec's operation for a method and a path below /api/access, and where it is. */
function operationOf(method: string, path: string) {
  for (const template of Object.keys(spec.paths)) {
    const names: string[] = [];
    const pattern = new RegExp(
      `^${template
        .replace(/\{(\w+)\}/g, (_, name: string) => {
          names.push(name);
          return '([^/]+)';
        })
        .replace(/\//g, '\\/')}$`,
    );
    const op = spec.paths[template][method.toLowerCase()];
    const match = op ? pattern.exec(path) : null;
    if (match) {
      return {
        op: op as Node,
        template,
        params: Object.fromEntries(
          names.map((n, i) => [n, decodeURIComponent(match[i + 1])]),
        ),
        pointer: `/paths/${escape(template)}/${method.toLowerCase()}`,
      };
    }
  }
  return undefined;
}

/**
 * The spec's route for a call: its path template (`/requests/{id}`), the path parameters,
 * and the status of its success answer (201 for what creates, else 200).
 */
export function routeOf(
  method: string,
  path: string,
):
  | { template: string; params: Record<string, string>; status: number }
  | undefined {
  const found = operationOf(method, path);
  if (!found) return undefined;
  const status = Number(
    Object.keys(found.op.responses ?? {}).find(s => /^2\d\d$/.test(s)) ?? 200,
  );
  return { template: found.template, params: found.params, status };
}

/**
 * The statuses the spec lists for `method path` (a concrete path or a template such as
 * `/requests/{id}/cancel`), e.g. [200, 400, 401, 403, 404, 409]; none for a route it lacks.
 */
export function listedStatuses(method: string, path: string): number[] {
  const found = operationOf(method, path);
  return Object.keys(found?.op.responses ?? {})
    .filter(s => /^\d{3}$/.test(s))
    .map(Number);
}

/** A query parameter of the operation with the pointer of its schema. */
function queryParameter(
  op: Node,
  pointer: string,
  name: string,
): { param: Node; schema: string } | undefined {
  const params: Node[] = op.parameters ?? [];
  for (let i = 0; i < params.length; i++) {
    const ref: string | undefined = params[i].$ref;
    const param = ref
      ? spec.components.parameters[ref.split('/').pop()!]
      : params[i];
    if (param.in === 'query' && param.name === name) {
      return {
        param,
        schema: ref
          ? `/components/parameters/${escape(ref.split('/').pop()!)}/schema`
          : `${pointer}/parameters/${i}/schema`,
      };
    }
  }
  return undefined;
}

function problem(where: string, validate: ValidateFunction): string {
  const e = validate.errors?.[0];
  return `Invalid ${where}: ${e?.instancePath.replace(/^\//, '') || where}: ${
    e?.message ?? 'invalid'
  }`;
}

/**
 * What is wrong with a call by the spec: 404 for a route it does not describe, 400 for a
 * parameter or body it refuses (the first problem); undefined when the call fits.
 */
export function contractProblem(call: {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}): { status: 404 | 400; message: string } | undefined {
  const found = operationOf(call.method, call.path);
  if (!found)
    return { status: 404, message: `No route ${call.method} ${call.path}` };
  const { op, pointer } = found;
  for (const name of new Set(call.query.keys())) {
    const values = call.query.getAll(name);
    const known = queryParameter(op, pointer, name);
    if (!known)
      return {
        status: 400,
        message: `Invalid query: ${name}: unknown parameter`,
      };
    if (values[0] === '' && !known.param.allowEmptyValue)
      return {
        status: 400,
        message: `Invalid query: ${name}: must not be empty`,
      };
    const validate = schemaAt(known.schema);
    const type = known.param.schema?.type;
    // Repeated parameters are an array, and integers are read as numbers, as the
    // backend's validator reads the query string.
    let value: unknown = values.length > 1 ? values : values[0];
    if (type === 'integer' && /^\d+$/.test(values[0]))
      value = Number(values[0]);
    if (!validate(value))
      return { status: 400, message: problem('query', validate) };
  }
  if (op.requestBody) {
    const validate = schemaAt(
      `${pointer}/requestBody/content/application~1json/schema`,
    );
    if (call.body === undefined && op.requestBody.required)
      return { status: 400, message: 'Invalid body: a body is required' };
    if (call.body !== undefined && !validate(call.body))
      return { status: 400, message: problem('body', validate) };
  }
  return undefined;
}

/**
 * Throws when a 2xx answer of the fake does not fit the spec's schema for it: the fake (or a
 * test's fixture) is wrong, not the page under test.
 */
export function assertAnswerFits(
  call: { method: string; path: string },
  status: number,
  body: unknown,
): void {
  const found = operationOf(call.method, call.path);
  const response = found?.op.responses?.[String(status)];
  const json = response?.content?.['application/json'];
  if (!found || !json) {
    throw new Error(
      `The fake answered ${call.method} ${call.path} with ${status}, which the spec does not describe`,
    );
  }
  const validate = schemaAt(
    `${found.pointer}/responses/${status}/content/application~1json/schema`,
  );
  if (!validate(body)) {
    throw new Error(
      `The fake's answer to ${call.method} ${
        call.path
      } does not fit the spec: ${ajv.errorsText(validate.errors)}`,
    );
  }
}
