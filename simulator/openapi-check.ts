import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { FormParams } from './types.js';

type Json = Record<string, unknown>;
interface Operation { parameters?: Json[]; requestBody?: Json; responses?: Record<string, Json> }

export interface TwilioSpecValidator {
  /** Problems with a request's form (POST) or query (GET) parameters; [] when it is one Twilio accepts. */
  validateRequest(method: string, path: string, params: FormParams): string[];
  /** Problems with a response: status not in the spec, JSON not matching its schema, a listed field missing. */
  validateResponse(method: string, path: string, status: number, body: unknown): string[];
}

const API_ROOT = '/2010-04-01/';
const RFC_2822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$/;

/** Rewrites local refs to point into the registered spec, and (for responses) makes every listed property required. */
function rewrite(node: unknown, everyPropertyRequired: boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => rewrite(n, everyPropertyRequired));
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/')) out[k] = `${everyPropertyRequired ? 'strict' : 'loose'}${v}`;
    else if (k === 'description' || k === 'examples' || k === 'example' || k.startsWith('x-')) continue;
    else out[k] = rewrite(v, everyPropertyRequired);
  }
  // A property the spec leaves untyped but nullable (a recording's encryption_details) takes any value; Ajv refuses `nullable` alone.
  if ('nullable' in out && out.type === undefined) delete out.nullable;
  if (everyPropertyRequired && out.properties && typeof out.properties === 'object') {
    const props = out.properties as Record<string, Json>;
    out.required = Object.keys(props);
    // The spec cannot mark an enum $ref nullable, yet Twilio sends null there (reason_conference_ended
    // while a conference runs); a required field may therefore be null when it is an enum ref.
    for (const [name, prop] of Object.entries(props)) {
      if (typeof prop.$ref === 'string' && Object.keys(prop).length === 1) props[name] = { anyOf: [prop, { type: 'null' }] };
    }
  }
  return out;
}

const describe = (errors: ErrorObject[] | null | undefined): string[] =>
  (errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}${e.params && 'missingProperty' in e.params ? ` (${String(e.params.missingProperty)})` : ''}`);

/**
 * Checks requests and responses against Twilio's published OpenAPI description. Schemas are compiled
 * lazily, one operation at a time, because the whole spec is large and a test uses a handful.
 */
export function createTwilioSpecValidator(specPath: string): TwilioSpecValidator {
  const spec = JSON.parse(readFileSync(specPath, 'utf8')) as { paths: Record<string, Record<string, Operation>>; components: Json };
  const newAjv = (coerce: boolean, id: 'loose' | 'strict') => {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true, ...(coerce ? { coerceTypes: 'array' as const } : {}) });
    ajv.addFormat('date-time-rfc-2822', RFC_2822);
    for (const f of ['uri-map', 'uri', 'phone-number', 'date', 'phone-number-capabilities', 'endpoint', 'int64', 'int32', 'currency', 'ice-server', 'date-time', 'http-method', 'twiml', 'iso-country-code']) {
      ajv.addFormat(f, true);
    }
    ajv.addSchema({ $id: id, components: rewrite(spec.components, id === 'strict') });
    return ajv;
  };
  // Form values are strings: requests coerce them to the spec's integers and booleans (and a lone
  // value to an array); responses are JSON and must have the right types as sent.
  const requestAjv = newAjv(true, 'loose');
  const responseAjv = newAjv(false, 'strict');

  const templates = Object.keys(spec.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '([^/]+)')}$`),
    names: [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? ''),
  }));
  const cache = new Map<string, ValidateFunction>();
  const compiled = (key: string, build: () => object): ValidateFunction => {
    let fn = cache.get(key);
    if (!fn) {
      fn = (key.endsWith('response') ? responseAjv : requestAjv).compile(build());
      cache.set(key, fn);
    }
    return fn;
  };

  function find(method: string, rawPath: string) {
    const at = rawPath.indexOf(API_ROOT);
    const path = (at >= 0 ? rawPath.slice(at) : rawPath).split('?')[0] ?? '';
    for (const t of templates) {
      const m = t.pattern.exec(path);
      if (!m) continue;
      const op = spec.paths[t.template]?.[method.toLowerCase()];
      const pathParams = Object.fromEntries(t.names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? '')]));
      return { template: t.template, op, pathParams };
    }
    return undefined;
  }

  return {
    validateRequest(method, path, params) {
      const found = find(method, path);
      if (!found) return [`${method} ${path}: no such path in the Twilio spec`];
      const { template, op, pathParams } = found;
      if (!op) return [`${method} ${template}: method not in the Twilio spec`];
      const problems: string[] = [];
      const declared = op.parameters ?? [];
      const pathSchema = { type: 'object', properties: Object.fromEntries(declared.filter((p) => p.in === 'path').map((p) => [p.name, p.schema])) };
      const checkPath = compiled(`${method} ${template} path`, () => rewrite(pathSchema, false) as object);
      if (!checkPath(structuredClone(pathParams))) problems.push(...describe(checkPath.errors).map((e) => `path ${e}`));

      let bodySchema: Json | undefined;
      if (method.toUpperCase() === 'GET' || method.toUpperCase() === 'DELETE') {
        const query = declared.filter((p) => p.in === 'query');
        bodySchema = { type: 'object', properties: Object.fromEntries(query.map((p) => [p.name, p.schema])), required: query.filter((p) => p.required).map((p) => p.name) };
      } else {
        const content = (op.requestBody?.content ?? {}) as Record<string, { schema?: Json }>;
        bodySchema = content['application/x-www-form-urlencoded']?.schema ?? { type: 'object', properties: {} };
      }
      const known = new Set(Object.keys((bodySchema.properties ?? {}) as Json));
      for (const key of Object.keys(params)) {
        // Paging parameters the SDK adds to every list request are not always declared.
        if (!known.has(key) && !['PageSize', 'Page', 'PageToken'].includes(key)) problems.push(`parameter ${key} is not in the spec for ${method} ${template}`);
      }
      const schema = bodySchema;
      const check = compiled(`${method} ${template} request`, () => rewrite(schema, false) as object);
      if (!check(structuredClone(params))) problems.push(...describe(check.errors).map((e) => `request ${e}`));
      return problems;
    },

    validateResponse(method, path, status, body) {
      const found = find(method, path);
      if (!found) return [`${method} ${path}: no such path in the Twilio spec`];
      const { template, op } = found;
      if (!op) return [`${method} ${template}: method not in the Twilio spec`];
      const response = op.responses?.[String(status)];
      if (!response) {
        if (status >= 400) {
          // Errors are not described per operation; Twilio's error body is the same everywhere.
          const b = body as Json | null;
          const ok = b && typeof b.code === 'number' && typeof b.message === 'string' && typeof b.more_info === 'string' && b.status === status;
          return ok ? [] : [`${status} error body is not Twilio's {code, message, more_info, status}`];
        }
        return [`${method} ${template}: status ${status} not in the spec (${Object.keys(op.responses ?? {}).join(', ')})`];
      }
      const schema = (response.content as Record<string, { schema?: Json }> | undefined)?.['application/json']?.schema;
      if (!schema) return body === null || body === undefined || body === '' ? [] : [`${status} should have no body`];
      const check = compiled(`${method} ${template} ${status} response`, () => rewrite(schema, true) as object);
      return check(structuredClone(body)) ? [] : describe(check.errors).map((e) => `response ${e}`);
    },
  };
}
