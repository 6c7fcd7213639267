import { readFileSync } from 'fs';
import { resolve } from 'path';
import { parse } from 'yaml';

const METHODS = ['get', 'post', 'put', 'delete', 'patch', 'options', 'head'];

const spec = parse(
  readFileSync(resolve(__dirname, 'openapi.yaml'), 'utf8'),
) as Record<string, any>;

const routerSource = readFileSync(
  resolve(__dirname, '../service/router.ts'),
  'utf8',
);

/** Every `router.<method>('<path>'` in the router, as `METHOD /path/{param}`. */
function routerRoutes(): string[] {
  const found: string[] = [];
  const re = /router\.(get|post|put|delete|patch|options|head)\(\s*'([^']+)'/g;
  for (const m of routerSource.matchAll(re)) {
    found.push(
      `${m[1].toUpperCase()} ${m[2].replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`,
    );
  }
  return found.sort();
}

/** Every (method, path) operation in the spec. */
function specRoutes(): string[] {
  const found: string[] = [];
  for (const [path, item] of Object.entries<Record<string, unknown>>(
    spec.paths ?? {},
  )) {
    for (const method of Object.keys(item)) {
      if (METHODS.includes(method)) {
        found.push(`${method.toUpperCase()} ${path}`);
      }
    }
  }
  return found.sort();
}

describe('openapi.yaml', () => {
  it('is OpenAPI 3.0.3', () => {
    expect(spec.openapi).toBe('3.0.3');
  });

  it('finds the routes in router.ts', () => {
    // Guards the regex: if the router stopped using `router.<method>('...'`, this would be empty.
    expect(routerRoutes().length).toBeGreaterThan(10);
  });

  it('describes every route of the router', () => {
    const documented = new Set(specRoutes());
    expect(routerRoutes().filter(r => !documented.has(r))).toEqual([]);
  });

  it('describes no route the router lacks', () => {
    const served = new Set(routerRoutes());
    expect(specRoutes().filter(r => !served.has(r))).toEqual([]);
  });

  it('has no dangling $ref', () => {
    const dangling: string[] = [];
    const walk = (node: unknown) => {
      if (Array.isArray(node)) {
        node.forEach(walk);
      } else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref' && typeof value === 'string') {
            const target = value
              .replace(/^#\//, '')
              .split('/')
              .reduce<any>((acc, part) => acc?.[part], spec);
            if (target === undefined) dangling.push(value);
          } else {
            walk(value);
          }
        }
      }
    };
    walk(spec);
    expect(dangling).toEqual([]);
  });
});
