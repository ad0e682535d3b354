import { Type } from 'typebox';
import { MAX_INT, Nullable } from '../../lib/schema.js';

const Timestamp = Type.String({ format: 'date-time' });

export const InteractionParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
export const RecordingParams = Type.Object({ sid: Type.String({ pattern: '^RE[0-9a-f]{32}$', description: "Twilio's recording sid" }) });

export const PlaybackQuery = Type.Object({
  why: Type.String({ minLength: 3, maxLength: 200, description: 'Why the recording is listened to (quality review, a complaint, a dispute): kept in the audit log' }),
  download: Type.Boolean({ default: false, description: 'As a file to keep (attachment), for the roles RECORDING_DOWNLOAD_ROLES allows' }),
});

export const RecordingsQuery = Type.Object({
  customer_id: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_INT })),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
});

export const Recording = Type.Object({
  sid: Type.String(),
  interaction_id: Type.String(),
  status: Type.Enum(['in-progress', 'paused', 'completed', 'absent', 'deleted']),
  channels: Nullable(Type.Integer()),
  duration_s: Nullable(Type.Integer()),
  started_at: Timestamp,
  completed_at: Nullable(Timestamp),
  deleted_at: Nullable(Timestamp),
});

export const InteractionRecordings = Type.Object({ interaction_id: Type.String(), legal_hold: Type.Boolean(), recordings: Type.Array(Recording) });

export const RecordingList = Type.Object({
  recordings: Type.Array(Type.Object({
    sid: Type.String(), interaction_id: Type.String(), channels: Nullable(Type.Integer()), duration_s: Nullable(Type.Integer()), started_at: Timestamp,
    customer_id: Nullable(Type.Integer()), agent_user_id: Nullable(Type.Integer()), category: Nullable(Type.String()), legal_hold: Type.Boolean(),
  })),
});

export const LegalHoldBody = Type.Object({
  hold: Type.Boolean(),
  reason: Type.Optional(Type.String({ maxLength: 500, description: 'Required to set a hold: the matter it is kept for' })),
}, { additionalProperties: false });
export const LegalHold = Type.Object({ interaction_id: Type.String(), legal_hold: Type.Boolean() });
