import { useState } from 'preact/hooks';
import { call } from '../api.js';
import { fromBankInput } from '../bank-time.js';
import type { Campaign, CampaignInput, CampaignPurpose, DialingMode, Skill } from '../types.js';
import { errorText, useCampaignWords } from './campaign-words.js';

const PURPOSES: readonly CampaignPurpose[] = ['marketing', 'care', 'complaint_follow_up', 'survey', 'retention'];
const MODES: readonly DialingMode[] = ['preview', 'progressive', 'predictive'];
/** Not a hotline skill: the team a bank may set up for campaigns (the server's default). */
const OUTBOUND_TEAM = 'outbound';

/** What the form holds: the inputs' own strings, turned into the request only on submit. */
interface Fields {
  name: string; purpose: CampaignPurpose; dialing_mode: DialingMode; caller_id: string; skill: string; script: string;
  offer_code: string; offer_title: string; offer_terms: string; window_start: string; window_end: string;
  calls_per_second: string; max_attempts: string; ring_seconds: string; machine_action: 'hangup' | 'voicemail'; voicemail_text: string;
  abandon_percent: string; starts_at: string; ends_at: string;
}

// The server's defaults (campaigns-schemas.ts), except the skill: every demo agent has `general`, nobody `outbound`.
const EMPTY: Fields = {
  name: '', purpose: 'care', dialing_mode: 'progressive', caller_id: '', skill: 'general', script: '',
  offer_code: '', offer_title: '', offer_terms: '', window_start: '09:00', window_end: '20:00',
  calls_per_second: '1', max_attempts: '3', ring_seconds: '25', machine_action: 'hangup', voicemail_text: '',
  abandon_percent: '3', starts_at: '', ends_at: '',
};

/** A schedule is typed on the bank's clock (as every screen shows times), wherever the browser is; the server takes an instant. */
const instant = (local: string) => (local ? fromBankInput(local)?.toISOString() ?? null : null);

function toInput(f: Fields): CampaignInput {
  const hasOffer = f.offer_code.trim() !== '' || f.offer_title.trim() !== '' || f.offer_terms.trim() !== '';
  return {
    name: f.name.trim(), purpose: f.purpose, dialing_mode: f.dialing_mode, caller_id: f.caller_id.trim(), skill: f.skill, script: f.script,
    offer: hasOffer ? { code: f.offer_code.trim(), title: f.offer_title.trim(), terms: f.offer_terms.trim() } : null,
    window_start: f.window_start, window_end: f.window_end,
    calls_per_second: Number(f.calls_per_second), max_attempts: Number(f.max_attempts), ring_seconds: Number(f.ring_seconds),
    machine_action: f.machine_action, voicemail_text: f.machine_action === 'voicemail' && f.voicemail_text.trim() !== '' ? f.voicemail_text.trim() : null,
    // Only predictive pacing reads the cap; the others keep whatever the form says (3 % unless changed).
    max_abandon_rate: Math.round(Number(f.abandon_percent) * 10) / 1000,
    starts_at: instant(f.starts_at), ends_at: instant(f.ends_at),
  };
}

/** Defines a campaign (a draft): the server checks it, and its coded error is shown as it says. */
export function CampaignForm({ onCreated, onClose }: { onCreated: (c: Campaign) => void; onClose: () => void }) {
  const { t, w } = useCampaignWords();
  const [f, setF] = useState<Fields>(EMPTY);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof Fields>(k: K) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value as Fields[K] });
  const offerGiven = f.offer_code !== '' || f.offer_title !== '' || f.offer_terms !== '';
  const skills = Object.keys(t.labels.skills) as Skill[];

  const submit = (e: Event) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    call('POST /api/campaigns', { body: toInput(f) })
      .then((c) => { setF(EMPTY); onCreated(c); }, (err: unknown) => setError(errorText(w, err)))
      .finally(() => setBusy(false));
  };

  return (
    <section class="card" aria-labelledby="campaign-form-h">
      <h3 id="campaign-form-h">{w.newCampaign}</h3>
      <form class="campaign-form" onSubmit={submit} data-testid="campaign-form">
        <label>{w.name}<input value={f.name} required maxLength={200} onInput={set('name')} /></label>
        <label>{w.purpose}
          <select value={f.purpose} onChange={set('purpose')}>{PURPOSES.map((p) => <option key={p} value={p}>{t.labels.purposes[p]}</option>)}</select>
        </label>
        <label>{w.mode}
          <select value={f.dialing_mode} onChange={set('dialing_mode')}>{MODES.map((m) => <option key={m} value={m}>{t.labels.dialingModes[m]}</option>)}</select>
        </label>
        <div class="field">
          <label>{w.callerId}
            <input type="tel" value={f.caller_id} required pattern="\+[1-9][0-9]{6,14}" placeholder="+864008895555" aria-describedby="caller-id-hint" onInput={set('caller_id')} />
          </label>
          <small id="caller-id-hint" class="muted">{w.callerIdHint}</small>
        </div>
        <label>{w.skill}
          <select value={f.skill} onChange={set('skill')}>
            {skills.map((s) => <option key={s} value={s}>{t.labels.skills[s]}</option>)}
            <option value={OUTBOUND_TEAM}>{w.outboundTeam}</option>
          </select>
        </label>
        <div class="field wide">
          <label>{w.script}<textarea rows={5} value={f.script} maxLength={20000} aria-describedby="script-hint" onInput={set('script')} /></label>
          <small id="script-hint" class="muted">{w.scriptHint}</small>
        </div>
        <fieldset class="wide">
          <legend>{w.offer}</legend>
          <label>{w.offerCode}<input value={f.offer_code} maxLength={64} required={offerGiven} onInput={set('offer_code')} /></label>
          <label>{w.offerTitle}<input value={f.offer_title} maxLength={200} required={offerGiven} onInput={set('offer_title')} /></label>
          <label class="wide">{w.offerTerms}<textarea rows={2} value={f.offer_terms} maxLength={2000} onInput={set('offer_terms')} /></label>
        </fieldset>
        <label>{w.windowStart}<input type="time" value={f.window_start} required aria-describedby="window-hint" onInput={set('window_start')} /></label>
        <label>{w.windowEnd}<input type="time" value={f.window_end} required aria-describedby="window-hint" onInput={set('window_end')} /></label>
        <p id="window-hint" class="muted hint">{w.windowHint}</p>
        <label>{w.cps}<input type="number" min={0.1} max={50} step={0.1} required value={f.calls_per_second} onInput={set('calls_per_second')} /></label>
        <label>{w.maxAttempts}<input type="number" min={1} max={10} step={1} required value={f.max_attempts} onInput={set('max_attempts')} /></label>
        <label>{w.ring}<input type="number" min={15} max={60} step={1} required value={f.ring_seconds} onInput={set('ring_seconds')} /></label>
        <label>{w.machine}
          <select value={f.machine_action} onChange={set('machine_action')}>
            <option value="hangup">{w.machineActions.hangup}</option>
            <option value="voicemail">{w.machineActions.voicemail}</option>
          </select>
        </label>
        {f.machine_action === 'voicemail' && (
          <div class="field wide">
            <label>{w.voicemail}<textarea rows={2} value={f.voicemail_text} maxLength={1000} aria-describedby="voicemail-hint" onInput={set('voicemail_text')} /></label>
            <small id="voicemail-hint" class="muted">{w.voicemailHint}</small>
          </div>
        )}
        {f.dialing_mode === 'predictive' && (
          <div class="field wide">
            <label>{w.abandonCap}
              <input type="number" min={0} max={20} step={0.1} required value={f.abandon_percent} aria-describedby="abandon-hint" onInput={set('abandon_percent')} />
            </label>
            <small id="abandon-hint" class="muted">{w.abandonHint}</small>
          </div>
        )}
        <label>{w.scheduleStart}<input type="datetime-local" value={f.starts_at} aria-describedby="schedule-hint" onInput={set('starts_at')} /></label>
        <label>{w.scheduleEnd}<input type="datetime-local" value={f.ends_at} aria-describedby="schedule-hint" onInput={set('ends_at')} /></label>
        <p id="schedule-hint" class="muted hint">{w.scheduleHint}</p>
        {error && <p class="error wide" role="alert" data-testid="campaign-form-error">{error}</p>}
        <div class="actions wide">
          <button type="submit" class="primary" disabled={busy}>{w.create}</button>
          <button type="button" onClick={onClose}>{w.closeForm}</button>
        </div>
      </form>
    </section>
  );
}
