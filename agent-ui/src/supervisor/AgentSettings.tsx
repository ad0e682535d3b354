import { useEffect, useState } from 'preact/hooks';
import { type User, call } from '../api.js';
import { errorWords, useI18n } from '../i18n.js';
import type { AgentConfig, AgentConfigChange, AgentRow, Skill } from '../types.js';

const LEVELS = [1, 2, 3, 4, 5] as const;
const LANGS = ['zh', 'en'] as const;
type LangCode = (typeof LANGS)[number];

/** The roles whose settings a supervisor may change (an admin changes anyone's); the server enforces it too. */
const editableBy = (user: User, role: string) => user.role === 'admin' || role === 'agent' || role === 'rm';

/**
 * Agents' skills (with levels) and languages, edited by a supervisor or an admin. A change reaches
 * routing on its next pass; the list is read again after each save, so what is shown is what routing uses.
 */
export function AgentSettings({ user }: { user: User }) {
  const { t } = useI18n();
  const [agents, setAgents] = useState<AgentRow[] | null>(null);
  const [editing, setEditing] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () => call('GET /api/agents').then((r) => setAgents(r.agents), (err) => setError(errorWords(t, err)));
  useEffect(() => { void load(); }, []);
  if (!agents) return <p class="muted">{error ?? '…'}</p>;
  const skillsOf = (a: AgentRow) => Object.entries(a.skills).sort((x, y) => y[1] - x[1]).map(([s, l]) => `${t.labels.skills[s as Skill] ?? s} ${l}`).join(', ');
  return (
    <section class="agent-settings" data-testid="agent-settings">
      <h2>{t.agentSettings}</h2>
      <p class="muted">{t.agentSettingsIntro}</p>
      {error && <p role="alert" class="error">{error}</p>}
      <table>
        <thead><tr><th>{t.agent}</th><th>{t.skillsCol}</th><th>{t.langs}</th><th>{t.team}</th><th /></tr></thead>
        <tbody>
          {agents.map((a) => (
            <tr key={a.user_id} data-testid={`agent-settings-${a.username}`}>
              <td>{a.display_name} <span class="muted">{a.username}</span></td>
              <td>{skillsOf(a)}</td>
              <td>{a.languages.map((l) => t.langNames[l as LangCode] ?? l).join(', ')}</td>
              <td>{a.team ?? '–'}</td>
              <td>{editableBy(user, a.role) && <button type="button" aria-label={`${t.edit} ${a.display_name}`} onClick={() => setEditing(a.user_id)}>{t.edit}</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {editing !== null && (
        <AgentForm
          agentId={editing}
          onDone={() => { setEditing(null); void load(); }}
        />
      )}
    </section>
  );
}

function AgentForm({ agentId, onDone }: { agentId: number; onDone: () => void }) {
  const { t } = useI18n();
  const [config, setConfig] = useState<AgentConfig | null>(null);
  const [skills, setSkills] = useState<Record<string, number>>({});
  const [langs, setLangs] = useState<string[]>([]);
  const [team, setTeam] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  useEffect(() => {
    call('GET /api/agents/:id/config', { params: { id: agentId } }).then((c) => {
      setConfig(c);
      setSkills(c.skills);
      setLangs(c.languages);
      setTeam(c.team ?? '');
    }, (err) => setMessage(errorWords(t, err)));
  }, [agentId]);
  if (!config) return <p class="muted">{message ?? '…'}</p>;
  const setLevel = (skill: string, level: number) => {
    const next = { ...skills };
    if (level === 0) delete next[skill];
    else next[skill] = level;
    setSkills(next);
  };
  const save = async (e: Event) => {
    e.preventDefault();
    if (Object.keys(skills).length === 0 || langs.length === 0) {
      setMessage(t.atLeastOne);
      return;
    }
    const change: AgentConfigChange = { skills, languages: langs as AgentConfigChange['languages'], team: team.trim() || null };
    try {
      await call('PATCH /api/agents/:id', { params: { id: agentId }, body: change });
      onDone();
    } catch (err) {
      setMessage(errorWords(t, err));
    }
  };
  return (
    <form class="agent-form" data-testid="agent-form" onSubmit={save}>
      <h3>{config.display_name}</h3>
      <fieldset>
        <legend>{t.skillLevel}</legend>
        {(Object.keys(t.labels.skills) as Skill[]).map((skill) => (
          <label key={skill}>
            {t.labels.skills[skill]}{' '}
            <select name={`skill-${skill}`} aria-label={`${t.labels.skills[skill]} · ${t.skillLevel}`} value={String(skills[skill] ?? 0)} onChange={(e) => setLevel(skill, Number((e.target as HTMLSelectElement).value))}>
              <option value="0">{t.notThisSkill}</option>
              {LEVELS.map((l) => <option key={l} value={String(l)}>{l}</option>)}
            </select>
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>{t.langs}</legend>
        {LANGS.map((l) => (
          <label key={l}>
            <input
              type="checkbox" name={`lang-${l}`} checked={langs.includes(l)}
              onChange={(e) => setLangs((e.target as HTMLInputElement).checked ? [...langs.filter((x) => x !== l), l] : langs.filter((x) => x !== l))}
            /> {t.langNames[l]}
          </label>
        ))}
      </fieldset>
      <label>{t.team} <input name="team" value={team} maxLength={60} onInput={(e) => setTeam((e.target as HTMLInputElement).value)} /></label>
      {message && <p role="alert" class="error">{message}</p>}
      <button type="submit">{t.save}</button> <button type="button" onClick={onDone}>{t.cancel}</button>
    </form>
  );
}
