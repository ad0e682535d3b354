import { useEffect, useRef } from 'preact/hooks';
import { bankTime } from '../bank-time.js';
import { duration, useI18n, word } from '../i18n.js';
import { stepLabel } from '../ivr-words.js';
import type { CallOffer } from '../types.js';
import { TierBadge } from './ScreenPop.js';
import { useSecondsSince } from './StatusBar.js';

/** A short two-tone ring, repeated while the offer stands (WebAudio: no sound file to fetch). */
function useRing(active: boolean) {
  useEffect(() => {
    if (!active || typeof AudioContext === 'undefined') return;
    const ctx = new AudioContext();
    const ring = () => {
      for (const [freq, at] of [[440, 0], [480, 0.4]] as const) {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        gain.gain.value = 0.05;
        osc.frequency.value = freq;
        osc.connect(gain).connect(ctx.destination);
        osc.start(ctx.currentTime + at);
        osc.stop(ctx.currentTime + at + 0.3);
      }
    };
    ring();
    const timer = setInterval(ring, 2000);
    return () => { clearInterval(timer); void ctx.close(); };
  }, [active]);
}

/**
 * The offer: who is calling and why, a countdown, accept / decline. Accept has the focus: Enter takes the call.
 * A callback says so: when and why the customer asked, the number it will ring (masked), who booked it and which try this is.
 */
export function OfferCard({ call, onAccept, onReject }: { call: CallOffer; onAccept: () => void; onReject: () => void }) {
  const { t, lang } = useI18n();
  const acceptRef = useRef<HTMLButtonElement>(null);
  const sinceExpiry = useSecondsSince(call.expires_at ?? undefined);
  useRing(true);
  useEffect(() => acceptRef.current?.focus(), [call.entry_id]);
  const left = Math.max(0, Math.ceil(-sinceExpiry));
  const name = call.profile?.identity.display_name ?? t.unknownCaller;
  const cb = call.callback;
  return (
    <section class="offer" role="alertdialog" aria-labelledby="offer-title" aria-describedby="offer-detail" data-testid="offer">
      <h2 id="offer-title">{cb ? t.callbackOffer : t.incoming}: <span data-testid="offer-name">{name}</span> <TierBadge tier={call.tier} /></h2>
      {cb && (
        <dl class="callback-pop" data-testid="offer-callback">
          <dt>{t.callbackRequested}</dt><dd>{bankTime(cb.requested_at)} · {t.labels.callbackSources[cb.source]}</dd>
          <dt>{t.callbackNumber}</dt><dd data-testid="offer-callback-number">{cb.phone_masked}</dd>
          <dt>{t.callbackReason}</dt><dd>{t.callbackReasons[cb.reason] ?? (cb.source === 'ivr' ? stepLabel(cb.reason, lang) : <span data-verbatim>{cb.reason}</span>)}</dd>
          {cb.booked_by && <><dt>{t.callbackBookedBy}</dt><dd>{cb.booked_by}</dd></>}
          <dt>{t.callbackAttempts}</dt><dd>{t.callbackAttempt(cb.attempt)}</dd>
        </dl>
      )}
      <p id="offer-detail">
        {t.skill}: {t.labels.skills[call.skill as keyof typeof t.labels.skills] ?? call.skill} · {t.lang}: {word(t.langNames, call.language)} · {t.waited} {duration(call.waited_s)}
        {call.ivr.verified && <span class="badge verified"> ✔ {t.verified}</span>}
      </p>
      {call.why && <p class="muted">{t.why}: {call.why.text}</p>}
      {cb && <p class="muted">{t.callbackDialHint}</p>}
      <p class="countdown" aria-live="polite" data-testid="countdown">{left} {t.secondsLeft}</p>
      <div class="actions">
        <button type="button" ref={acceptRef} class="primary" onClick={onAccept}>{t.accept}</button>
        <button type="button" onClick={onReject}>{t.reject}</button>
      </div>
    </section>
  );
}
