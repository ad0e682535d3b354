import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.js';

describe('config', () => {
  it('fills defaults and converts numbers from strings', () => {
    const config = loadConfig({ PORT: '4100' });
    expect(config.PORT).toBe(4100);
    expect(config.HOST).toBe('127.0.0.1');
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('names every bad variable in one message and never echoes a secret', () => {
    const attempt = () => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://u:hunter2@x/db', JWT_SECRET: 'too-short-secret' });
    expect(attempt).toThrow(ConfigError);
    const message = (() => { try { attempt(); } catch (e) { return (e as Error).message; } return ''; })();
    expect(message).toMatch(/PORT/);
    expect(message).toMatch(/DATABASE_URL/);
    expect(message).toMatch(/JWT_SECRET/);
    expect(message).toContain('"eighty"');
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('too-short-secret');
  });

  it('single sign-on needs its client and a way back, and is off without an issuer', () => {
    expect(loadConfig({}).OIDC_ISSUER).toBeUndefined();
    expect(() => loadConfig({ OIDC_ISSUER: 'https://idp.example' })).toThrow(/OIDC_CLIENT_ID/);
    expect(() => loadConfig({ OIDC_ISSUER: 'https://idp.example', OIDC_CLIENT_ID: 'sb' })).toThrow(/PUBLIC_URL or OIDC_REDIRECT_URI/);
    expect(loadConfig({ OIDC_ISSUER: 'https://idp.example', OIDC_CLIENT_ID: 'sb', PUBLIC_URL: 'https://sb.example' }).OIDC_USERNAME_CLAIM).toBe('preferred_username');
    const message = (() => { try { loadConfig({ OIDC_CLIENT_SECRET: '', OIDC_SCOPES: 'profile', OIDC_ISSUER: 'ftp://x' }); } catch (e) { return (e as Error).message; } return ''; })();
    expect(message).toMatch(/OIDC_SCOPES/);
    expect(message).toMatch(/OIDC_ISSUER/);
  });
});
