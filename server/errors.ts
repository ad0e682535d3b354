/**
 * The one catalogue of coded errors. Clients and tests switch on `code`, never on the message.
 * Adding an error = adding a line here and a row to the README's table (a unit test checks that
 * every code is documented, so the two cannot drift).
 */
export const ERRORS = {
  SB_ERR_REQUEST_INVALID: { status: 400, message: 'The request is not valid' },
  SB_ERR_REQUEST_MALFORMED_JSON: { status: 400, message: 'The request body is not valid JSON' },
  SB_ERR_REQUEST_TOO_LARGE: { status: 413, message: 'The request body is too large' },
  SB_ERR_REQUEST_UNSUPPORTED_MEDIA: { status: 415, message: 'Unsupported content type' },
  SB_ERR_REQUEST_TIMEOUT: { status: 408, message: 'The request did not arrive in time: send it again, faster' },
  SB_ERR_ROUTE_NOT_FOUND: { status: 404, message: 'No such route' },
  SB_ERR_AUTH_REQUIRED: { status: 401, message: 'Authentication required: send Authorization: Bearer <token>' },
  SB_ERR_AUTH_TOKEN_INVALID: { status: 401, message: 'The token is invalid or has expired' },
  SB_ERR_AUTH_BAD_CREDENTIALS: { status: 401, message: 'Wrong username or password' },
  SB_ERR_AUTH_THROTTLED: { status: 429, message: 'Too many failed logins of this user from this address; try again later (see Retry-After)' },
  SB_ERR_AUTH_SLOW_DOWN: { status: 429, message: 'Failed logins: wait before the next try (see Retry-After)' },
  SB_ERR_AUTH_SESSION_REVOKED: { status: 401, message: 'The session has ended (signed out, the user disabled, or a refresh token reused): sign in again' },
  SB_ERR_AUTH_REFRESH_INVALID: { status: 401, message: 'No valid refresh token: sign in again' },
  SB_ERR_AUTH_REFRESH_EXPIRED: { status: 401, message: 'The session expired (idle too long, or past its longest life): sign in again' },
  SB_ERR_AUTH_REFRESH_REUSED: { status: 401, message: 'This refresh token was already used: the session is ended everywhere, sign in again' },
  SB_ERR_AUTH_OIDC_DISABLED: { status: 404, message: 'Single sign-on is not configured' },
  SB_ERR_AUTH_OIDC_FAILED: { status: 401, message: 'Single sign-on failed: start again' },
  SB_ERR_AUTH_OIDC_NO_USER: { status: 403, message: 'The identity provider vouched for someone who is not an active Switchboard user' },
  SB_ERR_AUTH_FORBIDDEN: { status: 403, message: 'Your role may not do this' },
  SB_ERR_PHONE_INVALID: { status: 400, message: 'Not a valid phone number (E.164, e.g. +8613800000001)' },
  SB_ERR_CUSTOMER_NOT_FOUND: { status: 404, message: 'No such customer' },
  SB_ERR_CUSTOMER_SEARCH_EMPTY: { status: 400, message: 'Give at least one of phone, name or card_last4' },
  SB_ERR_CUSTOMER_PURPOSE_UNVERIFIED: { status: 403, message: 'Nothing backs this purpose: open a customer from your own call (call_sid), a search of yours that found them, an open callback, a review of their interactions, or your own book' },
  SB_ERR_CUSTOMER_OUT_OF_SCOPE: { status: 403, message: 'This customer is outside your book or organisation unit' },
  SB_ERR_CUSTOMER_VIEWS_THROTTLED: { status: 429, message: 'Too many customer profiles read; try again later (supervisors have been alerted)' },
  SB_ERR_HOLDINGS_CONFLICT: { status: 409, message: 'A product number in the update belongs to another customer' },
  SB_ERR_PIN_HASH_INVALID: { status: 400, message: 'pin_hash must be an argon2id hash (v=19) with a memory cost up to 256 MiB and a time cost up to 10' },
  SB_ERR_PIN_NOT_ENROLLED: { status: 409, message: 'The customer has no phone-banking PIN' },
  SB_ERR_PIN_NOT_LOCKED: { status: 409, message: 'The PIN is not locked' },
  SB_ERR_PIN_LOCKED: { status: 409, message: 'The PIN is already locked' },
  SB_ERR_USER_EXISTS: { status: 409, message: 'A user with this username already exists' },
  SB_ERR_TWILIO_SIGNATURE_INVALID: { status: 403, message: 'The X-Twilio-Signature header is missing or does not match the request' },
  SB_ERR_INTERACTION_NOT_FOUND: { status: 404, message: 'No such interaction' },
  SB_ERR_RECORDING_NOT_FOUND: { status: 404, message: 'No such recording' },
  SB_ERR_RECORDING_DELETED: { status: 410, message: 'The recording was deleted (retention)' },
  SB_ERR_RECORDING_NOT_READY: { status: 409, message: 'The recording is not complete yet: the call is still on' },
  SB_ERR_RECORDING_NONE: { status: 409, message: 'No recording is running on this call' },
  SB_ERR_RECORDING_STATE: { status: 409, message: 'The recording is already in that state' },
  SB_ERR_RECORDING_PLAYBACK_FORBIDDEN: { status: 403, message: 'Your role may not listen to recordings (RECORDING_PLAYBACK_ROLES)' },
  SB_ERR_RECORDING_DOWNLOAD_FORBIDDEN: { status: 403, message: 'Your role may listen to recordings but not download them (RECORDING_DOWNLOAD_ROLES)' },
  SB_ERR_LEGAL_HOLD_REASON_REQUIRED: { status: 400, message: 'A legal hold needs a reason' },
  SB_ERR_AGENT_NOT_FOUND: { status: 404, message: 'No such agent' },
  SB_ERR_AGENT_STATE_INVALID: { status: 409, message: 'The agent cannot change to that state now' },
  SB_ERR_OFFER_GONE: { status: 409, message: 'The call is no longer offered to you (expired, taken or hung up)' },
  SB_ERR_CALL_NOT_ACTIVE: { status: 409, message: 'You have no call in progress' },
  SB_ERR_CALL_GONE: { status: 409, message: 'The caller hung up before the call could be connected' },
  SB_ERR_ENTRY_NOT_FOUND: { status: 404, message: 'No such queued call' },
  SB_ERR_ENTRY_NOT_WAITING: { status: 409, message: 'The call is no longer waiting in a queue (offered, answered or gone)' },
  SB_ERR_CALL_NOT_CONNECTED: { status: 409, message: 'The call is not connected to an agent, so there is nothing to monitor' },
  SB_ERR_WRAPUP_NOT_PENDING: { status: 409, message: 'There is no call waiting for your wrap-up' },
  SB_ERR_TRANSFER_TARGET_INVALID: { status: 400, message: 'Transfer to a known skill, an agent, or the relationship manager' },
  SB_ERR_TRANSFER_TARGET_UNAVAILABLE: { status: 409, message: 'Nobody there can take the call now: the agent is not available, or no agent of that skill is free' },
  SB_ERR_CALLBACK_NOT_FOUND: { status: 404, message: 'No such callback request' },
  SB_ERR_CALLBACK_NUMBER_INVALID: { status: 400, message: 'That number cannot be called back (withheld, or not a phone number)' },
  SB_ERR_CALLBACK_TIME_INVALID: { status: 400, message: "A callback time must be in the future and within the queue's service hours" },
  SB_ERR_CALLBACK_STATE_INVALID: { status: 409, message: 'The callback is being made, or is already done or cancelled' },
  SB_ERR_CASE_NOT_FOUND: { status: 404, message: 'No such case' },
  SB_ERR_CASE_TRANSITION_INVALID: { status: 409, message: 'The case cannot take that step from its current state (open → assigned → in progress → resolved → feedback contacted → closed; reopen from resolved, feedback contacted or closed)' },
  SB_ERR_CASE_RESULT_REQUIRED: { status: 400, message: 'Resolving a case needs its result' },
  SB_ERR_CASE_REQUIRED: { status: 400, message: 'The disposition complaint_logged needs a complaint opened on this call first (POST /api/cases with its interaction_id)' },
  SB_ERR_CASE_INTERACTION_INVALID: { status: 400, message: "The interaction is not this customer's, or not a call of yours" },
  SB_ERR_CASE_OWNER_INVALID: { status: 400, message: 'A case can be assigned only to an active agent, supervisor or relationship manager' },
  SB_ERR_TASK_NOT_FOUND: { status: 404, message: 'No such task' },
  SB_ERR_TASK_STATE_INVALID: { status: 409, message: 'The task is already done or cancelled' },
  SB_ERR_TASK_SATISFACTION_REQUIRED: { status: 400, message: "Completing a feedback contact records the customer's satisfaction (1-5)" },
  SB_ERR_REPORT_RANGE_INVALID: { status: 400, message: 'The report range must end after it starts (from < to)' },
  SB_ERR_REPORT_RANGE_TOO_LONG: { status: 400, message: 'The report range is too long for this interval' },
  SB_ERR_REPORT_TIMEZONE_INVALID: { status: 400, message: 'Unknown time zone (use an IANA name such as Asia/Shanghai)' },
  SB_ERR_CAMPAIGN_NOT_FOUND: { status: 404, message: 'No such campaign' },
  SB_ERR_CAMPAIGN_STATE_INVALID: { status: 409, message: 'The campaign cannot do that in its current state' },
  SB_ERR_CAMPAIGN_INVALID: { status: 400, message: 'The campaign settings are inconsistent' },
  SB_ERR_CAMPAIGN_DISPOSITION_INVALID: { status: 400, message: 'A campaign call needs a campaign disposition: interested, sale, callback (with callback_at in the future), not_interested, wrong_number or do_not_call' },
  SB_ERR_CAMPAIGN_CSV_INVALID: { status: 400, message: 'The CSV has no header naming customer_no or customer_id' },
  SB_ERR_PREVIEW_NONE: { status: 404, message: 'No customer is due in a running preview campaign of your skills' },
  SB_ERR_PREVIEW_GONE: { status: 409, message: 'That preview is no longer yours to dial or skip' },
  SB_ERR_SIM_CALL_NOT_FOUND: { status: 404, message: 'No such call on the phone simulator' },
  SB_ERR_SIM_NOT_LISTENING: { status: 409, message: 'The call is not waiting for keys right now' },
  SB_ERR_RATE_LIMITED: { status: 429, message: 'Too many requests; try again shortly' },
  SB_ERR_METRICS_DISABLED: { status: 404, message: 'Metrics are off: set METRICS_TOKEN and scrape /metrics with Authorization: Bearer <METRICS_TOKEN>' },
  SB_ERR_UI_NOT_BUILT: { status: 503, message: 'The console is not built: run npm run ui:build (npm start builds it when missing)' },
  SB_ERR_SERVER_INTERNAL: { status: 500, message: 'Internal error' },
  SB_ERR_DEPENDENCY_UNAVAILABLE: { status: 503, message: 'A dependency is unavailable' },
  SB_ERR_SERVER_TIMEOUT: { status: 503, message: 'The server took too long to answer; try again' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export class AppError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message ?? ERRORS[code].message);
    this.statusCode = ERRORS[code].status;
  }
}

export const appError = (code: ErrorCode, message?: string, details?: Record<string, unknown>) =>
  new AppError(code, message, details);
