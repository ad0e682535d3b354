import { useEffect, useState } from 'preact/hooks';
import type { User } from '../api.js';
import { duration, useI18n, word } from '../i18n.js';
import type { AwayReason, StateChange } from '../types.js';
import type { ConsoleState } from './Console.js';

const CHOOSABLE: readonly AwayReason[] = ['break', 'training', 'meeting', 'after_call_work', 'end_of_shift'];

/** Seconds since `since`, ticking every second. */
export function useSecondsSince(since: string | undefined): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return since ? (now - new Date(since).getTime()) / 1000 : 0;
}

/** Who is signed in, connection, state with time in state, and the available / away switch. */
export function StatusBar({ user, online, agent, onState, onLogout }: {
  user: User; online: boolean; agent: ConsoleState['agent']; onState: (s: StateChange) => void; onLogout: () => void;
}) {
  const { t, toggle } = useI18n();
  const [reason, setReason] = useState<AwayReason>('break');
  const inState = useSecondsSince(agent?.since);
  const state = agent?.state ?? 'offline';
  const free = state === 'available' || state === 'away' || state === 'offline';
  const reasonLabel = agent?.reason ? word(t.labels.away, agent.reason) : null;
  return (
    <header class="status-bar">
      <strong class="brand">{t.app}</strong>
      <span class={`conn ${online ? 'conn-on' : 'conn-off'}`} role="status" data-testid="connection">{online ? t.online : t.offline}</span>
      <span class={`state state-${state}`} data-testid="agent-state" aria-label={t.state}>
        {word(t.labels.states, state)}{reasonLabel ? ` (${reasonLabel})` : ''} · <span aria-label={t.timeInState}>{duration(inState)}</span>
      </span>
      <span class="controls">
        <button type="button" disabled={!online || !free || state === 'available'} onClick={() => onState({ state: 'available' })}>{t.goAvailable}</button>
        <label>{t.reason}{' '}
          <select value={reason} onChange={(e) => setReason((e.target as HTMLSelectElement).value as AwayReason)}>
            {CHOOSABLE.map((r) => <option key={r} value={r}>{t.labels.away[r]}</option>)}
          </select>
        </label>
        <button type="button" disabled={!online || !free} onClick={() => onState({ state: 'away', reason })}>{t.goAway}</button>
      </span>
      <span class="who">{user.display_name} ({user.username})</span>
      <button type="button" onClick={toggle} aria-label={t.languageLabel}>{t.language}</button>
      <button type="button" onClick={onLogout}>{t.logout}</button>
    </header>
  );
}
