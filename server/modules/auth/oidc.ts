import * as oidc from 'openid-client';
import { appError, AppError } from '../../errors.js';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  redirectUri: string;
  usernameClaim: string;
  scopes: string;
}

/** What a sign-in in progress keeps between the redirect out and the one back (in a signed, short-lived cookie). */
export interface OidcPending { state: string; nonce: string; verifier: string }

// A provider on this machine (tests, a local IdP) may speak plain HTTP; anywhere else it must be HTTPS.
const loopback = (url: string) => ['localhost', '127.0.0.1', '[::1]'].includes(new URL(url).hostname);

/**
 * Single sign-on for staff with an OpenID Connect provider: authorization code with PKCE (S256),
 * state and nonce. The provider only vouches for who someone is; the username claim must name an
 * active Switchboard user, and their role is ours. The provider is discovered on first use (a
 * provider that is down does not stop the server booting) and again after a failure.
 */
export function createOidc(s: OidcSettings) {
  let discovered: Promise<oidc.Configuration> | null = null;
  const configuration = () => {
    discovered ??= oidc.discovery(new URL(s.issuer), s.clientId, s.clientSecret ? { client_secret: s.clientSecret } : undefined,
      s.clientSecret ? oidc.ClientSecretBasic(s.clientSecret) : oidc.None(),
      loopback(s.issuer) ? { execute: [oidc.allowInsecureRequests] } : undefined);
    discovered.catch(() => { discovered = null; });
    return discovered.catch((err: Error) => {
      throw appError('SB_ERR_DEPENDENCY_UNAVAILABLE', `The identity provider cannot be reached (${err.message})`);
    });
  };

  return {
    /** Where to send the browser, and what to keep for its return. */
    async start(): Promise<{ url: string; pending: OidcPending }> {
      const config = await configuration();
      const pending = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier() };
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: s.redirectUri, scope: s.scopes, response_type: 'code',
        code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier), code_challenge_method: 'S256',
        state: pending.state, nonce: pending.nonce,
      });
      return { url: url.href, pending };
    },

    /** The provider sent the browser back: exchange the code (with the PKCE verifier), check the id_token, name the user. */
    async finish(query: Record<string, string>, pending: OidcPending): Promise<string> {
      const config = await configuration();
      const back = new URL(s.redirectUri);
      for (const [k, v] of Object.entries(query)) back.searchParams.set(k, v);
      let claims: Record<string, unknown> | undefined;
      try {
        const tokens = await oidc.authorizationCodeGrant(config, back, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
        claims = tokens.claims();
      } catch (err) {
        if (err instanceof AppError) throw err;
        throw appError('SB_ERR_AUTH_OIDC_FAILED', `Single sign-on failed: ${(err as Error).message}`);
      }
      const username = claims?.[s.usernameClaim];
      if (typeof username !== 'string' || !username) throw appError('SB_ERR_AUTH_OIDC_NO_USER', `The provider's id_token has no ${s.usernameClaim}`);
      return username;
    },
  };
}

export type Oidc = ReturnType<typeof createOidc>;
