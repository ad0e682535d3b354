import { useState } from 'preact/hooks';
import { api, session, type User } from './api.js';
import { useI18n } from './i18n.js';

export function Login({ onLogin }: { onLogin: (u: User) => void }) {
  const { t, toggle } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const reply = await api<{ token: string; user: User }>('POST', '/api/auth/login', { username, password });
      session.save(reply.token, reply.user);
      onLogin(reply.user);
    } catch (err) {
      setError((err as { code?: string }).code === 'SB_ERR_AUTH_BAD_CREDENTIALS' ? t.loginFailed : (err as Error).message);
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
        <button type="button" class="link" onClick={toggle} aria-label={t.languageLabel}>{t.language}</button>
      </form>
    </main>
  );
}
