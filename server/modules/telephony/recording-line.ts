import type { RecordingLine } from '../recordings/recordings-service.js';
import type { TwilioRest } from './twilio-rest.js';

/**
 * The recordings module's line to Twilio: a call's recording through the call's Recordings
 * resource (dual channel, its status callback to /twilio/voice/recording), its pause and resume,
 * its deletion and its media file, fetched with the account's credentials.
 */
export function createRecordingLine(deps: { rest: () => TwilioRest; voiceUrl: () => string }): RecordingLine {
  return {
    async start(callSid) {
      const r = await deps.rest().startRecording(callSid, `${deps.voiceUrl()}/recording`);
      return { sid: r.sid, channels: r.channels };
    },
    async setStatus(callSid, recordingSid, status) {
      await deps.rest().setRecordingStatus(callSid, recordingSid, status);
    },
    remove: (recordingSid) => deps.rest().deleteRecording(recordingSid),
    media: (recordingSid) => deps.rest().recordingMedia(recordingSid),
  };
}
