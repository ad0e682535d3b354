import { useEffect, useState } from 'preact/hooks';
import { sessionEnded, type User, call } from '../api.js';
import { Console } from '../console/Console.js';
import { dateTime, useI18n } from '../i18n.js';
import { openStaffSocket } from '../staff-socket.js';
import type { CaseCategory, CaseStatus, ClientCalled, Disposition, Task, Worklist } from '../types.js';
import { RM_LABELS, rmErrorWords } from './rm-words.js';

const REFRESH_MS = 30_000;
const HEARTBEAT_MS = 3_000;
type Tab = 'work' | 'phone';

/**
 * What a relationship manager signs in to: their work (their clients' calls as they are wrapped
 * up, their worklist of tasks with reminders, their clients' open cases) and, a tab away, the
 * phone console their clients' calls ring on: a call offered to them opens it.
 */
export function RmApp({ user, onLogout }: { user: User; onLogout: () => void }) {
  const { t, lang, toggle } = useI18n();
  const w = RM_LABELS[lang];
  const [tab, setTab] = useState<Tab>('work');
  const [online, setOnline] = useState(false);
  const [calls, setCalls] = useState<ClientCalled[]>([]);
  const [alerts, setAlerts] = useState<{ key: string; text: string }[]>([]);
  const [list, setList] = useState<Worklist | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [scores, setScores] = useState<Record<string, string>>({});
  const [calling, setCalling] = useState<Record<string, boolean>>({});

  const load = () => call('GET /api/rm/worklist').then((r) => { setList(r); setError(null); }, (err) => setError(rmErrorWords(lang, t, err)));
  useEffect(() => {
    void load();
    const timer = setInterval(load, REFRESH_MS);
    // Its own link to /agent for the RM's notices; the console keeps its own for calls.
    const socket = openStaffSocket('/agent', { online: setOnline, refused: sessionEnded });
    // Keeps the RM's presence while the console tab is closed, as the console's own link does.
    const beat = setInterval(() => { if (socket.connected) socket.emit('heartbeat', {}, () => undefined); }, HEARTBEAT_MS);
    socket.on('rm:client_called', (c: ClientCalled) => setCalls((prev) => [c, ...prev].slice(0, 50)));
    const notice = (label: 'reminder' | 'assigned') => (p: { task: Task }) => {
      setAlerts((prev) => [...prev.filter((a) => a.key !== `${label}-${p.task.id}`), { key: `${label}-${p.task.id}`, text: `${RM_LABELS[lang][label]}: ${RM_LABELS[lang].kinds[p.task.kind]} · ${p.task.purpose ?? ''} · ${dateTime(p.task.due_at)}` }]);
      void load();
    };
    socket.on('task:reminder', notice('reminder'));
    socket.on('task:assigned', notice('assigned'));
    // A call offered to the RM: to the phone.
    socket.on('call:offered', () => setTab('phone'));
    return () => { clearInterval(timer); clearInterval(beat); socket.disconnect(); };
  }, [lang]);

  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try { await fn(); await load(); } catch (err) { setError(rmErrorWords(lang, t, err)); }
  };
  const callClient = (task: Task) => act(async () => {
    await call('POST /api/tasks/:id/call', { params: { id: task.id } });
    setCalling({ ...calling, [task.id]: true });
    setTab('phone');
  });
  const complete = (task: Task) => act(() => call('POST /api/tasks/:id/complete', { params: { id: task.id }, body: task.kind === 'feedback' ? { satisfaction: Number(scores[task.id]) } : {} }));

  return (
    <div class="rm-app">
      <header class="status-bar">
        <strong class="brand">{t.app}</strong>
        <nav class="tabs" aria-label={w.title}>
          <button type="button" aria-pressed={tab === 'work'} data-testid="rm-tab-work" onClick={() => setTab('work')}>{w.work}</button>
          <button type="button" aria-pressed={tab === 'phone'} data-testid="rm-tab-phone" onClick={() => setTab('phone')}>{w.phone}</button>
        </nav>
        {tab === 'work' && (
          <>
            <span class={`conn ${online ? 'conn-on' : 'conn-off'}`} role="status" data-testid="connection">{online ? t.online : t.offline}</span>
            <span class="who">{user.display_name} ({user.username})</span>
            <button type="button" onClick={toggle} aria-label={t.languageLabel}>{t.language}</button>
            <button type="button" onClick={onLogout}>{t.logout}</button>
          </>
        )}
      </header>
      {alerts.map((a) => (
        <p key={a.key} class="notice" role="status" data-testid="rm-alert">{a.text} <button type="button" class="link" onClick={() => setAlerts(alerts.filter((x) => x.key !== a.key))}>{w.dismiss}</button></p>
      ))}
      {tab === 'work' && <main class="workspace" data-testid="rm-work">
        <div class="main-column">
          {error && <p class="error" role="alert">{error}</p>}
          <section class="card" aria-label={w.worklist} data-testid="rm-worklist">
            <h2>{w.worklist} <button type="button" onClick={() => void load()}>{w.refresh}</button></h2>
            {list && list.tasks.length === 0 && <p class="muted">{w.noTasks}</p>}
            {list && list.tasks.length > 0 && (
              <table>
                <thead><tr><th>{w.kind}</th><th>{w.client}</th><th>{w.purpose}</th><th>{w.due}</th><th>{w.actions}</th></tr></thead>
                <tbody>
                  {list.tasks.map((task) => (
                    <tr key={task.id} data-testid={`rm-task-${task.id}`}>
                      <td>{w.kinds[task.kind]}{task.case_no ? ` · ${task.case_no}` : ''}</td>
                      <td>{task.customer_name ?? (task.customer_id ? `#${task.customer_id}` : '')}{task.tier ? ` · ${t.labels.tiers[task.tier as keyof typeof t.labels.tiers] ?? task.tier}` : ''}</td>
                      <td>{task.purpose ?? t.taskReasons[task.reason] ?? task.reason}</td>
                      <td>{dateTime(task.due_at)}</td>
                      <td>
                        {(task.kind === 'callback' || task.kind === 'feedback') && (
                          <button type="button" disabled={calling[task.id]} onClick={() => void callClient(task)}>{calling[task.id] ? w.calling : w.callClient}</button>
                        )}{' '}
                        {task.kind === 'feedback' && (
                          <select aria-label={w.satisfaction} value={scores[task.id] ?? ''} onChange={(e) => setScores({ ...scores, [task.id]: (e.target as HTMLSelectElement).value })}>
                            <option value="">{w.choose}</option>
                            {[5, 4, 3, 2, 1].map((n) => <option key={n} value={String(n)}>{t.scores[n - 1]}</option>)}
                          </select>
                        )}
                        <button type="button" disabled={task.kind === 'feedback' && !scores[task.id]} onClick={() => void complete(task)}>{w.done}</button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section class="card" aria-label={w.cases} data-testid="rm-cases">
            <h2>{w.cases}</h2>
            {list && list.cases.length === 0 && <p class="muted">{w.noCases}</p>}
            {list && list.cases.length > 0 && (
              <table>
                <thead><tr><th>{w.caseNo}</th><th>{w.client}</th><th>{w.category}</th><th>{w.status}</th><th>{w.owner}</th><th>{w.slaDue}</th></tr></thead>
                <tbody>
                  {list.cases.map((c) => (
                    <tr key={c.id} class={c.at_risk ? 'at-risk' : undefined}>
                      <td>{c.case_no}</td><td>{c.customer_name ?? `#${c.customer_id}`}</td>
                      <td>{t.labels.caseCategories[c.category as CaseCategory] ?? c.category}</td>
                      <td>{t.labels.caseStatuses[c.status as CaseStatus] ?? c.status}</td>
                      <td>{c.owner ?? w.nobody}</td>
                      <td>{dateTime(c.sla_due_at)}{c.at_risk && <span class="flag flag-on"> {w.atRisk}</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </div>
        <aside class="side-column">
          <section class="card" aria-label={w.calls} data-testid="rm-calls">
            <h3>{w.calls}</h3>
            {calls.length === 0 ? <p class="muted">{w.noCalls}</p> : (
              <ul>
                {calls.map((c) => (
                  <li key={c.interaction_id} data-testid="rm-client-called">
                    <strong>{c.customer_name ?? `#${c.customer_id}`}</strong> {w.called} · {dateTime(c.at)}<br />
                    {w.reasons}: {c.reason_codes.length ? c.reason_codes.join(', ') : (t.labels.skills[c.skill as keyof typeof t.labels.skills] ?? c.skill)} ·{' '}
                    {w.outcome}: {t.labels.dispositions[c.disposition as Disposition] ?? c.disposition} · {w.tookIt} {c.agent}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </aside>
      </main>}
      {/* Mounted when shown: it learns of a call waiting for the RM from the server's restore on connect. */}
      {tab === 'phone' && <Console user={user} onLogout={onLogout} />}
    </div>
  );
}
