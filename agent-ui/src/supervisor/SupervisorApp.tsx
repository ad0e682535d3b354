import { useEffect, useState } from 'preact/hooks';
import { sessionEnded, type User, call } from '../api.js';
import { useBrowserPhone } from '../browser-phone.js';
import { useI18n } from '../i18n.js';
import type { Softphone, TranscriptLine, Wallboard as Board } from '../types.js';
import { AgentSettings } from './AgentSettings.js';
import { Campaigns } from './Campaigns.js';
import { Cases } from './Cases.js';
import { Recordings } from './Recordings.js';
import { Reports } from './Reports.js';
import { Wallboard } from './Wallboard.js';
import { connectWallboard } from './wallboard-link.js';

type Tab = 'wallboard' | 'cases' | 'recordings' | 'campaigns' | 'reports' | 'agents';
const TABS: readonly Tab[] = ['wallboard', 'cases', 'recordings', 'campaigns', 'reports', 'agents'];
/** The tab in the address (`#reports`, `#campaigns`, `#agents`): a reload stays where the supervisor was. */
const tabOf = (hash: string): Tab => TABS.find((name) => hash === `#${name}`) ?? 'wallboard';

/** The supervisor's screen: the live wallboard (kept current over /supervisor), the case queue, the campaigns, the reports and agents' settings. */
export function SupervisorApp({ user, onLogout }: { user: User; onLogout: () => void }) {
  const { t, toggle } = useI18n();
  const [board, setBoard] = useState<Board | null>(null);
  const [online, setOnline] = useState(false);
  // The live transcript of each call this supervisor monitors, by queue entry (the last 100 lines).
  const [heard, setHeard] = useState<Record<string, TranscriptLine[]>>({});
  const [tab, setTab] = useState<Tab>(tabOf(location.hash));
  // Monitoring a call rings this browser (Twilio mode) or the simulator answers for it.
  const [softphone, setSoftphone] = useState<Softphone | null>(null);
  const leg = useBrowserPhone(softphone, 'GET /api/supervisors/me/softphone');
  useEffect(() => {
    const link = connectWallboard({
      board: setBoard, online: setOnline, refused: sessionEnded,
      heard: (u) => setHeard((h) => ({ ...h, [u.entry_id]: [...(h[u.entry_id] ?? []), { side: u.side, text: u.text }].slice(-100) })),
    });
    call('GET /api/supervisors/me/softphone').then(setSoftphone, () => undefined);
    return () => link.close();
  }, []);
  const legLabel = { idle: t.legIdle, ringing: t.legRinging, connected: t.legConnected, held: t.legHeld, ended: t.legEnded }[leg];
  const show = (next: Tab) => {
    setTab(next);
    history.replaceState(null, '', next === 'wallboard' ? location.pathname : `#${next}`);
  };
  return (
    <div class="supervisor">
      <header class="status-bar">
        <strong>{t.supTitle}</strong>
        <nav class="tabs" aria-label={t.supTitle}>
          {TABS.map((name) => (
            <button key={name} type="button" aria-pressed={tab === name} onClick={() => show(name)}>{t[name]}</button>
          ))}
        </nav>
        <span class={online ? 'conn-on' : 'conn-off'} role="status" data-testid="connection">{online ? t.online : t.offline}</span>
        {softphone && <span data-testid="softphone">{t.softphone}: {softphone.mode === 'twilio' ? `${t.audioBrowser} · ${legLabel}` : softphone.mode === 'simulator' ? t.audioSim : t.audioPhone}</span>}
        <span class="who">{user.display_name}</span>
        <button type="button" aria-label={t.languageLabel} onClick={toggle}>{t.language}</button>
        <button type="button" onClick={onLogout}>{t.logout}</button>
      </header>
      <main class="sup-main">{tab === 'wallboard' ? <Wallboard board={board} heard={heard} /> : tab === 'cases' ? <Cases /> : tab === 'recordings' ? <Recordings /> : tab === 'campaigns' ? <Campaigns board={board} /> : tab === 'agents' ? <AgentSettings user={user} /> : <Reports />}</main>
    </div>
  );
}
