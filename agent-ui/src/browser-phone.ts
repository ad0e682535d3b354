import { useEffect, useState } from 'preact/hooks';
import { call } from './api.js';
import type { Softphone } from './types.js';

export type Leg = 'idle' | 'ringing' | 'connected' | 'held' | 'ended';

/**
 * In Twilio mode the browser is the phone: the Voice SDK (loaded only then, it is large) registers
 * the user's identity and answers what the server dials to it — an agent's leg of a call they just
 * accepted, a supervisor's leg into a call they chose to monitor. Nothing else is ever dialled to
 * these identities, so an incoming leg is answered at once. Returns the leg's state ('idle' in the
 * other modes). The Voice SDK token is renewed before it expires (`tokenWillExpire`, by default 10 s
 * before) from `endpoint`, the route that minted it, without dropping the registration or a call.
 */
export function useBrowserPhone(softphone: Softphone | null, endpoint: 'GET /api/agents/me/softphone' | 'GET /api/supervisors/me/softphone'): Leg {
  const [leg, setLeg] = useState<Leg>('idle');
  useEffect(() => {
    if (softphone?.mode !== 'twilio' || !softphone.token) return;
    let cancelled = false;
    let device: { destroy(): void } | null = null;
    void import('@twilio/voice-sdk').then(({ Device }) => {
      if (cancelled) return;
      const d = new Device(softphone.token!, { closeProtection: true });
      d.on('tokenWillExpire', () => {
        call(endpoint).then((fresh) => { if (fresh.token && !cancelled) d.updateToken(fresh.token); }, () => undefined);
      });
      d.on('incoming', (call) => {
        setLeg('ringing');
        call.on('accept', () => setLeg('connected'));
        call.on('disconnect', () => setLeg('ended'));
        call.on('cancel', () => setLeg('ended'));
        call.accept();
      });
      void d.register();
      device = d;
    });
    return () => { cancelled = true; device?.destroy(); };
  }, [softphone?.token]);
  return leg;
}
