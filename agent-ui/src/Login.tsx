import { useEffect, useState } from 'preact/hooks';
import { session, type User, call } from './api.js';
import { useI18n } from './i18n.js';

/** What the server's return from single sign-on said went wrong (`/?login_error=CODE`), taken out of the address. */
function ssoError(): string | null {
  const params = new URLSearchParams(location.search);
  const code = params.get('login_error');
  if (code) {
    params.delete('login_error');
    history.replaceState(null, '', `${location.pathname}${params.size ? `?${params}` : ''}${location.hash}`);
  }
  return code;
}

export function Login({ onLogin, notice }: { onLogin: (u: User) => void; notice: string | null }) {
  const { t, toggle } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [sso, setSso] = useState(false);
  const [error, setError] = useState<string | null>(() => {
    const code = ssoError();
    return code === 'SB_ERR_AUTH_OIDC_NO_USER' ? t.ssoNoUser : code ? t.ssoFailed : notice;
  });
  useEffect(() => {
    call('GET /api/auth/methods').then((m) => setSso(m.oidc), () => undefined);
  }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const reply = await call('POST /api/auth/login', { body: { username, password } });
      session.save(reply);
      onLogin(reply.user);
    } catch (err) {
      const code = (err as { code?: string }).code;
      setError(code === 'SB_ERR_AUTH_BAD_CREDENTIALS' ? t.loginFailed : code === 'SB_ERR_AUTH_SLOW_DOWN' ? t.loginSlowDown : code === 'SB_ERR_AUTH_THROTTLED' ? t.loginLocked : (err as Error).message);
    }
  };
  return (
    <main class="login">
      <form class="card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">{t.app}</h1>
        <label>{t.username} <input name="username" autoComplete="username" required autoFocus value={username} onInput={(e) => setUsername((e.target as HTMLInputElement).value)} /></label>
        <label>{t.password} <input name="password" type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} /></label>
        {error && <p role="alert" class="error">{error}</p>}
        <button type="submit" class="primary">{t.login}</button>
        {sso && <a class="button" href="/api/auth/oidc/start">{t.loginSso}</a>}
        <button type="button" class="link" onClick={toggle} aria-label={t.languageLabel}>{t.language}</button>
      </form>
    </main>
  );
}
