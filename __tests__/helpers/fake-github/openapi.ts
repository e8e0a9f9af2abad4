import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Checks requests against GitHub's own REST description (@octokit/openapi, generated/api.github.com.json; read
 * as data, never imported): the method and path must name an operation, path and query parameters must be
 * declared and match their schemas, and a JSON body must match the operation's request schema.
 */
type Json = Record<string, any>;

interface Operation {
  method: string;
  template: string;
  regex: RegExp;
  names: string[];
  op: Json;
  specificity: number;
}

const require = createRequire(import.meta.url);
let loaded: { doc: Json; ops: Operation[]; ajv: Ajv } | undefined;

function load(): { doc: Json; ops: Operation[]; ajv: Ajv } {
  if (loaded) return loaded;
  const pkg = require.resolve('@octokit/openapi/package.json');
  const doc = JSON.parse(readFileSync(pkg.replace(/package\.json$/, 'generated/api.github.com.json'), 'utf8')) as Json;
  const ops: Operation[] = [];
  for (const [template, item] of Object.entries(doc.paths as Json)) {
    for (const method of ['get', 'post', 'patch', 'put', 'delete']) {
      const op = (item as Json)[method];
      if (!op) continue;
      const params = resolveParams(doc, [...((item as Json).parameters ?? []), ...(op.parameters ?? [])]);
      const names: string[] = [];
      const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{([^}]+)\\?\}/g, (_m, name: string) => {
        names.push(name);
        return params.find((p) => p.name === name && p.in === 'path')?.['x-multi-segment'] ? '(.+)' : '([^/]+)';
      });
      ops.push({ method: method.toUpperCase(), template, regex: new RegExp(`^${pattern}$`), names, op, specificity: template.split('{').length });
    }
  }
  // Literal segments beat parameters: /repos/{o}/{r}/check-runs beats /repos/{o}/{r}/{x}.
  ops.sort((a, b) => a.specificity - b.specificity);
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats.default(ajv);
  ajv.addSchema({ $id: 'https://api.github.test/openapi', components: doc.components });
  loaded = { doc, ops, ajv };
  return loaded;
}

function resolveParams(doc: Json, params: Json[]): Json[] {
  return params.map((p) => (p.$ref ? doc.components.parameters[p.$ref.split('/').pop()] : p));
}

const compiled = new Map<string, ValidateFunction>();

function validator(ajv: Ajv, key: string, schema: Json): ValidateFunction {
  let fn = compiled.get(key);
  if (!fn) {
    const rewritten = JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"https://api.github.test/openapi#/components/'));
    fn = ajv.compile(rewritten);
    compiled.set(key, fn);
  }
  return fn;
}

export interface CheckedRequest {
  operationId?: string;
  template?: string;
  params: Record<string, string>;
  errors: string[];
}

/** Every problem with one request, by GitHub's description of its API. */
export function checkRequest(method: string, path: string, query: URLSearchParams, body: unknown): CheckedRequest {
  const { doc, ops, ajv } = load();
  const found = ops.find((o) => o.method === method && o.regex.test(path));
  if (!found) return { params: {}, errors: [`${method} ${path}: no such operation in GitHub's REST API`] };
  const m = found.regex.exec(path)!;
  const params: Record<string, string> = {};
  found.names.forEach((n, i) => { params[n] = decodeURIComponent(m[i + 1]); });
  const errors: string[] = [];
  const declared = resolveParams(doc, found.op.parameters ?? []);
  const where = `${method} ${found.template}`;
  for (const p of declared) {
    const value = p.in === 'path' ? params[p.name] : p.in === 'query' ? query.get(p.name) ?? undefined : undefined;
    if (p.in === 'path' || p.in === 'query') {
      if (value === undefined) {
        if (p.required) errors.push(`${where}: missing ${p.in} parameter ${p.name}`);
        continue;
      }
      const typed = p.schema?.type === 'integer' || p.schema?.type === 'number' ? Number(value) : p.schema?.type === 'boolean' ? value === 'true' : value;
      const v = validator(ajv, `${found.template} ${method} param ${p.name}`, p.schema ?? {});
      if (!v(typed)) errors.push(`${where}: ${p.in} parameter ${p.name}=${value}: ${ajv.errorsText(v.errors)}`);
    }
  }
  for (const name of query.keys()) {
    if (!declared.some((p) => p.in === 'query' && p.name === name)) errors.push(`${where}: undeclared query parameter ${name}`);
  }
  const schema = found.op.requestBody?.content?.['application/json']?.schema;
  if (schema) {
    if (body === undefined && found.op.requestBody.required) errors.push(`${where}: a JSON body is required`);
    else if (body !== undefined) {
      const v = validator(ajv, `${found.template} ${method} body`, schema);
      if (!v(body)) errors.push(`${where}: body: ${ajv.errorsText(v.errors, { dataVar: 'body' })}`);
    }
  } else if (body !== undefined && method !== 'GET') {
    errors.push(`${where}: takes no JSON body`);
  }
  return { operationId: found.op.operationId, template: found.template, params, errors };
}
