import { Type, type Static } from 'typebox';
import { Nullable } from '../../lib/schema.js';

// Reasons are chosen from these lists, never typed: the audit log says why in words the bank
// agreed on, and a client cannot put free text (or a PIN) there.
export const UNLOCK_REASONS = ['identity_verified_on_call', 'identity_verified_in_branch', 'fraud_check_cleared'] as const;
export const RESET_REASONS = ['customer_forgot_pin', 'identity_verified_in_branch', 'suspected_compromise'] as const;
export const LOCK_REASONS = ['suspected_fraud', 'customer_request'] as const;

export const PinEnrolment = Type.Object({
  pin_hash: Type.String({
    maxLength: 256,
    description: 'An argon2id hash of the 6-digit PIN, made at source (the core-banking system): Switchboard never sees a PIN',
  }),
}, { additionalProperties: false });
export type PinEnrolment = Static<typeof PinEnrolment>;

export const UnlockRequest = Type.Object({ reason: Type.Enum([...UNLOCK_REASONS]) }, { additionalProperties: false });
export const ResetRequest = Type.Object({ reason: Type.Enum([...RESET_REASONS]) }, { additionalProperties: false });
export const LockRequest = Type.Object({ reason: Type.Enum([...LOCK_REASONS]) }, { additionalProperties: false });

export const PinStatus = Type.Object({
  enrolled: Type.Boolean(),
  locked: Type.Boolean(),
  locked_at: Nullable(Type.String({ format: 'date-time' })),
  lock_cause: Nullable(Type.Enum(['failures', 'admin'], { description: 'failures: three wrong PINs in a row from the customer\'s own number; admin: locked by staff' })),
  failures: Type.Integer({ description: 'Wrong PINs in a row so far' }),
  updated_at: Nullable(Type.String({ format: 'date-time' })),
});
export type PinStatus = Static<typeof PinStatus>;
