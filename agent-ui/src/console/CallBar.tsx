import { useState } from 'preact/hooks';
import { duration, useI18n } from '../i18n.js';
import type { CallOffer, Skill, Softphone, TransferTarget } from '../types.js';
import type { Phase } from './Console.js';
import { AgentDirectory } from './AgentDirectory.js';
import { RecordingButton } from './RecordingButton.js';
import { SoftphonePanel } from './SoftphonePanel.js';
import { useSecondsSince } from './StatusBar.js';

type Request = <T>(event: string, body?: unknown) => Promise<T | undefined>;

type How = 'blind' | 'consult';

/**
 * The live call: state and duration, hold, transfer, end, and the audio leg. A transfer goes to a
 * skill or to a colleague found in the directory, blind or warm (consult first); the caller's RM
 * is always a consult. A target nobody can answer is refused by the server, in the notice line.
 */
export function CallBar({ call, phase, consultJoined, softphone, request, selfId }: {
  call: CallOffer; phase: Phase; consultJoined: boolean; softphone: Softphone | null; request: Request; selfId: number;
}) {
  const { t } = useI18n();
  const [held, setHeld] = useState(call.held);
  const [mode, setMode] = useState<TransferTarget['to']>('skill');
  const [skill, setSkill] = useState<Skill>('general');
  const [how, setHow] = useState<How>('blind');
  const [agentId, setAgentId] = useState<number | null>(null);
  const [startedAt] = useState(() => new Date().toISOString());
  const talking = useSecondsSince(startedAt);
  const live = phase === 'connected';

  const hold = async () => {
    const reply = await request<{ held: boolean }>('call:hold', { hold: !held });
    if (reply) setHeld(reply.held);
  };
  const transfer = async (e: Event) => {
    e.preventDefault();
    if (mode === 'agent' && agentId === null) return;
    const target: TransferTarget = mode === 'skill' ? { to: 'skill', skill, mode: how } : mode === 'agent' ? { to: 'agent', agent_id: agentId!, mode: how } : { to: 'rm' };
    await request('call:transfer', target);
  };
  const status = phase === 'connecting' ? t.connecting : phase === 'ended' ? t.callEnded : phase === 'consult' ? t.consult : held ? t.held : t.connected;
  return (
    <section class="call-bar" aria-label={t.callState} data-testid="call-bar">
      <p class="call-status">
        <strong data-testid="call-status">{status}</strong> · {duration(talking)}
        {consultJoined && <span class="badge"> {t.consultJoined}</span>}
        {call.campaign && <span class="badge outbound" data-testid="call-campaign"> {t.outbound} · {call.campaign.name}</span>}
      </p>
      {(live || phase === 'connecting') && (
        <div class="actions">
          <button type="button" disabled={!live} onClick={hold} aria-pressed={held}>{held ? t.resume : t.hold}</button>
          <button type="button" disabled={!live} class="danger" onClick={() => request('call:end')}>{t.end}</button>
          <RecordingButton interactionId={call.interaction_id} live={live} />
          {consultJoined && <button type="button" onClick={() => request('call:transfer_complete')}>{t.completeConsult}</button>}
        </div>
      )}
      {live && (
        <form class="transfer" onSubmit={transfer} aria-label={t.transfer}>
          <label>{t.transferTo}{' '}
            <select value={mode} onChange={(e) => setMode((e.target as HTMLSelectElement).value as TransferTarget['to'])}>
              <option value="skill">{t.toSkill}</option>
              <option value="agent">{t.toAgent}</option>
              <option value="rm" disabled={!call.profile?.relationship_manager}>{t.toRm}</option>
            </select>
          </label>
          {mode === 'skill' && (
            <label>{t.skill}{' '}
              <select value={skill} onChange={(e) => setSkill((e.target as HTMLSelectElement).value as Skill)}>
                {(Object.keys(t.labels.skills) as Skill[]).map((k) => <option key={k} value={k}>{t.labels.skills[k]}</option>)}
              </select>
            </label>
          )}
          {mode !== 'rm' && (
            <label>{t.transferHow}{' '}
              <select value={how} onChange={(e) => setHow((e.target as HTMLSelectElement).value as How)}>
                <option value="blind">{t.blind}</option>
                <option value="consult">{t.warm}</option>
              </select>
            </label>
          )}
          {mode === 'agent' && <AgentDirectory selfId={selfId} picked={agentId} onPick={setAgentId} />}
          <button type="submit" disabled={mode === 'agent' && agentId === null} title={mode === 'agent' && agentId === null ? t.chooseAgent : undefined}>{t.doTransfer}</button>
        </form>
      )}
      <SoftphonePanel softphone={softphone} phase={phase} held={held} />
    </section>
  );
}
