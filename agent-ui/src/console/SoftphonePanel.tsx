import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n.js';
import type { Softphone } from '../types.js';
import type { Phase } from './Console.js';

type Leg = 'idle' | 'ringing' | 'connected' | 'held' | 'ended';

/**
 * The agent's audio leg. Simulator: the built-in simulator answers the leg, and this shows its
 * state as the server reports it. Twilio: the browser is the phone — the Voice SDK (loaded only
 * then, it is large) registers the agent's identity and answers the conference leg the server
 * dials after the agent accepted the offer.
 */
export function SoftphonePanel({ softphone, phase, held }: { softphone: Softphone | null; phase: Phase; held: boolean }) {
  const { t } = useI18n();
  const [twilioLeg, setTwilioLeg] = useState<Leg>('idle');
  const device = useRef<{ destroy(): void } | null>(null);

  useEffect(() => {
    if (softphone?.mode !== 'twilio' || !softphone.token) return;
    let cancelled = false;
    void import('@twilio/voice-sdk').then(({ Device }) => {
      if (cancelled) return;
      const d = new Device(softphone.token!, { closeProtection: true });
      d.on('incoming', (call) => {
        setTwilioLeg('ringing');
        call.on('accept', () => setTwilioLeg('connected'));
        call.on('disconnect', () => setTwilioLeg('ended'));
        call.on('cancel', () => setTwilioLeg('ended'));
        // The only calls to this identity are the legs of calls the agent has just accepted.
        call.accept();
      });
      void d.register();
      device.current = d;
    });
    return () => { cancelled = true; device.current?.destroy(); };
  }, [softphone?.token]);

  if (!softphone) return null;
  const fromServer: Leg = phase === 'connecting' ? 'ringing' : phase === 'ended' ? 'ended' : held ? 'held' : 'connected';
  const leg = softphone.mode === 'twilio' ? twilioLeg : fromServer;
  const kind = softphone.mode === 'twilio' ? t.audioBrowser : softphone.mode === 'simulator' ? t.audioSim : t.audioPhone;
  const label = { idle: t.legIdle, ringing: t.legRinging, connected: t.legConnected, held: t.legHeld, ended: t.legEnded }[leg];
  return (
    <p class={`softphone leg-${leg}`} data-testid="softphone">
      {t.softphone}: {kind} · <strong data-testid="leg-state">{label}</strong>
    </p>
  );
}
