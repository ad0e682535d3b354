import { useEffect, useState } from 'preact/hooks';
import { call } from '../api.js';
import { bankClock, bankInput, bankTime, fromBankInput } from '../bank-time.js';
import { duration, errorWords, percent, useI18n, word, type Dict } from '../i18n.js';
import type { Callback, CampaignState, Skill, TranscriptLine, Wallboard as Board, WallboardAgent, WallboardCampaign, WallboardQueue } from '../types.js';
import { LiveTranscript } from '../console/LiveTranscript.js';

const TIER_ORDER = ['PRIVATE', 'DIAMOND', 'GOLD', 'STANDARD'];
const tierRank = (tier: string) => (TIER_ORDER.indexOf(tier) + 5) % 5;
const STATES = ['available', 'away', 'offline'] as const;

/** The time now, moving once a second: one timer for the whole board, which counts waits itself. */
function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

const since = (now: number, iso: string | null) => (iso ? duration((now - new Date(iso).getTime()) / 1000) : '–');
const skillName = (t: Dict, skill: string) => t.labels.skills[skill as Skill] ?? skill;
const tierName = (t: Dict, tier: string) => t.labels.tiers[tier as keyof Dict['labels']['tiers']] ?? tier;
const Tier = ({ tier }: { tier: string }) => {
  const { t } = useI18n();
  return <span class={`tier tier-${tier.toLowerCase()}`}>{tierName(t, tier)}</span>;
};

/** Runs a supervisor action, showing its coded error (if any) where the supervisor is looking. */
function useAction(t: Dict): [string | null, (run: () => Promise<unknown>) => void] {
  const [error, setError] = useState<string | null>(null);
  return [error, (run) => {
    setError(null);
    run().catch((err: unknown) => setError(errorWords(t, err)));
  }];
}

export function Wallboard({ board, heard = {} }: { board: Board | null; heard?: Record<string, TranscriptLine[]> }) {
  const { t } = useI18n();
  const now = useNow();
  const [error, act] = useAction(t);
  if (!board) return <p class="empty">…</p>;
  const queues = [...board.queues].sort((a, b) => a.skill.localeCompare(b.skill) || tierRank(a.tier) - tierRank(b.tier));
  return (
    <div class="wallboard">
      <p class="muted" data-testid="interval">{t.interval}: {bankTime(board.interval.start)}–{bankClock(board.interval.end)}</p>
      {error && <p class="error" role="alert">{error}</p>}
      <Alerts board={board} now={now} />
      <section class="card" aria-labelledby="queues-h">
        <h2 id="queues-h">{t.queues}</h2>
        <table>
          <thead><tr>
            <th scope="col">{t.queue}</th><th scope="col" class="num">{t.waitingNow}</th><th scope="col" class="num">{t.longest}</th><th scope="col" class="num">{t.estWait}</th>
            <th scope="col" class="num">{t.serviceLevel}</th><th scope="col" class="num">{t.target}</th><th scope="col" class="num">{t.answered}</th>
            <th scope="col" class="num">{t.abandoned}</th><th scope="col" class="num">{t.asa}</th><th scope="col" class="num">{t.neededA}</th>
          </tr></thead>
          <tbody>{queues.map((q) => <QueueRow key={q.key} q={q} now={now} />)}</tbody>
        </table>
      </section>
      <section class="card" aria-labelledby="staffing-h">
        <h2 id="staffing-h">{t.staffing}</h2>
        <table>
          <thead><tr>
            <th scope="col">{t.skill}</th><th scope="col" class="num">{t.waitingNow}</th><th scope="col" class="num">{t.staffed}</th><th scope="col" class="num">{t.availableNow}</th>
            <th scope="col" class="num">{t.neededC}</th><th scope="col" class="num">{t.neededA}</th><th scope="col" class="num">{t.gap}</th><th scope="col" class="num">{t.predicted}</th>
          </tr></thead>
          <tbody>{board.skills.map((s) => (
            <tr key={s.key} class={s.gap !== null && s.gap < 0 ? 'short' : ''}>
              <th scope="row">{skillName(t, s.skill)}</th><td class="num">{s.waiting}</td><td class="num">{s.staffed}</td><td class="num">{s.available}</td>
              <td class="num">{s.staffing.needed_erlang_c ?? '–'}</td><td class="num">{s.staffing.needed_erlang_a ?? '–'}</td>
              <td class="num">{s.gap ?? '–'}</td><td class="num">{percent(s.staffing.predicted_service_level)}</td>
            </tr>
          ))}</tbody>
        </table>
      </section>
      <Campaigns board={board} act={act} />
      <Callbacks board={board} now={now} act={act} />
      {board.agents.filter((a) => a.call && heard[a.call.entry_id]?.length).map((a) => (
        <LiveTranscript key={a.call!.entry_id} lines={heard[a.call!.entry_id]!} prompts={[]} riskTolerance={null} heading={a.name} />
      ))}
      <div class="wb-columns">
        <WaitingCalls board={board} now={now} act={act} />
        <Agents board={board} now={now} act={act} />
      </div>
      <BroadcastForm act={act} />
    </div>
  );
}

function QueueRow({ q, now }: { q: WallboardQueue; now: number }) {
  const { t } = useI18n();
  const breach = q.service_level !== null && q.service_level < q.target.share;
  return (
    <tr class={breach ? 'breach' : ''} data-testid={`queue-${q.key}`}>
      <th scope="row">{skillName(t, q.skill)} <Tier tier={q.tier} /></th>
      <td class="num">{q.waiting}</td><td class="num">{since(now, q.oldest_since)}</td>
      <td class="num">{q.estimated_wait_s === null ? '–' : duration(q.estimated_wait_s)}</td>
      <td class={`num ${breach ? 'bad' : q.service_level === null ? '' : 'good'}`}>{percent(q.service_level)}</td>
      <td class="num">{percent(q.target.share)} / {q.target.seconds} s</td>
      <td class="num">{q.answered}</td><td class="num">{q.abandoned}</td>
      <td class="num">{q.asa_s === null ? '–' : `${Math.round(q.asa_s)} s`}</td>
      <td class="num">{q.staffing.needed_erlang_a ?? '–'}</td>
    </tr>
  );
}

/** Outbound campaigns not finished: progress as the dialer counts it, and pause / resume (audited, within a second). */
function Campaigns({ board, act }: { board: Board; act: (run: () => Promise<unknown>) => void }) {
  const { t } = useI18n();
  // A board from a node without campaigns (a rolling deploy) has no list at all.
  const campaigns = [...(board.campaigns ?? [])].sort((a, b) => a.campaign_id - b.campaign_id);
  return (
    <section class="card" aria-labelledby="campaigns-h" data-testid="campaigns">
      <h2 id="campaigns-h">{t.campaignsTitle} ({campaigns.length})</h2>
      {campaigns.length === 0 ? <p class="muted">{t.noCampaigns}</p> : (
        <table>
          <thead><tr>
            <th scope="col">{t.campaign}</th><th scope="col" class="num">{t.dialed}</th><th scope="col" class="num">{t.connectedCount}</th>
            <th scope="col" class="num">{t.humans}</th><th scope="col" class="num">{t.machines}</th><th scope="col" class="num">{t.abandonRate}</th>
            <th scope="col" class="num">{t.conversions}</th><th scope="col" class="num">{t.remaining}</th><th scope="col" class="num">{t.eta}</th><th scope="col">{t.state}</th>
          </tr></thead>
          <tbody>{campaigns.map((c) => <CampaignRow key={c.key} c={c} act={act} />)}</tbody>
        </table>
      )}
    </section>
  );
}

function CampaignRow({ c, act }: { c: WallboardCampaign; act: (run: () => Promise<unknown>) => void }) {
  const { t } = useI18n();
  const state = t.labels.campaignStates[c.state as CampaignState] ?? c.state;
  const action = c.state === 'paused' ? 'resume' : c.state === 'running' || c.state === 'scheduled' ? 'pause' : null;
  return (
    <tr class={`campaign-${c.state}`} data-testid={`campaign-${c.campaign_id}`}>
      <th scope="row">{c.name}</th>
      <td class="num">{c.dialed}</td><td class="num">{c.connected}</td><td class="num">{c.humans}</td><td class="num">{c.machines}</td>
      <td class="num">{percent(c.abandon_rate)}</td><td class="num">{c.conversions}</td><td class="num">{c.remaining}</td>
      <td class="num">{c.eta_s === null ? '–' : t.etaText(c.eta_s)}</td>
      <td class="actions">
        <span class={`cstate cstate-${c.state}`} data-testid="campaign-state">{state}</span>
        {action && (
          <button type="button" aria-label={`${action === 'pause' ? t.pause : t.resume}: ${c.name}`} onClick={() => act(() => call('POST /api/campaigns/:id/:action', { params: { id: c.campaign_id, action } }))}>
            {action === 'pause' ? t.pause : t.resume}
          </button>
        )}
      </td>
    </tr>
  );
}

/** The list is read again this often (and whenever the backlog's counts change): a callback's state moves without them. */
const CALLBACKS_REFRESH_MS = 5_000;
const CALLBACK_LIST_LIMIT = 100;

/**
 * Callbacks still owed: the backlog per skill and tier (from the board), and the requests
 * themselves, soonest due first (GET /api/callbacks), each with Cancel and Move (a new time on the
 * bank's clock). The server refuses one being dialled, done, or a time in the past or out of hours.
 */
function Callbacks({ board, now, act }: { board: Board; now: number; act: (run: () => Promise<unknown>) => void }) {
  const { t } = useI18n();
  const backlog = [...(board.callbacks ?? [])].sort((a, b) => a.skill.localeCompare(b.skill) || tierRank(a.tier) - tierRank(b.tier));
  const [list, setList] = useState<Callback[] | null>(null);
  const [version, setVersion] = useState(0);
  const [times, setTimes] = useState<Record<string, string>>({});
  const counts = backlog.map((b) => `${b.key}=${b.open}/${b.due_now}`).join(',');
  useEffect(() => {
    let live = true;
    const load = () => call('GET /api/callbacks', { query: { state: 'open', limit: CALLBACK_LIST_LIMIT } })
      .then((r) => { if (live) setList(r.callbacks); }, () => undefined);
    void load();
    const timer = setInterval(load, CALLBACKS_REFRESH_MS);
    return () => { live = false; clearInterval(timer); };
  }, [counts, version]);
  const reload = () => setVersion((v) => v + 1);
  const cancel = (c: Callback) => act(async () => { await call('POST /api/callbacks/:id/cancel', { params: { id: c.id } }); reload(); });
  const move = (c: Callback) => act(async () => {
    const at = fromBankInput(times[c.id] ?? '');
    if (!at) return;
    await call('PATCH /api/callbacks/:id', { params: { id: c.id }, body: { due_at: at.toISOString() } });
    setTimes(({ [c.id]: _, ...rest }) => rest);
    reload();
  });
  const open = backlog.reduce((n, b) => n + b.open, 0);
  return (
    <section class="card" aria-labelledby="callbacks-h" data-testid="callbacks">
      <h2 id="callbacks-h">{t.callbacksTitle} ({open})</h2>
      {backlog.length === 0 ? <p class="muted">{t.noCallbacks}</p> : (
        <table>
          <thead><tr>
            <th scope="col">{t.queue}</th><th scope="col" class="num">{t.callbacksOpen}</th><th scope="col" class="num">{t.callbacksDueNow}</th><th scope="col" class="num" title={t.oldestPlaceHint}>{t.oldestPlace}</th>
          </tr></thead>
          <tbody>{backlog.map((b) => (
            <tr key={b.key} data-testid={`callback-backlog-${b.key}`}>
              <th scope="row">{skillName(t, b.skill)} <Tier tier={b.tier} /></th>
              <td class="num">{b.open}</td><td class="num">{b.due_now}</td><td class="num">{b.oldest_since && new Date(b.oldest_since).getTime() > now ? bankTime(b.oldest_since) : since(now, b.oldest_since)}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
      {list && list.length > 0 && (
        <>
          <h3>{t.callbackList}</h3>
          <table>
            <thead><tr>
              <th scope="col">{t.callbackNumber}</th><th scope="col">{t.queue}</th><th scope="col">{t.state}</th><th scope="col">{t.callbackSource}</th>
              <th scope="col">{t.callbackDue}</th><th scope="col" class="num">{t.callbackAttempts}</th><th scope="col">{t.callbackLast}</th><th scope="col">{t.moveCallback}</th>
            </tr></thead>
            <tbody>{list.map((c) => {
              const name = t.callbackOf(c.id);
              const changeable = c.state === 'scheduled' || c.state === 'queued';
              return (
                <tr key={c.id} data-testid={`callback-${c.id}`}>
                  <th scope="row">{c.phone_masked}</th>
                  <td>{skillName(t, c.skill)} <Tier tier={c.tier} /></td>
                  <td><span class={`cbstate cbstate-${c.state}`} data-testid="callback-state">{t.labels.callbackStates[c.state]}</span></td>
                  <td>{t.labels.callbackSources[c.source]}</td>
                  <td data-testid="callback-due">{bankTime(c.due_at)}</td>
                  <td class="num">{c.attempts}/{c.max_attempts}</td>
                  <td>{c.last_outcome ? t.labels.callbackOutcomes[c.last_outcome] : '–'}</td>
                  <td class="actions">
                    <input type="datetime-local" step={1} aria-label={`${t.newTime}: ${name}`} disabled={!changeable} min={bankInput(new Date(now))}
                      value={times[c.id] ?? ''} onInput={(e) => setTimes({ ...times, [c.id]: e.currentTarget.value })} />
                    <button type="button" aria-label={`${t.moveCallback}: ${name}`} disabled={!changeable || !times[c.id]} onClick={() => move(c)}>{t.moveCallback}</button>
                    <button type="button" aria-label={`${t.cancelCallback}: ${name}`} class="danger" disabled={!changeable} onClick={() => cancel(c)}>{t.cancelCallback}</button>
                  </td>
                </tr>
              );
            })}</tbody>
          </table>
        </>
      )}
    </section>
  );
}

function Alerts({ board, now }: { board: Board; now: number }) {
  const { t } = useI18n();
  // The server sends an alert's kind and values; its sentence is ours, in the reader's language.
  const name = (kind: 'skill' | 'tier' | 'reason' | 'category', code: unknown) => {
    const labels = { skill: t.labels.skills, tier: t.labels.tiers, reason: t.labels.away, category: t.labels.caseCategories }[kind];
    return word(labels, code === null || code === undefined ? null : String(code));
  };
  return (
    <section class="card alerts" aria-labelledby="alerts-h" aria-live="polite" data-testid="alerts">
      <h2 id="alerts-h">{t.alertsTitle} ({board.alerts.length})</h2>
      {board.alerts.length === 0 ? <p class="muted">{t.noAlerts}</p> : (
        <ul>{board.alerts.map((a) => (
          <li key={a.key} class={`alert-${a.severity}`}><strong>{t.alertKinds[a.kind]}</strong>: {t.alertWords[a.kind]?.(a.data, name) ?? ''} <span class="muted">({since(now, a.raised_at)})</span></li>
        ))}</ul>
      )}
    </section>
  );
}

function WaitingCalls({ board, now, act }: { board: Board; now: number; act: (run: () => Promise<unknown>) => void }) {
  const { t } = useI18n();
  const skills = Object.keys(t.labels.skills) as Skill[];
  const [target, setTarget] = useState<Record<string, Skill>>({});
  const calls = [...board.waiting].sort((a, b) => a.position - b.position);
  return (
    <section class="card" aria-labelledby="waiting-h">
      <h2 id="waiting-h">{t.waitingCalls} ({calls.length})</h2>
      <table>
        <thead><tr><th scope="col">{t.position}</th><th scope="col">{t.customer}</th><th scope="col">{t.skill}</th><th scope="col" class="num">{t.waitedFor}</th><th scope="col">{t.moveTo}</th></tr></thead>
        <tbody>{calls.map((c) => (
          <tr key={c.key} class={c.vip ? 'vip' : ''} data-testid={`waiting-${c.position}`}>
            <td>{c.position}</td>
            <td><Tier tier={c.tier} /> {c.customer ?? '—'} {c.vip && <strong>{t.vip}</strong>}</td>
            <td>{skillName(t, c.skill)}</td>
            <td class="num">{since(now, c.since)}</td>
            <td class="actions">
              <button type="button" aria-label={`${t.boostLabel}: ${c.position}`} onClick={() => act(() => call('POST /api/queue-entries/:id/priority', { params: { id: c.entry_id }, body: { boost_seconds: 60 } }))}>{t.boost}</button>
              <select aria-label={`${t.moveTo}: ${c.position}`} value={target[c.key] ?? c.skill} onChange={(e) => setTarget({ ...target, [c.key]: e.currentTarget.value as Skill })}>
                {skills.map((s) => <option key={s} value={s}>{skillName(t, s)}</option>)}
              </select>
              <button type="button" disabled={!target[c.key] || target[c.key] === c.skill} onClick={() => act(() => call('POST /api/queue-entries/:id/skill', { params: { id: c.entry_id }, body: { skill: target[c.key]! } }))}>{t.move}</button>
            </td>
          </tr>
        ))}</tbody>
      </table>
    </section>
  );
}

function Agents({ board, now, act }: { board: Board; now: number; act: (run: () => Promise<unknown>) => void }) {
  const { t } = useI18n();
  const agents = [...board.agents].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <section class="card" aria-labelledby="agents-h">
      <h2 id="agents-h">{t.agentsTitle} ({agents.length})</h2>
      <table>
        <thead><tr><th scope="col">{t.agent}</th><th scope="col">{t.state}</th><th scope="col" class="num">{t.inState}</th><th scope="col">{t.currentCall}</th><th scope="col" class="num">{t.handledToday}</th><th scope="col">{t.setState}</th></tr></thead>
        <tbody>{agents.map((a) => <AgentRow key={a.key} a={a} now={now} act={act} />)}</tbody>
      </table>
    </section>
  );
}

function AgentRow({ a, now, act }: { a: WallboardAgent; now: number; act: (run: () => Promise<unknown>) => void }) {
  const { t } = useI18n();
  const reason = a.reason ? word(t.labels.away, a.reason) : '';
  const free = (STATES as readonly string[]).includes(a.state);
  const monitor = (mode: 'listen' | 'whisper' | 'barge') => act(() => call('POST /api/queue-entries/:id/monitor', { params: { id: a.call!.entry_id }, body: { mode } }));
  return (
    <tr data-testid={`agent-${a.name}`}>
      <th scope="row">{a.name}</th>
      <td><span class={`state state-${a.state}`}>{word(t.labels.states, a.state)}</span> {reason}</td>
      <td class="num">{since(now, a.since)}</td>
      <td>{a.call ? (
        <span><Tier tier={a.call.tier} /> {skillName(t, a.call.skill)} {since(now, a.call.since)}{a.call.held ? ` (${t.held})` : ''}
          {a.call.state === 'connected' && (
            <span class="actions" role="group" aria-label={`${t.monitor}: ${a.name}`}>
              <button type="button" onClick={() => monitor('listen')}>{t.listen}</button>
              <button type="button" onClick={() => monitor('whisper')}>{t.whisper}</button>
              <button type="button" onClick={() => monitor('barge')}>{t.barge}</button>
              <button type="button" onClick={() => act(() => call('DELETE /api/queue-entries/:id/monitor', { params: { id: a.call!.entry_id } }))}>{t.leave}</button>
            </span>
          )}
        </span>
      ) : '—'}</td>
      <td class="num">{a.handled_today}</td>
      <td>
        <select aria-label={`${t.setState}: ${a.name}`} disabled={!free} value="" onChange={(e) => {
          const state = e.currentTarget.value as (typeof STATES)[number];
          act(() => call('PUT /api/agents/:id/state', { params: { id: a.id }, body: state === 'away' ? { state, reason: 'supervisor' } : { state } }));
        }}>
          <option value="">{t.choose}</option>
          {STATES.map((s) => <option key={s} value={s}>{t.labels.states[s]}</option>)}
        </select>
      </td>
    </tr>
  );
}

function BroadcastForm({ act }: { act: (run: () => Promise<unknown>) => void }) {
  const { t } = useI18n();
  const [message, setMessage] = useState('');
  const [skill, setSkill] = useState<Skill | ''>('');
  const [sent, setSent] = useState(false);
  return (
    <section class="card" aria-labelledby="broadcast-h">
      <h2 id="broadcast-h">{t.broadcast}</h2>
      <form class="broadcast" onSubmit={(e) => {
        e.preventDefault();
        setSent(false);
        act(async () => {
          await call('POST /api/broadcasts', { body: skill ? { message, skill } : { message } });
          setMessage('');
          setSent(true);
        });
      }}>
        <label>{t.message}<input value={message} maxLength={500} required onInput={(e) => setMessage(e.currentTarget.value)} /></label>
        <label>{t.skill}<select value={skill} onChange={(e) => setSkill(e.currentTarget.value as Skill | '')}>
          <option value="">{t.allAgents}</option>
          {(Object.keys(t.labels.skills) as Skill[]).map((s) => <option key={s} value={s}>{t.labels.skills[s]}</option>)}
        </select></label>
        <button type="submit" class="primary">{t.send}</button>
        {sent && <span role="status">{t.sent}</span>}
      </form>
    </section>
  );
}
