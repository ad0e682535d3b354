import { useEffect, useState } from 'preact/hooks';
import { call } from '../api.js';
import { useI18n, word, type Dict } from '../i18n.js';
import type { DirectoryEntry, Skill } from '../types.js';

const SEARCH_DELAY_MS = 250;
/** States change while the agent decides: the list is asked again this often. */
const REFRESH_MS = 3_000;

const stateText = (t: Dict, a: DirectoryEntry) => {
  const state = t.labels.states[a.state];
  const reason = a.reason ? word(t.labels.away, a.reason) : null;
  // Available on the server but its console gone: the lease lapses in seconds, and it cannot take a call now.
  return `${state}${reason ? ` (${reason})` : ''}${a.state === 'available' && !a.online ? ` · ${t.offline}` : ''}`;
};

/**
 * The transfer directory: colleagues found by name, each with their state and skills, picked with
 * a radio button. The server decides on the transfer itself (and refuses one nobody can take).
 */
export function AgentDirectory({ selfId, picked, onPick }: { selfId: number; picked: number | null; onPick: (id: number | null) => void }) {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const [agents, setAgents] = useState<DirectoryEntry[] | null>(null);
  useEffect(() => {
    let live = true;
    const load = () => call('GET /api/agents/directory', { query: { q: q.trim(), limit: 10 } })
      .then((r) => { if (live) setAgents(r.agents.filter((a) => a.id !== selfId)); }, () => undefined);
    const first = setTimeout(load, SEARCH_DELAY_MS);
    const again = setInterval(load, REFRESH_MS);
    return () => { live = false; clearTimeout(first); clearInterval(again); };
  }, [q]);
  return (
    <div class="directory">
      <label>{t.findAgent}{' '}
        <input type="search" value={q} maxLength={60} placeholder={t.findAgentHint} onInput={(e) => { setQ((e.target as HTMLInputElement).value); onPick(null); }} />
      </label>
      {agents && agents.length === 0 && <p class="muted">{t.noAgentsFound}</p>}
      {agents && agents.length > 0 && (
        <ul class="directory-list" aria-label={t.directory} data-testid="directory">
          {agents.map((a) => (
            <li key={a.id} data-testid={`directory-${a.id}`}>
              <label class="check">
                <input type="radio" name="transfer-agent" checked={picked === a.id} onChange={() => onPick(a.id)} />
                <strong>{a.display_name}</strong>{' '}
                <span class={`state state-${a.state}`} data-testid="directory-state">{stateText(t, a)}</span>{' '}
                <span class="muted">{Object.keys(a.skills).map((s) => t.labels.skills[s as Skill] ?? s).join(', ')} · {a.languages.join('/')}</span>
              </label>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
