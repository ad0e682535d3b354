import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { useI18n } from '../i18n.js';
import type { PhoneCall, PhoneSetup } from '../types.js';

const BASE = '/twilio-sim/phone';
const POLL_MS = 300;
/** Keys are sent together after this pause (or at once on #), as a caller types a PIN or account number. */
const KEY_PAUSE_MS = 900;
const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];
const FINAL = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);

/**
 * The phone simulator: dial the hotline as a demo customer (or any number) through the built-in
 * Twilio simulator, hear the IVR as a transcript, press keys, hang up. The call takes the same path
 * a real one takes, so it pops on an agent console in another tab.
 */
export function PhoneSimulator() {
  const { t, toggle } = useI18n();
  const [setup, setSetup] = useState<PhoneSetup | null>(null);
  const [unavailable, setUnavailable] = useState(false);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [call, setCall] = useState<Omit<PhoneCall, 'next'> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [typed, setTyped] = useState('');
  const next = useRef(0);
  const buffer = useRef('');
  const flushTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const transcriptEnd = useRef<HTMLLIElement>(null);

  useEffect(() => {
    api<PhoneSetup>('GET', `${BASE}/setup`).then((s) => {
      setSetup(s);
      setFrom(s.callers[0]?.phone ?? '');
      setTo(s.hotlines[0]?.number ?? '');
    }, () => setUnavailable(true));
  }, []);

  // Follow the live call: new transcript lines and its state, until it ends.
  const sid = call?.sid;
  const ended = call ? FINAL.has(call.status) : true;
  useEffect(() => {
    if (!sid || ended) return;
    const timer = setInterval(async () => {
      try {
        const r = await api<PhoneCall>('GET', `${BASE}/calls/${sid}?after=${next.current}`);
        next.current = r.next;
        setCall((c) => (c && c.sid === r.sid ? { ...r, transcript: [...c.transcript, ...r.transcript] } : c));
      } catch (err) {
        setError((err as Error).message);
      }
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [sid, ended]);
  useEffect(() => transcriptEnd.current?.scrollIntoView({ block: 'nearest' }), [call?.transcript.length]);

  const dial = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const { sid: newSid } = await api<{ sid: string }>('POST', `${BASE}/calls`, { from, to });
      next.current = 0;
      setCall({ sid: newSid, status: 'ringing', state: 'ringing', transcript: [] });
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const flush = async () => {
    if (flushTimer.current) clearTimeout(flushTimer.current);
    const digits = buffer.current;
    buffer.current = '';
    setTyped('');
    if (!digits || !sid) return;
    try {
      await api('POST', `${BASE}/calls/${sid}/press`, { digits });
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const press = (key: string) => {
    if (!sid || ended) return;
    setError(null);
    buffer.current += key;
    setTyped(buffer.current);
    if (flushTimer.current) clearTimeout(flushTimer.current);
    if (key === '#') void flush();
    else flushTimer.current = setTimeout(() => void flush(), KEY_PAUSE_MS);
  };
  const hangup = async () => {
    if (sid) await api('POST', `${BASE}/calls/${sid}/hangup`).catch(() => undefined);
  };

  if (unavailable) return <main class="simulator"><p class="card" role="alert">{t.simOnly}</p></main>;
  return (
    <main class="simulator">
      <header class="sim-head">
        <h1>{t.simTitle}</h1>
        <button type="button" onClick={toggle} aria-label={t.languageLabel}>{t.language}</button>
      </header>
      <p class="muted">{t.simIntro}</p>
      <div class="sim-grid">
        <form class="card" onSubmit={dial} aria-label={t.dial}>
          <label>{t.caller}{' '}
            <select value={setup?.callers.some((c) => c.phone === from) ? from : ''} onChange={(e) => setFrom((e.target as HTMLSelectElement).value)}>
              {setup?.callers.map((c) => <option key={c.customer_id} value={c.phone}>{c.name} · {c.tier} · {c.story}</option>)}
              <option value="">—</option>
            </select>
          </label>
          <label>{t.callerNumber}{' '}
            <input type="tel" required pattern="\+[1-9][0-9]{6,14}" value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} />
          </label>
          <label>{t.hotline}{' '}
            <select value={to} onChange={(e) => setTo((e.target as HTMLSelectElement).value)}>
              {setup?.hotlines.map((h) => <option key={h.number} value={h.number}>{h.number} ({h.flow})</option>)}
            </select>
          </label>
          <div class="actions">
            <button type="submit" class="primary" disabled={!setup || !ended}>{t.dial}</button>
            <button type="button" class="danger" disabled={ended} onClick={hangup}>{t.hangup}</button>
          </div>
          <p role="status" data-testid="sim-state">{call ? `${t.callState}: ${call.status} · ${call.state}` : ''}</p>
          {error && <p role="alert" class="error">{error}</p>}
        </form>
        <section class="card keypad" aria-label={t.keypad}>
          <output aria-live="polite" data-testid="typed">{typed}</output>
          <div class="keys">
            {KEYS.map((k) => <button type="button" key={k} disabled={ended} onClick={() => press(k)} aria-label={`${t.keypad} ${k}`}>{k}</button>)}
          </div>
        </section>
        <section class="card transcript" aria-label={t.transcript}>
          <h2>{t.transcript}</h2>
          <ol aria-live="polite" data-testid="transcript">
            {call?.transcript.map((e, i) => <li key={i} class={`tx tx-${e.kind}`}><span class="muted">{(e.at / 1000).toFixed(1)}s {e.kind}</span> {e.text}</li>)}
            <li ref={transcriptEnd} aria-hidden="true" />
          </ol>
        </section>
      </div>
    </main>
  );
}
