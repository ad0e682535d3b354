import { useEffect, useReducer, useRef, useState } from 'preact/hooks';
import { sessionEnded, type User, call } from '../api.js';
import { errorWords, useI18n, type Dict } from '../i18n.js';
import type { AgentDigest, AssistRuleId, CallOffer, Profile, Softphone, TranscriptLine } from '../types.js';
import { connectAgentLink, type AgentLink } from './agent-link.js';
import { CallBar } from './CallBar.js';
import { LiveTranscript } from './LiveTranscript.js';
import { CustomerSearch } from './CustomerSearch.js';
import { OfferCard } from './OfferCard.js';
import { PreviewCard, PreviewControl, previewStore, type Preview } from './Preview.js';
import { RecentCalls } from './RecentCalls.js';
import { ScreenPop } from './ScreenPop.js';
import { StatusBar } from './StatusBar.js';
import { CaseForm } from './CaseForm.js';
import { RmTaskForm } from '../rm/RmTaskForm.js';
import { Tasks } from './Tasks.js';
import { WrapupForm } from './WrapupForm.js';
import { draftWrapup } from './wrapup-draft.js';

/** Where the agent's current call is, as the console shows it. */
export type Phase = 'offered' | 'connecting' | 'connected' | 'consult' | 'ended';

export interface ConsoleState {
  online: boolean;
  agent: { state: string; reason: string | null; since: string } | null;
  call: CallOffer | null;
  phase: Phase | null;
  /** A relationship manager rung in for a consult has joined this agent's call. */
  consultJoined: boolean;
  /** A preview-mode customer this agent is reserved for (no call yet). */
  preview: Preview | null;
  /** The notice line, worded when shown (so it follows a change of language). */
  notice: Notice | null;
  /** The current call's live transcript and the prompts it raised (TALK_TRANSCRIPTS). */
  transcript: TranscriptLine[];
  prompts: AssistRuleId[];
}

type Notice = (t: Dict) => string;

type Action =
  | { type: 'online'; online: boolean }
  | { type: 'restore'; agent: ConsoleState['agent']; call: CallOffer | null; preview: Preview | null }
  | { type: 'state'; agent: NonNullable<ConsoleState['agent']> }
  | { type: 'offered' | 'consult' | 'assigned'; call: CallOffer }
  | { type: 'preview'; preview: Preview | null }
  | { type: 'preview_profile'; attemptId: string; profile: Profile }
  | { type: 'phase'; entryId: string; phase: Phase }
  | { type: 'revoked'; entryId: string; reason: string }
  | { type: 'ended'; entryId: string; reason: string }
  | { type: 'consult_joined'; entryId: string; joined: boolean }
  | { type: 'profile'; entryId: string; profile: Profile }
  | { type: 'notice'; notice: Notice | null }
  | { type: 'transcript'; interactionId: string; line: TranscriptLine }
  | { type: 'prompt'; interactionId: string; rule: AssistRuleId };

/**
 * Why the call left this console, in words; none for the ordinary end of a conversation (the call
 * bar already says the call ended), and a plain "call ended" for a reason we have no words for.
 */
const endNotice = (reason: string): Notice | null =>
  reason === 'conference_ended' ? null : (t) => t.endReasons[reason] ?? t.callEnded;

const phaseOf = (call: Pick<CallOffer, 'state'>, agentState: string): Phase =>
  call.state === 'offered' ? 'offered'
    : call.state === 'connecting' ? 'connecting'
      : call.state === 'connected' ? (agentState === 'wrap_up' ? 'ended' : 'connected')
        : 'ended';

/**
 * Whether the console shows what the server says (a heartbeat's digest): the agent's state and
 * since, the call held and its phase. A consulted colleague's phase is the call's "connected".
 */
export function agrees(s: ConsoleState, d: AgentDigest | null): boolean {
  if (!d) return s.agent === null;
  if (!s.agent || s.agent.state !== d.state || s.agent.since !== d.since) return false;
  if ((s.call?.entry_id ?? null) !== d.entry_id) return false;
  if (!s.call || !d.entry_state) return true;
  const shown = s.phase === 'consult' ? 'connected' : s.phase;
  return phaseOf({ state: d.entry_state as CallOffer['state'] }, d.state) === shown;
}

function reduce(s: ConsoleState, a: Action): ConsoleState {
  const mine = (entryId: string) => s.call?.entry_id === entryId;
  switch (a.type) {
    case 'online': return { ...s, online: a.online };
    case 'restore': {
      // The same call restored keeps the transcript shown; another call starts with none.
      const same = a.call !== null && a.call.interaction_id === s.call?.interaction_id;
      return { ...s, agent: a.agent, call: a.call, phase: a.call && a.agent ? phaseOf(a.call, a.agent.state) : null, consultJoined: false, preview: a.call ? null : a.preview, ...(same ? {} : { transcript: [], prompts: [] }) };
    }
    case 'state': {
      // Available or away with a call on screen: the offer went elsewhere or the wrap-up is done.
      // With a preview dialled: the customer was not reached (the server let the agent go).
      const idle = a.agent.state === 'available' || a.agent.state === 'away' || a.agent.state === 'offline';
      if (!idle) return { ...s, agent: a.agent };
      return { ...s, agent: a.agent, call: null, phase: null, consultJoined: false, preview: null, ...(s.preview?.dialing ? { notice: (t: Dict) => t.previewEnded } : {}) };
    }
    case 'offered': return { ...s, call: a.call, phase: 'offered', consultJoined: false, notice: null, transcript: [], prompts: [] };
    // A campaign call a person answered: already this agent's, no offer to accept.
    case 'assigned': return { ...s, call: a.call, phase: phaseOf(a.call, 'on_call'), consultJoined: false, preview: null, notice: null, transcript: [], prompts: [] };
    case 'preview': return { ...s, preview: a.preview, notice: null };
    case 'preview_profile': return s.preview?.attempt_id === a.attemptId ? { ...s, preview: { ...s.preview, profile: a.profile } } : s;
    case 'consult': return { ...s, call: a.call, phase: 'consult', consultJoined: false, notice: null };
    case 'phase': return mine(a.entryId) ? { ...s, phase: a.phase } : s;
    case 'revoked': return mine(a.entryId) ? { ...s, call: null, phase: null, notice: endNotice(a.reason) ?? s.notice } : s;
    case 'ended': return mine(a.entryId) ? { ...s, phase: 'ended', consultJoined: false, notice: endNotice(a.reason) ?? s.notice } : s;
    case 'consult_joined': return mine(a.entryId) ? { ...s, consultJoined: a.joined } : s;
    case 'profile': return mine(a.entryId) && s.call ? { ...s, call: { ...s.call, profile: a.profile } } : s;
    case 'notice': return { ...s, notice: a.notice };
    case 'transcript': return s.call?.interaction_id === a.interactionId ? { ...s, transcript: [...s.transcript, a.line].slice(-200) } : s;
    case 'prompt': return s.call?.interaction_id === a.interactionId && !s.prompts.includes(a.rule) ? { ...s, prompts: [...s.prompts, a.rule] } : s;
  }
}

const INITIAL: ConsoleState = { online: false, agent: null, call: null, phase: null, consultJoined: false, preview: null, notice: null, transcript: [], prompts: [] };

/**
 * The agent console: status bar, offer, screen-pop with call controls, wrap-up, search and recent
 * calls; outbound campaign calls come assigned (no offer) with their script, or are previewed first.
 */
export function Console({ user, onLogout }: { user: User; onLogout: () => void }) {
  const { t } = useI18n();
  const [s, dispatch] = useReducer(reduce, INITIAL);
  const [softphone, setSoftphone] = useState<Softphone | null>(null);
  const [viewed, setViewed] = useState<Profile | null>(null);
  const [callsVersion, setCallsVersion] = useState(0);
  const link = useRef<AgentLink | null>(null);
  // The digest callback outlives renders: it reads the state shown now through this.
  const shownNow = useRef(s);
  shownNow.current = s;

  useEffect(() => {
    link.current = connectAgentLink({
      online: (online) => dispatch({ type: 'online', online }),
      refused: sessionEnded,
      // The server's truth differs from the screen (a lost notice): fetch it whole, no reload needed.
      digest: (d) => { if (!agrees(shownNow.current, d)) link.current?.sync(); },
      'agent:restore': (r) => {
        // Still reserved for a preview after a reload: the preview this tab kept, with its profile fetched again.
        const kept = r?.state === 'reserved' && r.reason === 'preview' && !r.call ? previewStore.load() : null;
        dispatch({ type: 'restore', agent: r ? { state: r.state, reason: r.reason, since: r.since } : null, call: r?.call ?? null, preview: kept && { ...kept, profile: null } });
        if (kept?.customer_id) {
          call('GET /api/customers/:id/profile', { params: { id: kept.customer_id }, query: { purpose: 'call' } })
            .then((profile) => dispatch({ type: 'preview_profile', attemptId: kept.attempt_id, profile }), () => undefined);
        }
      },
      'agent:state': (agent) => {
        dispatch({ type: 'state', agent });
        if (agent.state === 'available') setCallsVersion((v) => v + 1);
      },
      'call:offered': (call) => dispatch({ type: 'offered', call }),
      'call:assigned': (call) => {
        setViewed(null);
        dispatch({ type: 'assigned', call });
      },
      'call:consult': (call) => dispatch({ type: 'consult', call }),
      'call:offer_revoked': (p) => dispatch({ type: 'revoked', entryId: p.entry_id, reason: p.reason }),
      'call:connected': (p) => dispatch({ type: 'phase', entryId: p.entry_id, phase: 'connected' }),
      'call:consult_joined': (p) => dispatch({ type: 'consult_joined', entryId: p.entry_id, joined: true }),
      'call:consult_ended': (p) => dispatch({ type: 'consult_joined', entryId: p.entry_id, joined: false }),
      'call:ended': (p) => dispatch({ type: 'ended', entryId: p.entry_id, reason: p.reason }),
      'profile:updated': (p) => dispatch({ type: 'profile', entryId: p.entry_id, profile: p.profile }),
      'supervisor:broadcast': (b) => dispatch({ type: 'notice', notice: (t) => `${t.broadcastFrom} ${b.from}: ${b.message}` }),
      'call:nudge': (n) => dispatch({ type: 'notice', notice: (t) => t.deadAirNudge(n.seconds) }),
      'call:transcript': (u) => dispatch({ type: 'transcript', interactionId: u.interaction_id, line: { side: u.side, text: u.text } }),
      'call:prompt': (p) => dispatch({ type: 'prompt', interactionId: p.interaction_id, rule: p.rule }),
    });
    call('GET /api/agents/me/softphone').then(setSoftphone, () => undefined);
    return () => link.current?.close();
  }, []);
  // Kept for a reload; not before the server said where the agent stands (a fresh page has no preview yet).
  const known = s.agent !== null;
  useEffect(() => { if (known) previewStore.save(s.preview); }, [s.preview, known]);

  /** Sends a console request; a coded refusal shows in the notice line instead of being thrown. */
  const request = async <T,>(event: string, body?: unknown): Promise<T | undefined> => {
    try {
      return await link.current!.request<T>(event, body);
    } catch (err) {
      dispatch({ type: 'notice', notice: (t) => errorWords(t, err) });
      return undefined;
    }
  };

  const accept = async () => {
    const entryId = s.call?.entry_id;
    if (entryId && (await request('call:accept', { entry_id: entryId }))) dispatch({ type: 'phase', entryId, phase: 'connecting' });
  };
  /** A preview REST action; a coded refusal shows in the notice line, and a preview no longer ours goes away. */
  const previewAction = async (action: 'dial' | 'skip') => {
    const p = s.preview;
    if (!p) return;
    try {
      await call(action === 'dial' ? 'POST /api/campaigns/preview/:attempt/dial' : 'POST /api/campaigns/preview/:attempt/skip', { params: { attempt: p.attempt_id } });
      dispatch({ type: 'preview', preview: action === 'dial' ? { ...p, dialing: true } : null });
    } catch (err) {
      dispatch({ type: 'notice', notice: (t) => errorWords(t, err) });
      if ((err as { code?: string }).code === 'SB_ERR_PREVIEW_GONE') dispatch({ type: 'preview', preview: null });
    }
  };
  const wrappingUp = s.agent?.state === 'wrap_up';
  const preview = s.call ? null : s.preview;
  const shown = viewed ?? s.call?.profile ?? preview?.profile ?? null;
  const campaign = viewed ? null : s.call?.campaign ?? preview?.campaign ?? null;
  const canPreview = s.online && s.agent?.state === 'available' && !s.call && !s.preview;

  return (
    <div class="console">
      <StatusBar user={user} online={s.online} agent={s.agent} onState={(body) => request('state:set', body)} onLogout={onLogout} />
      {s.notice && <p class="notice" role="status" data-testid="notice">{s.notice(t)} <button type="button" class="link" onClick={() => dispatch({ type: 'notice', notice: null })}>{t.close}</button></p>}
      <main class="workspace">
        <div class="main-column">
          {s.call && s.phase === 'offered' && (
            <OfferCard call={s.call} onAccept={accept} onReject={() => request('call:reject', { entry_id: s.call!.entry_id })} />
          )}
          {s.call && s.phase !== 'offered' && (
            <CallBar call={s.call} phase={s.phase!} consultJoined={s.consultJoined} softphone={softphone} request={request} selfId={user.id} />
          )}
          {s.call && s.phase !== 'offered' && <LiveTranscript lines={s.transcript} prompts={s.prompts} riskTolerance={s.call.profile?.flags.risk_tolerance ?? null} />}
          {s.call && s.call.customer_id !== null && s.phase !== 'offered' && !viewed && (
            <CaseForm key={s.call.entry_id} customerId={s.call.customer_id} interactionId={s.call.interaction_id} />
          )}
          {s.call && s.call.customer_id !== null && s.phase !== 'offered' && !viewed && <RmTaskForm key={`rm-${s.call.entry_id}`} interactionId={s.call.interaction_id} />}
          {preview && <PreviewCard preview={preview} onDial={() => previewAction('dial')} onSkip={() => previewAction('skip')} />}
          {wrappingUp && (
            <WrapupForm key={s.call?.entry_id} campaign={s.call?.campaign} draft={draftWrapup(s.transcript, s.prompts, { customer: t.draftCustomer, promised: t.draftPromised })}
              onSubmit={(w) => link.current!.request('wrapup:complete', w)} />
          )}
          {viewed && (
            <p class="viewing" role="status">{t.viewing} <button type="button" onClick={() => setViewed(null)}>{t.close}</button></p>
          )}
          {shown || s.call || preview
            ? <ScreenPop profile={shown} ivr={viewed ? undefined : s.call?.ivr} campaign={campaign} />
            : <p class="empty" data-testid="idle">{t.noCall}</p>}
        </div>
        <aside class="side-column">
          {canPreview && <PreviewControl onPreview={(p) => dispatch({ type: 'preview', preview: p })} />}
          <CustomerSearch onOpen={setViewed} />
          <Tasks version={callsVersion} />
          <RecentCalls version={callsVersion} />
        </aside>
      </main>
    </div>
  );
}
