import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { logout as signOut, refresh, session, whenUnauthorized, type User } from './api.js';
import { Console } from './console/Console.js';
import { setLang, useI18n, type Lang } from './i18n.js';
import { Login } from './Login.js';
import { RmApp } from './rm/RmApp.js';
import { PhoneSimulator } from './simulator/PhoneSimulator.js';
import { SupervisorApp } from './supervisor/SupervisorApp.js';
import './styles.css';

function StaffApp() {
  const { t } = useI18n();
  // A reload, a new tab or the way back from single sign-on: the refresh cookie may still hold a session.
  const [resuming, setResuming] = useState(true);
  const [user, setUser] = useState<User | null>(null);
  const [ended, setEnded] = useState(false);
  useEffect(() => {
    void refresh().then((r) => {
      setUser(r === 'ok' ? session.user() : null);
      if (r !== 'ok') session.clear();
      setResuming(false);
    });
  }, []);
  const logout = () => {
    void signOut();
    setUser(null);
  };
  // The server ended the session (signed out elsewhere, disabled, role changed): back to the sign-in, saying why.
  whenUnauthorized(() => {
    session.clear();
    setEnded(true);
    setUser(null);
  });
  if (resuming) return <main class="login"><p class="card" role="status">{t.resuming}</p></main>;
  if (!user) return <Login onLogin={(u) => { setEnded(false); setUser(u); }} notice={ended ? t.sessionEnded : null} />;
  // Supervisors and administrators get the wallboard; agents and RMs their console, wherever they signed in.
  if (user.role === 'supervisor' || user.role === 'admin') return <SupervisorApp user={user} onLogout={logout} />;
  if (location.pathname.startsWith('/supervisor')) {
    return <main class="login"><p class="card">{t.supervisorOnly} <button type="button" onClick={logout}>{t.logout}</button></p></main>;
  }
  // Relationship managers: their clients' calls, worklist and cases, with the phone console a tab away.
  if (user.role === 'rm') return <RmApp user={user} onLogout={logout} />;
  return <Console user={user} onLogout={logout} />;
}

// One bundle, one page per path: the server serves the same index.html at each.
const page = location.pathname.replace(/\/+$/, '') === '/simulator' ? <PhoneSimulator /> : <StaffApp />;
setLang((localStorage.getItem('switchboard.lang') as Lang | null) ?? (navigator.language.startsWith('zh') ? 'zh' : 'en'));
render(page, document.getElementById('app')!);
