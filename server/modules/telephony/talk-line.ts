import type { TalkLine } from '../talk/talk-service.js';
import { MEDIA_PATH } from './media-streams.js';
import type { TwilioRest } from './twilio-rest.js';

// Real-time transcription language codes (BCP-47): Mandarin as spoken in mainland China, and US English.
const TRANSCRIPT_LANGUAGE = { zh: 'zh-CN', en: 'en-US' } as const;

/**
 * The talk module's line to Twilio: a call's media stream (both tracks, to MEDIA_PATH over wss)
 * and its real-time transcription (both tracks, final utterances to /twilio/voice/transcription),
 * each started and stopped by the name the talk module gives it.
 */
export function createTalkLine(deps: { rest: () => TwilioRest; publicUrl: () => string }): TalkLine {
  return {
    startStream: async (callSid, name) => {
      await deps.rest().startStream(callSid, { url: `${deps.publicUrl().replace(/^http/, 'ws')}${MEDIA_PATH}`, name, params: {} });
    },
    stopStream: (callSid, name) => deps.rest().stopStream(callSid, name),
    startTranscript: async (callSid, name, lang) => {
      await deps.rest().startTranscription(callSid, { name, statusCallbackUrl: `${deps.publicUrl()}/twilio/voice/transcription`, languageCode: TRANSCRIPT_LANGUAGE[lang] });
    },
    stopTranscript: (callSid, name) => deps.rest().stopTranscription(callSid, name),
  };
}
