import { isSpeech, type Side } from './talk-meter.js';

/**
 * The speech-recognition port: a bank that must keep audio in its own data centre (or prefers
 * its own Mandarin model) plugs its recogniser here instead of Twilio's transcription
 * (TALK_TRANSCRIPT_SOURCE=stream). It is fed the call's media stream, both sides, as 16-bit 8 kHz
 * samples, and says each final utterance; the words then take the path Twilio's do (secrets cut
 * out, the timeline, the consoles, the prompts).
 */
export interface Recogniser {
  open(call: { callSid: string; lang: 'zh' | 'en' }, heard: (u: { side: Side; text: string }) => void): RecognitionSession;
}
export interface RecognitionSession {
  audio(side: Side, ms: number, pcm: Int16Array): void;
  /** The stream ended: say what is still pending, then let go of the call. */
  close(): void;
}

/** The default: nothing is recognised (Twilio transcribes, or nobody does). */
export const noRecogniser: Recogniser = { open: () => ({ audio() {}, close() {} }) };

/** Speech followed by this much non-speech on a side ends an utterance. */
const END_OF_UTTERANCE_MS = 300;

/**
 * A recogniser for tests and demos: it hears *when* each side speaks from the real audio, and
 * says the words queued for that call and side (`say`) at the end of each stretch of speech, as a
 * recogniser does. What it proves is the port's wiring, not recognition.
 */
export function createScriptedRecogniser() {
  const queued = new Map<string, string[]>();
  const key = (callSid: string, side: Side) => `${callSid}:${side}`;
  const recogniser: Recogniser = {
    open(call, heard) {
      const speaking: Record<Side, { since: number | null; lastSpeech: number }> = { caller: { since: null, lastSpeech: 0 }, agent: { since: null, lastSpeech: 0 } };
      const finish = (side: Side) => {
        speaking[side].since = null;
        const text = queued.get(key(call.callSid, side))?.shift();
        if (text) heard({ side, text });
      };
      return {
        audio(side, ms, pcm) {
          const s = speaking[side];
          if (isSpeech(pcm)) {
            if (s.since === null) s.since = ms;
            s.lastSpeech = ms;
          } else if (s.since !== null && ms - s.lastSpeech >= END_OF_UTTERANCE_MS) {
            finish(side);
          }
        },
        close() {
          for (const side of ['caller', 'agent'] as const) if (speaking[side].since !== null) finish(side);
        },
      };
    },
  };
  return {
    recogniser,
    /** The words the next stretch of `side`'s speech on the call will be heard as. */
    say(callSid: string, side: Side, text: string) {
      const k = key(callSid, side);
      queued.set(k, [...(queued.get(k) ?? []), text]);
    },
  };
}
