import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ACCOUNT = { TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'auth-token-0123456789', PUBLIC_URL: 'https://cc.bank.example' };
const PG = 'postgres://postgres@127.0.0.1:5432/bank';

const messageOf = (env: Record<string, string>) => { try { loadConfig(env); } catch (e) { return (e as Error).message; } return ''; };

describe('telephony mode', () => {
  it('is required with DATABASE_URL: a forgotten account is an error, never the simulator', () => {
    expect(messageOf({ DATABASE_URL: PG })).toMatch(/TELEPHONY: required with DATABASE_URL/);
    expect(messageOf({ DATABASE_URL: PG, TELEPHONY: 'twilio' })).toMatch(/TELEPHONY=twilio needs TWILIO_ACCOUNT_SID/);
    expect(loadConfig({ DATABASE_URL: PG, TELEPHONY: 'twilio', ...ACCOUNT }).TELEPHONY).toBe('twilio');
  });

  it('the simulator runs on PostgreSQL only when asked for by the database name', () => {
    expect(messageOf({ DATABASE_URL: PG, TELEPHONY: 'simulator' })).toMatch(/SIMULATOR_DATABASE=bank/);
    expect(messageOf({ DATABASE_URL: PG, TELEPHONY: 'simulator', SIMULATOR_DATABASE: 'other' })).toMatch(/SIMULATOR_DATABASE=bank/);
    expect(loadConfig({ DATABASE_URL: PG, TELEPHONY: 'simulator', SIMULATOR_DATABASE: 'bank' }).TELEPHONY).toBe('simulator');
  });

  it('embedded, the demo is the default; an account means Twilio; a contradiction is named', () => {
    expect(loadConfig({}).TELEPHONY).toBe('simulator');
    expect(loadConfig(ACCOUNT).TELEPHONY).toBe('twilio');
    expect(messageOf({ ...ACCOUNT, TELEPHONY: 'simulator' })).toMatch(/TELEPHONY=simulator contradicts TWILIO_ACCOUNT_SID/);
    expect(messageOf({ TELEPHONY: 'sip' })).toMatch(/TELEPHONY/);
  });

  it('a bad TRUST_PROXY is refused by name', () => {
    expect(messageOf({ TRUST_PROXY: 'everyone' })).toMatch(/TRUST_PROXY/);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8,loopback' }).TRUST_PROXY).toBe('10.0.0.0/8,loopback');
    expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe('1');
  });
});

/** Every relative import (static or dynamic, not `import type`) in a file. */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^'"]*?from\s+'([^']+)'/gm)) out.push(m[1]!);
  for (const m of text.matchAll(/import\(\s*'([^']+)'\s*\)/g)) out.push(m[1]!);
  return out;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

describe('production code and the simulator', () => {
  it('nothing in server/ loads simulator/ but the demo wiring in server/demo', () => {
    const offenders: string[] = [];
    for (const file of walk(path.join(ROOT, 'server'))) {
      const rel = path.relative(ROOT, file);
      if (rel.startsWith(`server${path.sep}demo${path.sep}`)) continue;
      for (const spec of runtimeImports(file)) {
        if (!spec.startsWith('.')) continue;
        const target = path.relative(ROOT, path.resolve(path.dirname(file), spec));
        if (target.startsWith(`simulator${path.sep}`)) offenders.push(`${rel} -> ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('server/demo is loaded only on demand, in simulator mode', () => {
    const loaders: string[] = [];
    for (const file of walk(path.join(ROOT, 'server'))) {
      const rel = path.relative(ROOT, file);
      if (rel.startsWith(`server${path.sep}demo${path.sep}`)) continue;
      const text = readFileSync(file, 'utf8');
      if (/^\s*import\s+(?!type\b)[^'"]*from\s+'[^']*\/demo\//m.test(text)) loaders.push(rel);
    }
    expect(loaders).toEqual([]);
  });
});
