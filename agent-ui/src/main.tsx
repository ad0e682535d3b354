import { render } from 'preact';
import { useState } from 'preact/hooks';
import { session, whenUnauthorized, type User } from './api.js';
import { Console } from './console/Console.js';
import { setLang, useI18n, type Lang } from './i18n.js';
import { Login } from './Login.js';
import { PhoneSimulator } from './simulator/PhoneSimulator.js';
import { SupervisorApp } from './supervisor/SupervisorApp.js';
import './styles.css';

function StaffApp() {
  const { t } = useI18n();
  const [user, setUser] = useState<User | null>(session.user());
  const logout = () => {
    session.clear();
    setUser(null);
  };
  whenUnauthorized(logout);
  if (!user) return <Login onLogin={setUser} />;
  // Supervisors and administrators get the wallboard; agents and RMs their console, wherever they signed in.
  if (user.role === 'supervisor' || user.role === 'admin') return <SupervisorApp user={user} token={session.token()!} onLogout={logout} />;
  if (location.pathname.startsWith('/supervisor')) {
    return <main class="login"><p class="card">{t.supervisorOnly} <button type="button" onClick={logout}>{t.logout}</button></p></main>;
  }
  return <Console user={user} onLogout={logout} />;
}

// One bundle, one page per path: the server serves the same index.html at each.
const page = location.pathname.replace(/\/+$/, '') === '/simulator' ? <PhoneSimulator /> : <StaffApp />;
setLang((localStorage.getItem('switchboard.lang') as Lang | null) ?? (navigator.language.startsWith('zh') ? 'zh' : 'en'));
render(page, document.getElementById('app')!);
