import { useEffect, useRef, useState } from 'preact/hooks';
import { call } from '../api.js';
import { dateTime, percent, type Dict } from '../i18n.js';
import type { Campaign, CampaignPurpose, CampaignState, DialingMode, Progress, Skill, Wallboard as Board } from '../types.js';
import { CallList } from './CallList.js';
import { CampaignForm } from './CampaignForm.js';
import { errorText, useCampaignWords, type CampaignWords } from './campaign-words.js';

type Action = 'start' | 'pause' | 'resume' | 'cancel';
/** From which states each action may be taken: the server's rule (campaigns-service.ts), so only possible buttons show. */
const ACTIONS: Record<Action, readonly CampaignState[]> = {
  start: ['draft'],
  pause: ['scheduled', 'running'],
  resume: ['paused'],
  cancel: ['draft', 'scheduled', 'running', 'paused'],
};
/** Campaigns listed (and their progress read) at a time: the list is every campaign ever, newest first. */
const PAGE = 20;

const purposeName = (t: Dict, p: string) => t.labels.purposes[p as CampaignPurpose] ?? p;
const modeName = (t: Dict, m: string) => t.labels.dialingModes[m as DialingMode] ?? m;
const stateName = (t: Dict, s: string) => t.labels.campaignStates[s as CampaignState] ?? s;
const eta = (t: Dict, s: number | null) => (s === null ? '–' : t.etaText(s));

/**
 * The supervisor's campaigns: every campaign with its progress (live from the wallboard's feed for
 * the ones it carries, read once for the rest), a form for a new one, and for the one selected its
 * settings, start / pause / resume / cancel, and its call list.
 */
export function Campaigns({ board }: { board: Board | null }) {
  const { t, w } = useCampaignWords();
  const [campaigns, setCampaigns] = useState<Campaign[] | null>(null);
  const [fetched, setFetched] = useState<Record<number, Progress>>({});
  const [selected, setSelected] = useState<number | null>(null);
  const [creating, setCreating] = useState(false);
  const [shown, setShown] = useState(PAGE);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // An action's refusal is shown by its buttons, not at the top of the page.
  const [actError, setActError] = useState<string | null>(null);
  const lastLoad = useRef(0);
  const reloadTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const loadProgress = async (ids: number[]) => {
    const got = await Promise.all(ids.map((id) => call('GET /api/campaigns/:id/progress', { params: { id } })));
    setFetched((p) => ({ ...p, ...Object.fromEntries(got.map((g) => [g.campaign_id, g])) }));
  };
  const load = async (count = shown) => {
    lastLoad.current = Date.now();
    const { campaigns: list } = await call('GET /api/campaigns');
    setCampaigns(list);
    await loadProgress(list.slice(0, count).map((c) => c.id));
  };
  const run = (fn: () => Promise<unknown>) => {
    setError(null);
    fn().catch((err: unknown) => setError(errorText(w, err)));
  };
  useEffect(() => {
    run(() => load());
    return () => clearTimeout(reloadTimer.current);
  }, []);

  // The wallboard's feed says when a campaign changed state elsewhere (the dialer completing it, a
  // pause from the wallboard or another supervisor): read the list again, at most every 2 s.
  const live = new Map((board?.campaigns ?? []).map((c) => [c.campaign_id, c]));
  useEffect(() => {
    if (!campaigns) return;
    const known = new Map(campaigns.map((c) => [c.id, c.state as string]));
    if (!(board?.campaigns ?? []).some((b) => known.get(b.campaign_id) !== b.state)) return;
    clearTimeout(reloadTimer.current);
    reloadTimer.current = setTimeout(() => run(() => load()), Math.max(0, lastLoad.current + 2000 - Date.now()));
  }, [board]);

  const progressOf = (id: number): Progress | undefined => live.get(id) ?? fetched[id];
  const current = campaigns?.find((c) => c.id === selected) ?? null;

  const act = (c: Campaign, action: Action) => {
    if (action === 'cancel' && !confirm(w.confirmCancel(c.name))) return;
    setNotice(null);
    setActError(null);
    call('POST /api/campaigns/:id/:action', { params: { id: c.id, action } }).then((next) => {
      lastLoad.current = Date.now();
      setCampaigns((list) => list?.map((x) => (x.id === next.id ? next : x)) ?? null);
      run(() => loadProgress([c.id]));
    }, (err: unknown) => setActError(errorText(w, err)));
  };
  const select = (id: number | null) => {
    setSelected(id);
    setActError(null);
  };

  return (
    <div class="campaigns-page">
      <section class="card" aria-labelledby="campaign-list-h">
        <h2 id="campaign-list-h">{w.title}</h2>
        <div class="actions">
          <button type="button" class="primary" aria-expanded={creating} onClick={() => { setCreating(!creating); setNotice(null); }}>{w.newCampaign}</button>
        </div>
        {error && <p class="error" role="alert" data-testid="campaigns-error">{error}</p>}
        {notice && <p role="status" data-testid="campaigns-notice">{notice}</p>}
        {!campaigns ? <p class="muted">{w.loading}</p> : campaigns.length === 0 ? <p class="empty">{w.none}</p> : (
          <table data-testid="campaign-list">
            <thead><tr>
              <th scope="col">{w.name}</th><th scope="col">{w.purpose}</th><th scope="col">{w.mode}</th><th scope="col">{w.state}</th><th scope="col">{w.window}</th>
              <th scope="col" class="num">{w.listSize}</th><th scope="col" class="num">{t.dialed}</th><th scope="col" class="num">{t.humans}</th>
              <th scope="col" class="num">{t.machines}</th><th scope="col" class="num">{t.abandonRate}</th><th scope="col" class="num">{t.conversions}</th>
              <th scope="col" class="num">{t.remaining}</th><th scope="col" class="num">{t.eta}</th>
            </tr></thead>
            <tbody>{campaigns.slice(0, shown).map((c) => {
              const p = progressOf(c.id);
              return (
                <tr key={c.id} class={selected === c.id ? 'selected' : ''} data-testid={`campaign-row-${c.id}`}>
                  <th scope="row">
                    <button type="button" class="link" aria-pressed={selected === c.id} onClick={() => select(selected === c.id ? null : c.id)}>{c.name}</button>
                  </th>
                  <td>{purposeName(t, c.purpose)}</td><td>{modeName(t, c.dialing_mode)}</td>
                  <td><span class={`cstate cstate-${c.state}`} data-testid="row-state">{stateName(t, c.state)}</span></td>
                  <td>{c.window_start}–{c.window_end}</td>
                  <td class="num">{p?.list_size ?? '–'}</td><td class="num">{p?.dialed ?? '–'}</td><td class="num">{p?.humans ?? '–'}</td>
                  <td class="num">{p?.machines ?? '–'}</td><td class="num">{p ? percent(p.abandon_rate) : '–'}</td><td class="num">{p?.conversions ?? '–'}</td>
                  <td class="num">{p?.remaining ?? '–'}</td><td class="num">{p ? eta(t, p.eta_s) : '–'}</td>
                </tr>
              );
            })}</tbody>
          </table>
        )}
        {campaigns && campaigns.length > shown && (
          <button type="button" onClick={() => { setShown(shown + PAGE); run(() => loadProgress(campaigns.slice(shown, shown + PAGE).map((c) => c.id))); }}>{w.more}</button>
        )}
      </section>
      {creating && (
        <CampaignForm
          onClose={() => setCreating(false)}
          onCreated={(c) => {
            setCreating(false);
            select(c.id);
            setNotice(w.created(c.name));
            run(() => load());
          }}
        />
      )}
      {current && <Detail c={current} p={progressOf(current.id)} t={t} w={w} act={act} error={actError} onAdded={() => run(() => loadProgress([current.id]))} />}
    </div>
  );
}

function Detail({ c, p, t, w, act, error, onAdded }: {
  c: Campaign; p: Progress | undefined; t: Dict; w: CampaignWords; act: (c: Campaign, a: Action) => void; error: string | null; onAdded: () => void;
}) {
  const actions = (Object.keys(ACTIONS) as Action[]).filter((a) => ACTIONS[a].includes(c.state));
  const pulse = p ? [p.list_size, p.excluded, p.dialed, p.connected, p.remaining, p.conversions].join('|') : '';
  const figure = (label: string, value: string | number, id: string) => <div><dt>{label}</dt><dd data-testid={`progress-${id}`}>{value}</dd></div>;
  return (
    <>
      <section class="card campaign-detail" aria-labelledby="campaign-detail-h" data-testid="campaign-detail">
        <h3 id="campaign-detail-h">{c.name} <span class={`cstate cstate-${c.state}`} data-testid="detail-state">{stateName(t, c.state)}</span></h3>
        {actions.length > 0 && (
          <div class="actions" role="group" aria-label={w.actionsOf(c.name)}>
            {actions.map((a) => (
              <button key={a} type="button" class={a === 'start' ? 'primary' : a === 'cancel' ? 'danger' : ''} onClick={() => act(c, a)}>{w.actions[a]}</button>
            ))}
          </div>
        )}
        {error && <p class="error" role="alert" data-testid="campaign-action-error">{error}</p>}
        <h4>{w.settings}</h4>
        <dl class="settings">
          <div><dt>{w.purpose}</dt><dd>{purposeName(t, c.purpose)}</dd></div>
          <div><dt>{w.mode}</dt><dd>{modeName(t, c.dialing_mode)}{c.dialing_mode === 'predictive' ? ` · ${w.abandonAt(percent(c.max_abandon_rate))}` : ''}</dd></div>
          <div><dt>{w.skill}</dt><dd>{t.labels.skills[c.skill as Skill] ?? c.skill}</dd></div>
          <div><dt>{w.callerId}</dt><dd>{c.caller_id}</dd></div>
          <div><dt>{w.window}</dt><dd>{c.window_start}–{c.window_end} ({w.customerTime})</dd></div>
          <div><dt>{w.cps}</dt><dd>{w.callsPerSecond(c.calls_per_second)} · {w.attempts(c.max_attempts)} · {w.ringFor(c.ring_seconds)}</dd></div>
          <div><dt>{w.machine}</dt><dd>{c.machine_action === 'voicemail' ? w.machineActions.voicemail : w.machineActions.hangup}{c.voicemail_text ? `: ${c.voicemail_text}` : ''}</dd></div>
          <div><dt>{w.schedule}</dt><dd>{c.starts_at ? dateTime(c.starts_at) : w.anytime}{c.ends_at ? ` – ${dateTime(c.ends_at)}` : ''}</dd></div>
        </dl>
        <h4>{w.script}</h4>
        <pre class="script">{c.script || w.noScript}</pre>
        {c.offer && <p class="offer-detail"><strong>{c.offer.code}</strong> {c.offer.title}{c.offer.terms ? ` — ${c.offer.terms}` : ''}</p>}
        <h4>{w.progress}</h4>
        {p ? (
          <dl class="figures" data-testid="campaign-progress">
            {figure(w.listSize, p.list_size, 'list')}{figure(w.excludedCount, p.excluded, 'excluded')}{figure(t.dialed, p.dialed, 'dialed')}
            {figure(w.blocked, p.blocked, 'blocked')}{figure(t.connectedCount, p.connected, 'connected')}{figure(t.humans, p.humans, 'humans')}
            {figure(t.machines, p.machines, 'machines')}{figure(t.abandonRate, percent(p.abandon_rate), 'abandon-rate')}
            {figure(w.agentConnected, p.agent_connected, 'agent')}{figure(t.conversions, p.conversions, 'conversions')}
            {figure(t.remaining, p.remaining, 'remaining')}{figure(w.dialsPerMinute, p.dials_per_minute, 'rate')}
            {figure(t.eta, eta(t, p.eta_s), 'eta')}{figure(w.pacing, p.pacing_ratio.toFixed(2), 'pacing')}
          </dl>
        ) : <p class="muted">{w.loading}</p>}
      </section>
      <CallList key={c.id} campaign={c} pulse={pulse} onAdded={onAdded} />
    </>
  );
}
