/* eslint-disable @typescript-eslint/no-explicit-any -- walks OpenAPI's JSON schemas, which are untyped JSON */
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import twilio from 'twilio';

/**
 * A bounded fuzz driven by the app's own OpenAPI document: for every operation, a plausible
 * request built from its schemas, then that request with one hostile change at a time (NUL bytes,
 * non-finite and huge numbers, year-0000 dates, unknown keys, lone surrogates, wrong content
 * types). Twilio's webhooks are signed with the account's token, as Twilio would, so they pass
 * the signature check and reach the handlers.
 */

type Schema = Record<string, any>;
export interface Operation { method: string; path: string; op: Schema }
export interface FuzzRequest { method: string; url: string; headers: Record<string, string>; body?: string | Buffer; label: string }
export interface FuzzResult { label: string; status: number | 'no answer'; code?: string }

/** Strings that satisfy the patterns the API uses (a generator of regex matches would be overkill). */
const PATTERN_SAMPLES: [RegExp, (ctx: Ctx) => string][] = [
  [/^\^CA\[/, (c) => c.callSid],
  [/^\^AC\[/, (c) => c.accountSid],
  [/^\^QU\[/, () => `QU${'0'.repeat(32)}`],
  [/^\^CF\[/, () => `CF${'0'.repeat(32)}`],
  [/^\^RE\[/, () => `RE${'0'.repeat(32)}`],
  [/^\^SK\[/, () => `SK${'0'.repeat(32)}`],
  [/^\^https\?/, () => 'https://example.com/r'],
  [/^\^\\\+\[1-9\]/, () => '+8613800000001'],
  [/^\^\(\[01\]/, () => '09:00'],
  [/^\^\[1-9\]\[0-9\]/, () => '1'],
  [/^\^\[0-9\]\{4\}\$$/, () => '1234'],
  [/^\^\[a-z\]\[a-z0-9_\]/, () => 'general'],
  [/^\^\[A-Z\]\{3\}\$$/, () => 'CNY'],
  [/^\^\[A-Z\]\{1,16\}\$$/, () => 'GOLD'],
  [/^\^\[A-Za-z0-9-\]\{4,34\}/, () => 'ACCT0001'],
  [/^\^\[0-9\]\{4,6\}/, () => '6225 88** **** 1234'],
  [/^\^\(AAA/, () => 'AA'],
  [/^\^\[A-Za-z\]\[A-Za-z0-9_\+-\]\*/, () => 'Asia/Shanghai'],
  [/^\^\[A-Za-z_\]\+/, () => 'Asia/Shanghai'],
  [/^\^\[0-9\*#\]/, () => '1'],
  [/^\^\[A-Za-z0-9_-\]\{1,64\}/, (c) => c.callSid],
];

export interface Ctx {
  callSid: string;
  accountSid: string;
  /** Values known to be good, by property or parameter name (a phone, a time range), or by path and name (an existing id). */
  known?: (name: string, path?: string) => unknown;
}

/** One plausible value for a schema: enough for a request to get past validation to the handler. */
export function sample(s: Schema | undefined, ctx: Ctx, depth = 0): any {
  if (!s || depth > 8) return undefined;
  if (s.const !== undefined) return s.const;
  if (s.default !== undefined) return s.default;
  if (Array.isArray(s.enum)) return s.enum[0];
  if (s.anyOf || s.oneOf) {
    const options = (s.anyOf ?? s.oneOf) as Schema[];
    return sample(options.find((o) => o.type !== 'null') ?? options[0], ctx, depth + 1);
  }
  if (s.allOf) return Object.assign({}, ...(s.allOf as Schema[]).map((p) => sample(p, ctx, depth + 1)));
  switch (s.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries<Schema>(s.properties ?? {})) {
        const value = ctx.known?.(k) ?? sample(v, ctx, depth + 1);
        if (value !== undefined) out[k] = value;
      }
      return out;
    }
    case 'array': return Array.from({ length: Math.max(1, s.minItems ?? 1) }, () => sample(s.items, ctx, depth + 1));
    case 'integer': return Math.max(s.minimum ?? 1, Math.min(1, s.maximum ?? 1));
    case 'number': return Math.max(s.minimum ?? 1, Math.min(1, s.maximum ?? 1));
    case 'boolean': return true;
    case 'string': {
      if (s.format === 'date-time') return new Date(Date.now() + 86_400_000).toISOString();
      if (s.format === 'date') return '2020-01-01';
      if (s.format === 'uuid') return randomUUID();
      if (s.format === 'email') return 'someone@example.com';
      if (s.pattern) return PATTERN_SAMPLES.find(([re]) => re.test(s.pattern))?.[1](ctx) ?? 'x';
      return 'x'.repeat(Math.max(1, s.minLength ?? 1));
    }
    default: return undefined;
  }
}

/** Paths (JSON pointers) to every leaf of a kind in a sample built from `s`. */
function leaves(s: Schema | undefined, kind: 'string' | 'number' | 'date', at: string[] = [], depth = 0): string[][] {
  if (!s || depth > 8) return [];
  if (s.anyOf || s.oneOf) {
    const options = (s.anyOf ?? s.oneOf) as Schema[];
    return leaves(options.find((o) => o.type !== 'null') ?? options[0], kind, at, depth + 1);
  }
  if (s.allOf) return (s.allOf as Schema[]).flatMap((p) => leaves(p, kind, at, depth + 1));
  if (s.type === 'object') return Object.entries<Schema>(s.properties ?? {}).flatMap(([k, v]) => leaves(v, kind, [...at, k], depth + 1));
  if (s.type === 'array') return leaves(s.items, kind, [...at, '0'], depth + 1);
  const isDate = s.type === 'string' && (s.format === 'date' || s.format === 'date-time');
  if (kind === 'date' ? isDate : kind === 'number' ? s.type === 'integer' || s.type === 'number' : s.type === 'string' && !isDate) return [at];
  return [];
}

const setAt = (obj: any, path: string[], value: unknown) => {
  const copy = structuredClone(obj);
  let o = copy;
  for (const k of path.slice(0, -1)) o = o[k];
  o[path[path.length - 1]!] = value;
  return copy;
};

const NUMBERS = ['Infinity', '-Infinity', '1e400', 'NaN', 1e308, -1e308, 2 ** 31, 2 ** 63, '9'.repeat(400)];
const STRINGS = ['a\u0000b', 'a\uD800b', 'x'.repeat(100_000)];
const DATES = ['0000-01-01T00:00:00Z', '0000-01-01', '9999-12-31T23:59:59-14:00', '2024-02-30'];
const MAX_PER_KIND = 6;

/** The operations in an OpenAPI document, with their parts. */
export function operations(spec: Schema): Operation[] {
  const out: Operation[] = [];
  for (const [path, ops] of Object.entries<Schema>(spec.paths)) {
    for (const [method, op] of Object.entries<Schema>(ops)) {
      if (['get', 'post', 'put', 'patch', 'delete'].includes(method)) out.push({ method: method.toUpperCase(), path, op });
    }
  }
  return out;
}

const paramsIn = (op: Schema, where: string) => (op.parameters ?? []).filter((p: Schema) => p.in === where) as Schema[];

/** Every request the fuzz sends for one operation: first the plausible one, then one change at a time. */
export function requestsFor(o: Operation, ctx: Ctx & { base: string; authToken: string; auth: Record<string, string> }): FuzzRequest[] {
  const pathParams = Object.fromEntries(paramsIn(o.op, 'path').map((p) => [p.name, ctx.known?.(p.name, o.path) ?? sample(p.schema, ctx)]));
  const query = Object.fromEntries(paramsIn(o.op, 'query').map((p) => [p.name, ctx.known?.(p.name) ?? sample(p.schema, ctx)]).filter(([, v]) => v !== undefined));
  const content = o.op.requestBody?.content as Record<string, { schema: Schema }> | undefined;
  const mediaType = content ? Object.keys(content)[0]! : undefined;
  const bodySchema = mediaType ? content![mediaType]!.schema : undefined;
  const body = bodySchema ? sample(bodySchema, ctx) : undefined;
  const isForm = mediaType === 'application/x-www-form-urlencoded';
  const webhook = o.path.startsWith('/twilio/');

  const build = (label: string, p: Record<string, unknown>, q: Record<string, unknown>, b: unknown, type = mediaType, raw?: string | Buffer): FuzzRequest => {
    const path = o.path.replace(/\{(\w+)\}/g, (_m, k: string) => encodeURIComponent(String(p[k])));
    const qs = new URLSearchParams(Object.entries(q).map(([k, v]) => [k, String(v)])).toString();
    const url = `${path}${qs ? `?${qs}` : ''}`;
    const headers: Record<string, string> = webhook ? {} : { ...ctx.auth };
    let payload: string | Buffer | undefined = raw;
    if (payload === undefined && b !== undefined) {
      payload = type === 'application/x-www-form-urlencoded' ? formEncode(b as Record<string, unknown>) : type === 'application/json' ? JSON.stringify(b) : String(b);
    }
    if (payload !== undefined) headers['content-type'] = type ?? 'application/json';
    if (webhook) {
      // Signed over the parameters as the server will parse them: a form body's, or none.
      const params = type === 'application/x-www-form-urlencoded' && typeof payload === 'string' ? Object.fromEntries(new URLSearchParams(payload)) : {};
      headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(ctx.authToken, `${ctx.base}${url}`, params);
    }
    return { method: o.method, url, headers, body: payload, label: `${o.method} ${o.path} ${label}` };
  };

  const out: FuzzRequest[] = [build('plausible', pathParams, query, body)];
  // Path and query values.
  for (const [part, values] of [['path', pathParams], ['query', query]] as const) {
    for (const k of Object.keys(values)) {
      for (const v of ['Infinity', '1e400', '-1', '99999999999999999999', 'a\u0000b', '0000-01-01T00:00:00Z']) {
        const changed = { ...values, [k]: v };
        out.push(part === 'path' ? build(`${part}.${k}=${JSON.stringify(v)}`, changed, query, body) : build(`${part}.${k}=${JSON.stringify(v)}`, pathParams, changed, body));
      }
    }
  }
  if (bodySchema && body !== undefined) {
    const mutate = (kind: 'string' | 'number' | 'date', values: unknown[]) => {
      for (const leaf of leaves(bodySchema, kind).slice(0, MAX_PER_KIND)) {
        for (const v of values) out.push(build(`body.${leaf.join('.')}=${JSON.stringify(v).slice(0, 24)}`, pathParams, query, setAt(body, leaf, v)));
      }
    };
    mutate('string', STRINGS);
    mutate('number', NUMBERS);
    mutate('date', DATES);
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
      out.push(build('unknown key', pathParams, query, { ...body, zz_unknown: 1 }));
      out.push(build('NUL in a key', pathParams, query, { ...body, 'k\u0000': 1 }));
    }
    // Wrong content types for the same request.
    out.push(build('as text/plain', pathParams, query, body, 'text/plain', JSON.stringify(body)));
    out.push(build(isForm ? 'as JSON' : 'as a form', pathParams, query, body, isForm ? 'application/json' : 'application/x-www-form-urlencoded', isForm ? JSON.stringify(body) : formEncode(body)));
    out.push(build('as text/csv', pathParams, query, body, 'text/csv', 'customer_no\nC000001\n'));
    out.push(build('malformed JSON', pathParams, query, body, 'application/json', '{"a":'));
  }
  // Bodies nobody asked for, on every operation.
  out.push(build('JSON nested array', pathParams, query, undefined, 'application/json', JSON.stringify([['customer_no'], ['C000001']])));
  out.push(build('deep JSON', pathParams, query, undefined, 'application/json', `${'['.repeat(50_000)}${']'.repeat(50_000)}`));
  out.push(build('JSON with NUL', pathParams, query, undefined, 'application/json', '{"name":"a\\u0000b","limit":"1e400"}'));
  return out;
}

function formEncode(b: unknown): string {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries((b ?? {}) as Record<string, unknown>)) out.append(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
  return out.toString();
}

/** Sends one request on its own connection; an answer must come within `timeoutMs`. */
export function send(base: string, r: FuzzRequest, timeoutMs = 15_000): Promise<FuzzResult> {
  return new Promise((resolve) => {
    const req = httpRequest(`${base}${r.url}`, { method: r.method, headers: { ...r.headers, connection: 'close' }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let code: string | undefined;
        try { code = JSON.parse(Buffer.concat(chunks).toString()).code; } catch { /* not JSON: TwiML, HTML */ }
        resolve({ label: r.label, status: res.statusCode ?? 0, code });
      });
      res.on('error', () => resolve({ label: r.label, status: 'no answer' }));
    });
    req.setTimeout(timeoutMs, () => { req.destroy(); resolve({ label: r.label, status: 'no answer' }); });
    req.on('error', () => resolve({ label: r.label, status: 'no answer' }));
    req.end(r.body);
  });
}

/** Runs `requests` `concurrency` at a time. */
export async function sendAll(base: string, requests: FuzzRequest[], concurrency = 4): Promise<FuzzResult[]> {
  const results: FuzzResult[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < requests.length) results.push(await send(base, requests[next++]!));
  }));
  return results;
}
