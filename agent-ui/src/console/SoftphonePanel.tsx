import { useBrowserPhone, type Leg } from '../browser-phone.js';
import { useI18n } from '../i18n.js';
import type { Softphone } from '../types.js';
import type { Phase } from './Console.js';

/**
 * The agent's audio leg. Simulator: the built-in simulator answers the leg, and this shows its
 * state as the server reports it. Twilio: the browser answers it (useBrowserPhone).
 */
export function SoftphonePanel({ softphone, phase, held }: { softphone: Softphone | null; phase: Phase; held: boolean }) {
  const { t } = useI18n();
  const twilioLeg = useBrowserPhone(softphone, 'GET /api/agents/me/softphone');

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
