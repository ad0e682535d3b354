import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

/**
 * A small OpenID Connect provider for tests: discovery, JWKS, an authorization endpoint that signs
 * in whoever `signIn` names (no login page) and a token endpoint that checks the client's secret,
 * the redirect URI and the PKCE verifier before it hands out an RS256 id_token carrying the nonce.
 */
export interface OidcProvider {
  url: string;
  clientId: string;
  clientSecret: string;
  /** The username the next /authorize signs in (the preferred_username claim). */
  signIn: (username: string) => void;
  /** Token requests refused, with why (a wrong verifier, a reused code…). */
  refused: string[];
  close: () => Promise<void>;
}

export async function startOidcProvider(): Promise<OidcProvider> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const clientId = 'switchboard-test';
  const clientSecret = randomBytes(12).toString('hex');
  const codes = new Map<string, { redirectUri: string; nonce: string; challenge: string; username: string }>();
  const refused: string[] = [];
  let next = 'supervisor1';
  let url = '';

  const body = (req: IncomingMessage) => new Promise<URLSearchParams>((resolve) => {
    let raw = '';
    req.on('data', (c: Buffer) => { raw += c.toString(); });
    req.on('end', () => resolve(new URLSearchParams(raw)));
  });

  const server = createServer(async (req, res) => {
    const u = new URL(req.url ?? '/', url);
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (u.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer: url, authorization_endpoint: `${url}/authorize`, token_endpoint: `${url}/token`, jwks_uri: `${url}/jwks`,
        response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'], token_endpoint_auth_methods_supported: ['client_secret_basic'],
      });
    }
    if (u.pathname === '/jwks') return json(200, { keys: [jwk] });
    if (u.pathname === '/authorize') {
      const q = u.searchParams;
      if (q.get('client_id') !== clientId || q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) {
        return json(400, { error: 'invalid_request' });
      }
      const code = randomBytes(16).toString('hex');
      codes.set(code, { redirectUri: q.get('redirect_uri')!, nonce: q.get('nonce') ?? '', challenge: q.get('code_challenge')!, username: next });
      const back = new URL(q.get('redirect_uri')!);
      back.searchParams.set('code', code);
      if (q.get('state')) back.searchParams.set('state', q.get('state')!);
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (u.pathname === '/token' && req.method === 'POST') {
      const form = await body(req);
      const [id, secret] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString().split(':').map(decodeURIComponent);
      const grant = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const why = id !== clientId || secret !== clientSecret ? 'client authentication'
        : !grant ? 'unknown or used code'
          : grant.redirectUri !== form.get('redirect_uri') ? 'redirect_uri'
            : createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url') !== grant.challenge ? 'PKCE verifier' : null;
      if (why || !grant) {
        refused.push(why ?? 'unknown');
        return json(400, { error: 'invalid_grant', error_description: why });
      }
      const idToken = await new SignJWT({ nonce: grant.nonce, preferred_username: grant.username })
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
        .setIssuer(url).setAudience(clientId).setSubject(`sub-${grant.username}`).setIssuedAt().setExpirationTime('5m')
        .sign(privateKey);
      return json(200, { access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 300, id_token: idToken });
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url, clientId, clientSecret, refused,
    signIn: (username) => { next = username; },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
