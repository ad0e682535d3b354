// The console's API client is typed from server/api-contract.ts. Held here against the server's own
// OpenAPI description (made from the schemas the routes declare): a route the consoles call that
// moved, changed its method, or now takes or gives another shape fails this test, not a screen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, type RouteContract } from '../../server/api-contract.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

interface Operation {
  requestBody?: { content: Record<string, { schema: unknown }> };
  parameters?: { in: string; name: string; required?: boolean; schema: unknown }[];
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}

/**
 * A schema as the OpenAPI description words it: JSON, with the two rewrites the description makes
 * of the same rule (`const: x` is `enum: [x]`; properties of any name are `additionalProperties`).
 */
function json(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(json);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(JSON.parse(JSON.stringify(schema)) as Record<string, unknown>)) {
    const any = key === 'patternProperties' ? (value as Record<string, unknown>)['^.*$'] : undefined;
    if (key === 'const') out.enum = [value];
    else if (any !== undefined) out.additionalProperties = json(any);
    else out[key] = json(value);
  }
  return out;
}

describe('the console API contract', () => {
  let t: TestApp;
  let paths: Record<string, Record<string, Operation>>;
  beforeAll(async () => {
    t = await startTestApp();
    paths = (await t.http.get('/docs/json').expect(200)).body.paths;
  }, 120_000);
  afterAll(async () => { await t?.close(); });

  const routes = Object.entries(API) as [string, RouteContract][];
  it.each(routes)('%s is served with the schemas the console is typed from', (route, contract) => {
    const [method, path] = route.split(' ') as [string, string];
    const operation = paths[path.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
    expect(operation, `${route} is not a route of the server`).toBeDefined();

    const success = Object.entries(operation!.responses).find(([status]) => status.startsWith('2'));
    expect(json(success?.[1].content?.['application/json']?.schema)).toEqual(json(contract.reply));

    if (contract.body) expect(json(operation!.requestBody?.content['application/json']?.schema)).toEqual(json(contract.body));
    else expect(operation!.requestBody).toBeUndefined();

    const query = (operation!.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name).sort();
    const declared = contract.query ? Object.keys((contract.query as { properties: object }).properties).sort() : [];
    expect(query).toEqual(declared);
  });
});
