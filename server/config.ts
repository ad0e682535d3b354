import { Type, type Static } from 'typebox';
import { DEFAULT_SERVICE_LEVELS } from './modules/routing/service-levels.js';
import { Value } from 'typebox/value';
import { isIP } from 'node:net';

/**
 * Every environment variable Switchboard reads, in one schema. Validated once at boot;
 * everything else receives the typed `Config` object and never touches process.env.
 */
export const ConfigSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000, description: 'HTTP port' }),
  HOST: Type.String({ default: '127.0.0.1', description: 'Interface to listen on (0.0.0.0 for all)' }),
  PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://', description: 'URL printed at start and used in links; defaults to http://HOST:PORT' })),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://', description: 'PostgreSQL connection string; when absent, embedded PGlite in DATA_DIR' })),
  DATA_DIR: Type.String({ default: './data', description: 'Folder for the embedded PGlite database' }),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://', description: 'Redis for jobs and socket fan-out; when absent, in-process' })),
  REDIS_PREFIX: Type.String({ default: 'switchboard', pattern: '^[A-Za-z0-9_.:-]{1,64}$', description: 'Names this deployment in Redis: nodes with the same prefix share socket.io rooms' }),
  JWT_SECRET: Type.Optional(Type.String({ minLength: 32, description: 'HMAC key for login tokens; at least 32 characters. When absent a random key is made at boot (tokens die with the process)' })),
  JWT_TTL_SECONDS: Type.Integer({ minimum: 10, maximum: 3600, default: 600, description: 'Lifetime of an access token (the bearer token of API calls and sockets); the console renews it silently with its refresh token' }),
  SESSION_IDLE_SECONDS: Type.Integer({ minimum: 60, maximum: 604800, default: 14400, description: 'A session (one sign-in) not refreshed for this long ends; each refresh moves it forward (sliding)' }),
  SESSION_MAX_SECONDS: Type.Integer({ minimum: 300, maximum: 2592000, default: 57600, description: 'The longest a session lasts however often it is refreshed: then its user signs in again' }),
  SESSION_CHECK_SECONDS: Type.Integer({ minimum: 0, maximum: 10, default: 2, description: 'How long a node may trust what it last read about a session and its user (revoked, disabled, role): requests, socket messages and open sockets act on the current state within this (and sockets are checked this often)' }),
  LOGIN_MAX_FAILURES: Type.Integer({ minimum: 1, maximum: 1000, default: 5, description: 'Failed logins of one username from one client address within LOGIN_WINDOW_SECONDS before that pair is locked for the rest of the window (others, and the user elsewhere, are not)' }),
  LOGIN_WINDOW_SECONDS: Type.Integer({ minimum: 10, maximum: 86400, default: 900, description: 'Window for counting failed logins' }),
  LOGIN_BACKOFF_AFTER: Type.Integer({ minimum: 1, maximum: 1000, default: 3, description: 'After this many failures of a username from an address, each further try must wait LOGIN_BACKOFF_SECONDS, doubling each failure (429 with Retry-After), until LOGIN_MAX_FAILURES locks' }),
  LOGIN_BACKOFF_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 2, description: 'The first wait of the login backoff' }),
  ALERT_LOGIN_FAILURES: Type.Integer({ minimum: 1, maximum: 100000, default: 20, description: 'Alert supervisors (login_burst) when one username, or one client address, has this many failed or refused logins within 15 minutes' }),
  OIDC_ISSUER: Type.Optional(Type.String({ pattern: '^https?://', description: 'Single sign-on for staff: the OpenID Connect provider\'s issuer URL (authorization code + PKCE). Off when absent' })),
  OIDC_CLIENT_ID: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'Our client id at the OIDC provider' })),
  OIDC_CLIENT_SECRET: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'Our client secret at the OIDC provider (absent: a public client, PKCE only)' })),
  OIDC_REDIRECT_URI: Type.Optional(Type.String({ pattern: '^https?://', description: 'Where the provider sends staff back; default PUBLIC_URL/api/auth/oidc/callback (register it at the provider)' })),
  OIDC_USERNAME_CLAIM: Type.String({ default: 'preferred_username', pattern: '^[A-Za-z0-9_.:-]{1,64}$', description: 'The id_token claim naming the Switchboard username: the user must exist and be active; the role is ours, never the provider\'s' }),
  OIDC_SCOPES: Type.String({ default: 'openid profile', pattern: '^openid( [A-Za-z0-9_.:-]+)*$', description: 'Scopes asked of the OIDC provider' }),
  TIER_MODEL_FILE: Type.Optional(Type.String({ description: 'JSON file overriding the default value-scoring and tier model' })),
  SEED_CUSTOMERS: Type.Integer({ minimum: 0, default: 10000, description: '`npm start` seeds a synthetic bank of this many customers into an empty database' }),
  SEED_HISTORY_DAYS: Type.Integer({ minimum: 0, maximum: 366, default: 30, description: 'With the synthetic bank, this many days of synthetic hotline history before today (calls, timelines, agent states) for the reports' }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, maximum: 104857600, default: 1048576, description: 'Largest accepted request body (a call-list CSV upload is streamed and may be up to 512 MB)' }),
  HTTP_HEADERS_TIMEOUT_MS: Type.Integer({ minimum: 1000, maximum: 120000, default: 10000, description: 'A request whose headers have not all arrived within this is answered 408 and its connection closed' }),
  HTTP_REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 1000, maximum: 600000, default: 30000, description: 'A request must be received and answered within this: past it, 408 (SB_ERR_REQUEST_TIMEOUT) when its body had not arrived, 503 (SB_ERR_SERVER_TIMEOUT) otherwise' }),
  HTTP_UPLOAD_TIMEOUT_MS: Type.Integer({ minimum: 10000, maximum: 86400000, default: 1800000, description: 'The same for streamed uploads (a campaign\'s call-list CSV, up to 512 MB)' }),
  HTTP_IDLE_TIMEOUT_MS: Type.Integer({ minimum: 1000, maximum: 3600000, default: 120000, description: 'A connection with no traffic either way for this long is closed' }),
  HTTP_KEEPALIVE_TIMEOUT_MS: Type.Integer({ minimum: 1000, maximum: 600000, default: 72000, description: 'An idle keep-alive connection is closed after this (keep it above a load balancer\'s idle timeout)' }),
  TELEPHONY: Type.Optional(Type.Union([Type.Literal('twilio'), Type.Literal('simulator')], {
    description: 'twilio: calls go through the Twilio account; simulator: the built-in Twilio simulator plays Twilio (the demo: make-believe calls, demo phone, demo PIN). Required with DATABASE_URL; embedded, it defaults to twilio when TWILIO_ACCOUNT_SID is set, else simulator',
  })),
  SIMULATOR_DATABASE: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_$-]{1,63}$', description: 'With TELEPHONY=simulator on PostgreSQL: the name of the one database the simulator may run on (demos and tests on PostgreSQL); the simulator refuses any other' })),
  TWILIO_ACCOUNT_SID: Type.Optional(Type.String({ pattern: '^AC[0-9a-f]{32}$', description: 'Twilio account SID; when absent the built-in Twilio simulator plays Twilio (demo, no account needed)' })),
  TWILIO_AUTH_TOKEN: Type.Optional(Type.String({ minLength: 16, description: 'Twilio auth token: signs webhooks and authenticates REST calls' })),
  TWILIO_API_BASE: Type.Optional(Type.String({ pattern: '^https?://', description: 'Send Twilio REST calls here instead of api.twilio.com (a Twilio-compatible simulator)' })),
  TWILIO_RETRY_SECONDS: Type.Integer({ minimum: 0, maximum: 60, default: 8, description: 'A Twilio REST request on a call\'s path (into the conference, ringing the agent, hold, end, a dial) that fails with a 5xx, 429, timeout or dropped connection is retried with backoff for up to this long; a create (a dial, a participant) only when Twilio surely did not act on it' }),
  TWILIO_TIMEOUT_MS: Type.Integer({ minimum: 1000, maximum: 60000, default: 10000, description: 'How long one Twilio REST request may take before it counts as failed (and is retried as above)' }),
  TWILIO_API_KEY_SID: Type.Optional(Type.String({ pattern: '^SK[0-9a-f]{32}$', description: 'Twilio API key: signs the access tokens that make agents\' browsers their phones (Voice SDK); without it agents answer on their phone numbers' })),
  TWILIO_API_KEY_SECRET: Type.Optional(Type.String({ minLength: 16, description: 'The API key\'s secret' })),
  HOTLINE_NUMBERS: Type.String({
    default: '+864008895555=hotline,+864008895556=lost-card',
    pattern: '^\\+[1-9][0-9]{6,14}=[a-z0-9-]+(,\\+[1-9][0-9]{6,14}=[a-z0-9-]+)*$',
    description: 'Hotline numbers (DNIS) and the IVR flow each one enters: +E164=flow,… ',
  }),
  HOLD_MUSIC_URL: Type.String({ pattern: '^https?://', default: 'http://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3', description: 'Audio played to callers waiting in a queue' }),
  ROUTING_TIER_HEADSTART: Type.String({
    default: 'PRIVATE=3600,DIAMOND=300,GOLD=120,STANDARD=0',
    pattern: '^[A-Z]+=[0-9]+(,[A-Z]+=[0-9]+)*$',
    description: 'Seconds of waiting each tier is credited on arrival (priority with aging: calls are served in order of arrival minus head start)',
  }),
  SERVICE_LEVELS: Type.String({
    default: DEFAULT_SERVICE_LEVELS,
    pattern: '^[A-Z]+=[0-9]{1,3}/[0-9]{1,4}(,[A-Z]+=[0-9]{1,3}/[0-9]{1,4})*$',
    description: 'Service-level target per tier: percent of calls answered within seconds (TIER=percent/seconds,…)',
  }),
  ROUTING_OFFER_SECONDS: Type.Integer({ minimum: 3, maximum: 120, default: 15, description: 'How long an agent has to accept an offered call before it goes to the next agent' }),
  ROUTING_CONNECT_SECONDS: Type.Integer({ minimum: 5, maximum: 300, default: 45, description: "After accepting, how long the agent's phone or browser has to join the call before the caller goes back to the queue (keeping their place)" }),
  ROUTING_CONNECT_FAILURES: Type.Integer({ minimum: 1, maximum: 20, default: 2, description: 'An agent whose accepted calls failed to connect this many times in a row (Twilio unreachable) goes away (reason: connect_failed) instead of taking, and failing, the next caller; each caller goes back in line in their place' }),
  CALL_SETTLE_SECONDS: Type.Integer({ minimum: 10, maximum: 86400, default: 600, description: "A call whose final status has not arrived this long after it started (and this long after its last check) is looked up in Twilio's call resource and settled from it" }),
  ROUTING_RM_WAIT_SECONDS: Type.Integer({ minimum: 0, maximum: 600, default: 20, description: "How long a caller waits for their own relationship manager when the RM is busy (never past half the tier's service-level target)" }),
  ROUTING_OVERFLOW_SECONDS: Type.Integer({ minimum: 5, maximum: 3600, default: 60, description: "After this wait (and each multiple of it) a call may also go to the next wider skill group; sooner where the tier's service-level target needs it" }),
  ROUTING_SWEEP_MS: Type.Integer({ minimum: 100, maximum: 60000, default: 1000, description: 'How often each node expires offers and leases and re-runs the matcher' }),
  AGENT_LEASE_SECONDS: Type.Integer({ minimum: 3, maximum: 300, default: 10, description: 'An agent whose console sends no heartbeat for this long goes offline' }),
  WALLBOARD_TICK_MS: Type.Integer({ minimum: 1000, maximum: 60000, default: 1000, description: 'How often each node rebuilds the wallboard, evaluates alerts and pushes changes to its supervisors (never more than once a second)' }),
  ALERT_PRIVATE_WAIT_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 10, description: 'Alert when a PRIVATE caller has waited longer than this' }),
  ALERT_ABANDON_PERCENT: Type.Number({ minimum: 0, maximum: 100, default: 10, description: "Alert when more than this share of a queue's callers in the interval hung up waiting" }),
  ALERT_AWAY_SECONDS: Type.Integer({ minimum: 10, maximum: 86400, default: 900, description: 'Alert when an agent has been away longer than this' }),
  ALERT_MIN_CALLS: Type.Integer({ minimum: 1, maximum: 1000, default: 10, description: 'Service-level and abandon alerts wait for this many calls in the interval' }),
  SERVICE_HOURS: Type.String({
    default: 'always',
    pattern: '^([a-z_*]+=)?[a-z0-9_-]+(,([a-z_*]+=)?[a-z0-9_-]+)*$',
    description: 'The hours agents take calls: a calendar of ivr/calendars.json for every queue (always, bank), or per skill with * for the rest (*=bank,cards=always,security=always). A queue outside its hours is not entered: the flow\'s fallback runs, and callbacks wait for the opening',
  }),
  CALLBACK_MODE: Type.Union([Type.Literal('agent_first'), Type.Literal('customer_first')], {
    default: 'agent_first',
    description: "agent_first: a callback's turn offers it to an agent, who accepts before the customer is dialled; customer_first: the customer is dialled when an agent is free, and put in line (keeping the place) once they answer",
  }),
  CALLBACK_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 10, default: 3, description: 'Dials of a callback before it closes as failed (busy, no answer, a machine)' }),
  CALLBACK_RETRY_SECONDS: Type.Integer({ minimum: 30, maximum: 86400, default: 300, description: 'How long after a failed dial a callback is tried again' }),
  CALLBACK_WINDOW: Type.String({ default: '08:00-21:00', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-4]):[0-5][0-9]$', description: "The hours, in the customer's own time zone, a callback may ring them" }),
  CALLBACK_RING_SECONDS: Type.Integer({ minimum: 15, maximum: 60, default: 25, description: 'How long a callback rings before it counts as not answered' }),
  IVR_SPEECH_MIN_CONFIDENCE: Type.Number({ default: 0.5, minimum: 0, maximum: 1, description: 'Spoken menu choices recognised with less confidence than this (0-1) are asked again, then keys only' }),
  IVR_FULL_NAME_TIERS: Type.String({ default: '', pattern: '^([A-Z]+(,[A-Z]+)*)?$', description: 'Tiers the IVR greets by full name before the caller is verified (comma list); everyone else hears title and surname until their PIN is checked' }),
  PIN_FOREIGN_MAX_FAILURES: Type.Integer({ minimum: 1, maximum: 100, default: 3, description: 'Wrong PINs one calling number may make in PIN_FOREIGN_WINDOW_MINUTES after identifying by an account number that is not theirs; then that number gets no more PIN tries (the caller goes to an agent). These never count towards the account owner\'s lock' }),
  PIN_FOREIGN_CUSTOMER_MAX: Type.Integer({ minimum: 1, maximum: 1000, default: 10, description: 'Wrong PINs against one customer from numbers not theirs in the window before no such number may try for them (their own phone still can)' }),
  PIN_FOREIGN_WINDOW_MINUTES: Type.Integer({ minimum: 1, maximum: 10080, default: 60, description: 'The window for the two limits above' }),
  PROFILE_VIEWS_PER_MINUTE: Type.Integer({ minimum: 1, maximum: 10000, default: 20, description: 'Customer profiles one user may read in a minute (API reads and caller-ID pops); past it reads are refused (429) and supervisors alerted' }),
  PROFILE_VIEWS_PER_HOUR: Type.Integer({ minimum: 1, maximum: 100000, default: 300, description: 'The same, per hour' }),
  PROFILE_PURPOSE_MINUTES: Type.Integer({ minimum: 1, maximum: 1440, default: 30, description: 'How long after a call ended, a search ran or an interaction was reviewed it still backs a profile view' }),
  ALERT_PROFILE_REFUSALS: Type.Integer({ minimum: 1, maximum: 1000, default: 5, description: 'Alert supervisors when one user has this many profile views refused for a purpose nothing backs within 15 minutes' }),
  CASE_SLA: Type.String({
    default: '*=4/40,fees=2/24,card=2/16,card_loss=1/8,wealth_missale=2/16,suggestion=8/80,service_request=4/24',
    pattern: '^([a-z_]+|[*])=[0-9]{1,4}(\\.[0-9]{1,2})?/[0-9]{1,4}(\\.[0-9]{1,2})?(,([a-z_]+|[*])=[0-9]{1,4}(\\.[0-9]{1,2})?/[0-9]{1,4}(\\.[0-9]{1,2})?)*$',
    description: "Case SLA targets in working hours of CASE_SLA_CALENDAR: acknowledge/resolve per category (fees, card, …) or kind (suggestion, service_request), with * for the rest (required: no case is without a target; acknowledge within resolve)",
  }),
  CASE_SLA_CALENDAR: Type.String({ default: 'bank', pattern: '^[a-z0-9_-]+$', description: 'The calendar of ivr/calendars.json whose hours case SLAs and task due times count' }),
  CASE_AT_RISK_PERCENT: Type.Integer({ minimum: 1, maximum: 100, default: 80, description: 'A case is at risk once this share of its resolve target (working time) has passed, or when still unacknowledged past its acknowledge target: supervisors are alerted and it is escalated once to a supervisor' }),
  CASE_TASK_HOURS: Type.Number({ minimum: 0.25, maximum: 400, default: 12, description: 'Working hours (CASE_SLA_CALENDAR) a follow-up task from a wrap-up, or the feedback contact after a resolution, is due within' }),
  CASE_CALLER_ROUTING: Type.Union([Type.Literal('off'), Type.Literal('owner'), Type.Literal('skill')], {
    default: 'owner',
    description: "A caller with an active case: owner offers them first to the case's owner (when the owner takes calls; after the offer time unanswered, the queue they chose), skill sends them to CASE_SKILL's queue, off routes them like anyone",
  }),
  CASE_SKILL: Type.String({ default: 'complaints', pattern: '^[a-z][a-z0-9_]{0,31}$', description: 'The complaints skill: the queue of callers with an open case (CASE_CALLER_ROUTING=skill) and of feedback calls whose agent is not free' }),
  RM_SKILL: Type.String({ default: 'private_banking', pattern: '^[a-z][a-z0-9_]{0,31}$', description: "The queue an RM's callback call (a task done by calling the client) goes to when the RM is not free" }),
  RM_CALLBACK_MINUTES: Type.Integer({ minimum: 5, maximum: 240, default: 15, description: "Minutes of an RM's time a callback task holds from its due time (the conflict check against the RM's other tasks)" }),
  RM_VISIT_MINUTES: Type.Integer({ minimum: 15, maximum: 480, default: 60, description: 'The same for a visit task' }),
  RM_REMIND_MINUTES: Type.Integer({ minimum: 1, maximum: 1440, default: 30, description: 'An RM is reminded of a callback or visit task this many minutes before it is due (on their console)' }),
  CASE_SWEEP_MS: Type.Integer({ minimum: 100, maximum: 600000, default: 30000, description: 'How often each node looks for cases at risk (escalating each once)' }),
  RECORDING_ENABLED: Type.Boolean({ default: true, description: 'Record every call an agent takes (dual channel, from the moment the agent joins); the IVR flows say so first (their recording_notice node)' }),
  RECORDING_PLAYBACK_ROLES: Type.String({ default: 'supervisor,admin', pattern: '^(agent|supervisor|rm|admin)(,(agent|supervisor|rm|admin))*$', description: 'Roles that may list recordings and listen to them through the server (each playback audited)' }),
  RECORDING_DOWNLOAD_ROLES: Type.String({ default: 'admin', pattern: '^((agent|supervisor|rm|admin)(,(agent|supervisor|rm|admin))*)?$', description: 'Roles that may also download a recording as a file (empty: nobody); each must be a playback role too' }),
  RECORDING_RETENTION_DAYS: Type.String({
    default: '*=365', pattern: '^([a-z_]+|[*])=[1-9][0-9]{0,4}(,([a-z_]+|[*])=[1-9][0-9]{0,4})*$',
    description: "Days a recording is kept, by the interaction's category (its queue: wealth, cards, …) with * for the rest (required); then the retention job deletes it at Twilio and here, unless the interaction is under legal hold",
  }),
  RECORDING_RETENTION_SWEEP_MS: Type.Integer({ minimum: 100, maximum: 86_400_000, default: 3_600_000, description: 'How often each node runs the retention job (deleting recordings past their days)' }),
  TALK_ANALYTICS: Type.Boolean({ default: false, description: "Stream the audio of every call an agent takes (Twilio Media Streams, both tracks, from the agent's join) to this server's /twilio/media WebSocket: talk, silence and over-talk per call, dead air nudged and alerted" }),
  TALK_TRANSCRIPTS: Type.Boolean({ default: false, description: "Transcribe every call an agent takes as it goes (Twilio real-time transcription, both sides, from the agent's join): the words, card and ID numbers cut out, on the agent's console and the timeline, with the prompts they raise (retention, risk disclosure, card loss, complaint)" }),
  TALK_TRANSCRIPT_SOURCE: Type.Union([Type.Literal('twilio'), Type.Literal('stream')], { default: 'twilio', description: "Where the live transcript's words come from: Twilio's real-time transcription, or the bank's own recogniser fed the call's media stream (the speech-recognition port; the stream is then metered as with TALK_ANALYTICS)" }),
  TALK_DEAD_AIR_SECONDS: Type.Integer({ minimum: 3, maximum: 600, default: 10, description: 'Silence of both sides of an agent call this long is dead air: the agent is nudged, supervisors alerted' }),
  MEDIA_STREAM_IDLE_SECONDS: Type.Integer({ minimum: 2, maximum: 600, default: 15, description: 'A media stream that sends nothing this long is closed and its figures recorded (Twilio\'s stop may never come)' }),
  DATA_OUT_SWEEP_MS: Type.Integer({ minimum: 100, maximum: 60000, default: 250, description: 'How often each node queues new call events for webhook subscriptions and sends the deliveries due (how soon a CRM hears of a call)' }),
  DATA_OUT_EXPORT_DIR: Type.Optional(Type.String({ minLength: 1, description: "Directory for the daily export files (interaction-events-<date>.jsonl, case-events-<date>.jsonl), written a quarter of an hour into each bank day; set on one node only. Unset: no daily export" })),
  WEBHOOK_ALLOWED_HOSTS: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9.:\\[\\]-]+(,[A-Za-z0-9.:\\[\\]-]+)*$', description: 'The only hosts webhook subscriptions may point at (comma-separated, e.g. crm.bank.internal), checked on subscribing and on every send; unset: any HTTPS host (and HTTP to localhost)' })),
  WEBHOOK_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 50, default: 8, description: 'Attempts at a webhook delivery before it is dead-lettered (an admin can send it again)' }),
  WEBHOOK_RETRY_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 10, description: 'The wait before the second attempt at a webhook delivery; each later attempt waits twice as long, at most an hour' }),
  WEBHOOK_TIMEOUT_MS: Type.Integer({ minimum: 500, maximum: 60000, default: 5000, description: 'How long a webhook receiver has to answer before the attempt counts as failed' }),
  FEED_SCHEDULE: Type.Optional(Type.String({
    pattern: '^[a-z_]+=[^,@]+@([01]\\d|2[0-3]):[0-5]\\d(,[a-z_]+=[^,@]+@([01]\\d|2[0-3]):[0-5]\\d)*$',
    description: 'Feeds run every day from the inbox: kind=file@HH:MM (bank time), comma-separated, e.g. relationship_managers=rms.csv@01:30,customers=customers.csv@02:00; needs FEED_INBOX_DIR. A day missed (the servers were down) runs when they are back',
  })),
  FEED_SCHEDULE_SWEEP_MS: Type.Integer({ minimum: 100, maximum: 600000, default: 60000, description: 'How often each node looks whether a scheduled feed is due' }),
  FEED_INBOX_DIR: Type.Optional(Type.String({ minLength: 1, description: 'Directory whose files an admin may run as feeds by name (POST /api/feeds/:kind/runs?path=); unset, feeds come only as a request body or by CLI' })),
  RUN_WORKERS: Type.Boolean({ default: true, description: 'This process also runs the job workers (the campaign dialer). Set false on web-only nodes when `npm run worker` processes run beside them' }),
  DIALER_TICK_MS: Type.Integer({ minimum: 100, maximum: 5000, default: 250, description: 'How often each node paces the running campaigns (pause and cancel take effect within this, and within a second at most)' }),
  DIALER_LOST_SECONDS: Type.Integer({ minimum: 5, maximum: 3600, default: 120, description: 'A dial Twilio never reported back on (or whose worker died sending it) is given up as lost this long after its ring time, and retried by the campaign\'s policy' }),
  CAMPAIGN_MAX_DIALS_PER_DAY: Type.Integer({ minimum: 1, maximum: 20, default: 3, description: 'Frequency cap: dial attempts to one customer per day (their local day) across all campaigns; a second campaign never calls the same customer on the same day' }),
  CAMPAIGN_RECENT_CONTACT_DAYS: Type.Integer({ minimum: 0, maximum: 365, default: 1, description: 'A call list leaves out customers another campaign dialled within this many days' }),
  BANK_NAME_ZH: Type.String({ minLength: 1, maxLength: 40, default: '示范银行', description: 'The bank\'s name in the identification message and voicemail of campaign calls (Mandarin)' }),
  BANK_NAME_EN: Type.String({ minLength: 1, maxLength: 60, default: 'Demo Bank', description: 'The same, in English' }),
  JOBS_STALLED_MS: Type.Integer({ minimum: 1000, maximum: 600000, default: 30000, description: 'With BullMQ: a job whose worker stopped renewing its lock for this long (the process died) is run again' }),
  TRUST_PROXY: Type.Optional(Type.String({
    pattern: '^([0-9]{1,2}|(loopback|linklocal|uniquelocal|[0-9a-fA-F:.]+(/[0-9]{1,3})?)(,(loopback|linklocal|uniquelocal|[0-9a-fA-F:.]+(/[0-9]{1,3})?))*)$',
    description: 'Behind a reverse proxy or load balancer: how many proxy hops to trust (1), or the proxies\' addresses/CIDRs (10.0.0.0/8,loopback). The client\'s address is then read from X-Forwarded-For for audit rows, login throttling, rate limits and the demo phone\'s loopback check',
  })),
  SHUTDOWN_GRACE_MS: Type.Integer({ minimum: 100, maximum: 120000, default: 10000, description: 'On SIGTERM/SIGINT: how long open requests, sockets and jobs get to finish before the process exits anyway' }),
  RATE_LIMIT_MAX: Type.Integer({ minimum: 1, maximum: 1000000, default: 1200, description: 'API requests (/api/...) one signed-in user, or one client address before sign-in, may make per RATE_LIMIT_WINDOW_SECONDS; past it 429 (SB_ERR_RATE_LIMITED). Counted in Redis when REDIS_URL is set' }),
  RATE_LIMIT_WINDOW_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 60, description: 'The window of RATE_LIMIT_MAX' }),
  METRICS_TOKEN: Type.Optional(Type.String({ minLength: 16, description: 'Turns on GET /metrics (Prometheus) for scrapers sending Authorization: Bearer <METRICS_TOKEN>; without it /metrics answers 404' })),
  OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://', description: 'OpenTelemetry collector (OTLP over HTTP, e.g. http://otel-collector:4318): when set, traces of webhooks, the IVR, queueing and offers are sent to <endpoint>/v1/traces' })),
  OTEL_SERVICE_NAME: Type.String({ default: 'switchboard', minLength: 1, maxLength: 64, description: 'The service name on those traces' }),
  LOG_FORMAT: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('pretty')], { description: 'json: one JSON object a line (for log collectors; the default with DATABASE_URL); pretty: short human lines, requests only at debug (the default of the embedded demo)' })),
  LOG_LEVEL: Type.Union([Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')], { default: 'info' }),
});

export type Config = Static<typeof ConfigSchema>;

// Never echo these back: they hold credentials.
const SECRET_KEYS = new Set(['JWT_SECRET', 'OIDC_CLIENT_SECRET', 'DATABASE_URL', 'REDIS_URL', 'TWILIO_AUTH_TOKEN', 'TWILIO_API_KEY_SECRET', 'METRICS_TOKEN']);

export class ConfigError extends Error {}
/** The process may not start as configured because of another one (a second built-in simulator on one database): the message says why and what to do. */
export class StartRefused extends Error {}

/**
 * Reads and validates the environment; throws a ConfigError naming every bad variable.
 * `telephony: false` for commands that place no calls (CLIs, the worker checks its own): they need no TELEPHONY.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<Config> = {}, opts: { telephony?: boolean } = {}): Config {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  // Env values are strings: convert "3000" -> 3000 where the schema wants a number, then fill defaults.
  const converted = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, raw));
  const candidate = { ...(converted as object), ...overrides };
  const errors = [...Value.Errors(ConfigSchema, candidate)];
  if (errors.length > 0) {
    const lines = errors.map((e) => {
      const name = e.instancePath.replace(/^\//, '') || String((e.params as { requiredProperties?: string[] }).requiredProperties ?? '');
      const shown = SECRET_KEYS.has(name) ? '' : ` (got ${JSON.stringify(raw[name] ?? null)})`;
      return `  ${name}: ${e.message}${shown}`;
    });
    throw new ConfigError(`Invalid configuration:\n${[...new Set(lines)].join('\n')}`);
  }
  const config = candidate as Config;
  if (Boolean(config.TWILIO_ACCOUNT_SID) !== Boolean(config.TWILIO_AUTH_TOKEN)) {
    throw new ConfigError('Invalid configuration:\n  TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN go together: set both (Twilio) or neither (built-in simulator)');
  }
  if (Boolean(config.TWILIO_API_KEY_SID) !== Boolean(config.TWILIO_API_KEY_SECRET)) {
    throw new ConfigError('Invalid configuration:\n  TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET go together');
  }
  // Real Twilio signs the URL it calls: without the public URL every webhook would fail its check.
  if (config.TWILIO_ACCOUNT_SID && !config.TWILIO_API_BASE && !config.PUBLIC_URL) {
    throw new ConfigError('Invalid configuration:\n  PUBLIC_URL: required with TWILIO_ACCOUNT_SID: the https URL Twilio reaches this server at (webhook signatures are checked against it)');
  }
  if (config.TRUST_PROXY) trustProxy(config.TRUST_PROXY);
  if (!config.RECORDING_RETENTION_DAYS.split(',').some((p) => p.startsWith('*='))) {
    throw new ConfigError('Invalid configuration:\n  RECORDING_RETENTION_DAYS needs a * entry: the days of every category not named (e.g. *=365,wealth=1825)');
  }
  const playback = new Set(config.RECORDING_PLAYBACK_ROLES.split(','));
  const notPlayback = config.RECORDING_DOWNLOAD_ROLES.split(',').filter((r) => r && !playback.has(r));
  if (notPlayback.length) throw new ConfigError(`Invalid configuration:\n  RECORDING_DOWNLOAD_ROLES: ${notPlayback.join(', ')} may not listen (RECORDING_PLAYBACK_ROLES), so may not download either`);
  if (config.FEED_SCHEDULE && !config.FEED_INBOX_DIR) throw new ConfigError('Invalid configuration:\n  FEED_SCHEDULE needs FEED_INBOX_DIR: the scheduled files are read from the inbox');
  if (config.OIDC_ISSUER && !config.OIDC_CLIENT_ID) throw new ConfigError('Invalid configuration:\n  OIDC_ISSUER needs OIDC_CLIENT_ID (our client id at the provider)');
  if (config.OIDC_ISSUER && !config.OIDC_REDIRECT_URI && !config.PUBLIC_URL) {
    throw new ConfigError('Invalid configuration:\n  OIDC_ISSUER needs PUBLIC_URL or OIDC_REDIRECT_URI: the URL the provider sends staff back to');
  }
  if (opts.telephony !== false || config.TELEPHONY) config.TELEPHONY = telephonyMode(config);
  config.LOG_FORMAT ??= config.DATABASE_URL ? 'json' : 'pretty';
  return config;
}

/** TRUST_PROXY as fastify's `trustProxy`: a hop count, or the proxies' addresses and CIDRs. */
export function trustProxy(spec: string | undefined): number | string | false {
  if (!spec) return false;
  if (/^[0-9]+$/.test(spec)) return Number(spec);
  for (const part of spec.split(',')) {
    if (['loopback', 'linklocal', 'uniquelocal'].includes(part)) continue;
    const [ip, bits] = part.split('/');
    const family = isIP(ip ?? '');
    if (!family || (bits !== undefined && !(Number(bits) >= 0 && Number(bits) <= (family === 4 ? 32 : 128)))) {
      throw new ConfigError(`Invalid configuration:\n  TRUST_PROXY: "${part}" is not an address or CIDR (use a hop count such as 1, or addresses/CIDRs such as 10.0.0.0/8,loopback)`);
    }
  }
  return spec;
}

/** Which Twilio this configuration talks to; throws a ConfigError for a missing or contradictory mode. */
function telephonyMode(config: Config): 'twilio' | 'simulator' {
  const fail = (line: string): never => { throw new ConfigError(`Invalid configuration:\n  ${line}`); };
  const mode = config.TELEPHONY ?? (config.DATABASE_URL
    ? fail('TELEPHONY: required with DATABASE_URL: twilio (calls through your Twilio account) or simulator (the built-in make-believe Twilio of the demo)')
    : config.TWILIO_ACCOUNT_SID ? 'twilio' : 'simulator');
  if (mode === 'twilio' && !config.TWILIO_ACCOUNT_SID) fail('TELEPHONY=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN');
  if (mode === 'simulator' && config.TWILIO_ACCOUNT_SID) fail('TELEPHONY=simulator contradicts TWILIO_ACCOUNT_SID: the simulator plays Twilio itself (set TELEPHONY=twilio to use the account)');
  if (mode === 'simulator' && config.DATABASE_URL) {
    const database = decodeURIComponent(new URL(config.DATABASE_URL).pathname.slice(1));
    if (config.SIMULATOR_DATABASE !== database) {
      fail(`TELEPHONY=simulator on PostgreSQL database "${database}": the simulator makes up calls, so it runs on a real database only when asked for by name (SIMULATOR_DATABASE=${database})`);
    }
  }
  return mode;
}
