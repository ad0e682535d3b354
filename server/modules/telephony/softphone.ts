import twilio from 'twilio';
import type { Softphone } from '../users/users-schemas.js';
import { clientIdentity, type StaffLine } from './voice-control.js';


const TOKEN_TTL_SECONDS = 3600;

/**
 * What makes a browser its user's phone: an agent's console (the conference leg of each call they
 * accept) or a supervisor's wallboard (the leg that listens, whispers or barges). With a Twilio API
 * key, a Voice SDK access token that may only receive calls, for the identity those legs are dialled to.
 */
export function createSoftphone(opts: { accountSid: string; apiKey?: { sid: string; secret: string }; simulated: boolean }) {
  return (line: Pick<StaffLine, 'kind' | 'userId'>): Softphone => {
    const identity = clientIdentity(line);
    if (opts.simulated) return { mode: 'simulator', identity, token: null, expires_in: null };
    if (!opts.apiKey) return { mode: 'phone', identity, token: null, expires_in: null };
    const token = new twilio.jwt.AccessToken(opts.accountSid, opts.apiKey.sid, opts.apiKey.secret, { identity, ttl: TOKEN_TTL_SECONDS });
    token.addGrant(new twilio.jwt.AccessToken.VoiceGrant({ incomingAllow: true }));
    return { mode: 'twilio', identity, token: token.toJwt(), expires_in: TOKEN_TTL_SECONDS };
  };
}
