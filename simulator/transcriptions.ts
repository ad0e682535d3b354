import type { LiveCall, SimContext } from './context.js';
import { newSid, rfc2822 } from './util.js';

/** A real-time transcription as the simulator keeps it (Twilio's Transcriptions subresource of a call). */
export interface SimTranscription {
  sid: string;
  callSid: string;
  name: string | null;
  callback: { url: string; method: string } | null;
  track: 'inbound_track' | 'outbound_track' | 'both_tracks';
  languageCode: string;
  partialResults: boolean;
  status: 'in-progress' | 'stopped';
  dateUpdated: Date;
  sequence: number;
}

export function transcriptionJson(accountSid: string, t: SimTranscription) {
  return {
    sid: t.sid, account_sid: accountSid, call_sid: t.callSid, name: t.name, status: t.status, date_updated: rfc2822(t.dateUpdated),
    uri: `/2010-04-01/Accounts/${accountSid}/Calls/${t.callSid}/Transcriptions/${t.sid}.json`,
  };
}

function post(ctx: SimContext, t: SimTranscription, event: string, extra: Record<string, string> = {}): Promise<unknown> {
  if (!t.callback || ctx.closed) return Promise.resolve();
  t.sequence++;
  return ctx.webhooks.send(t.callback.url, {
    AccountSid: ctx.accountSid, CallSid: t.callSid, TranscriptionSid: t.sid, TranscriptionEvent: event, SequenceId: String(t.sequence),
    Timestamp: new Date().toISOString(), ...extra,
  }, { method: t.callback.method, callSid: t.callSid });
}

/** Starts transcribing a live call (POST .../Calls/{Sid}/Transcriptions.json): `transcription-started`, then content as the call's people speak, `transcription-stopped` at the end. */
export function startTranscription(ctx: SimContext, call: LiveCall, o: Pick<SimTranscription, 'name' | 'callback' | 'track' | 'languageCode' | 'partialResults'>): SimTranscription {
  const t: SimTranscription = { sid: newSid('GT'), callSid: call.sid, status: 'in-progress', dateUpdated: new Date(), sequence: 0, ...o };
  ctx.transcriptions.set(t.sid, t);
  call.annotate(`transcription ${t.sid} started (${o.languageCode})`);
  void post(ctx, t, 'transcription-started', { ProviderName: 'Google', LanguageCode: t.languageCode });
  void call.done.then(() => stopTranscription(ctx, t));
  return t;
}

export function stopTranscription(ctx: SimContext, t: SimTranscription): void {
  if (t.status === 'stopped') return;
  t.status = 'stopped';
  t.dateUpdated = new Date();
  void post(ctx, t, 'transcription-stopped');
}

/**
 * Someone on the call says `words`: each transcription of the call that hears that side posts
 * them (a partial result first, when asked for, then the final one). The caller is the call's
 * inbound track; the agent's side (what the caller hears) its outbound track.
 */
export async function utter(ctx: SimContext, call: LiveCall, side: 'caller' | 'agent', words: string): Promise<void> {
  const track = side === 'caller' ? 'inbound_track' : 'outbound_track';
  const live = [...ctx.transcriptions.values()].filter((t) => t.callSid === call.sid && t.status === 'in-progress' && (t.track === 'both_tracks' || t.track === track));
  // The words themselves stay out of the simulator's log: they may hold a card number.
  call.annotate(`${side} speaks (${[...words].length} characters)`);
  for (const t of live) {
    const content = (text: string, final: boolean) => post(ctx, t, 'transcription-content', {
      LanguageCode: t.languageCode, Track: track, Final: String(final), TranscriptionData: JSON.stringify({ transcript: text, confidence: 0.93 }),
      ...(final ? {} : { Stability: '0.8' }),
    });
    if (t.partialResults) await content(words.slice(0, Math.ceil(words.length / 2)), false);
    await content(words, true);
  }
}
