import { bankTime } from './bank-time.js';
import type { AlertKind, Channel, CardKind, ContactWay, Direction, HoldingStatus, LoanKind, Outcome, PhoneKind, SelfService, SystemReason, AwayReason, CallbackOutcome, CallbackSource, CallbackState, CampaignPurpose, CaseCategory, CaseKind, CaseStatus, Severity, TaskKind, CampaignState, DialingMode, Disposition, ErrorCode, ProductLine, Skill } from './types.js';



// Typed as Records over the server's enums: a skill, disposition or reason added on the server
// fails the UI's typecheck until it has a label in both languages.
interface Labels {
  skills: Record<Skill, string>;
  dispositions: Record<Disposition, string>;
  away: Record<AwayReason | SystemReason, string>;
  channels: Record<Channel, string>;
  directions: Record<Direction, string>;
  outcomes: Record<Outcome, string>;
  holdingStatuses: Record<HoldingStatus, string>;
  cardKinds: Record<CardKind, string>;
  loanKinds: Record<LoanKind, string>;
  phoneKinds: Record<PhoneKind, string>;
  contactWays: Record<ContactWay, string>;
  genders: Record<'F' | 'M', string>;
  trends: Record<'up' | 'down' | 'steady' | 'new', string>;
  selfServices: Record<SelfService, string>;
  states: Record<'offline' | 'available' | 'reserved' | 'on_call' | 'wrap_up' | 'away', string>;
  tiers: Record<'PRIVATE' | 'DIAMOND' | 'GOLD' | 'STANDARD', string>;
  purposes: Record<CampaignPurpose, string>;
  campaignStates: Record<CampaignState, string>;
  dialingModes: Record<DialingMode, string>;
  productLines: Record<ProductLine, string>;
  callbackStates: Record<CallbackState, string>;
  callbackSources: Record<CallbackSource, string>;
  callbackOutcomes: Record<CallbackOutcome, string>;
  caseKinds: Record<CaseKind, string>;
  caseCategories: Record<CaseCategory, string>;
  severities: Record<Severity, string>;
  caseStatuses: Record<CaseStatus, string>;
}

/** An alert's values, as the server sends them in `data` (see server/modules/supervision/alerts.ts). */
type AlertData = Record<string, unknown>;
/** The words of an alert: its kind's sentence from its values; names of skills and reasons worded by the caller. */
type AlertWords = Record<AlertKind, (d: AlertData, name: (kind: 'skill' | 'tier' | 'reason' | 'category', code: unknown) => string) => string>;

/** Console and wallboard refusals in words; a code without a line here shows the server's message. */
type ErrorWords = Partial<Record<ErrorCode | 'SB_ERR_OFFLINE', string>>;

/** A code in words: its label, or (a value the screens do not know yet) the code written out, never shown raw. */
export const word = (labels: Readonly<Record<string, string>>, code: string | null | undefined): string =>
  code === null || code === undefined || code === '' ? '–' : labels[code] ?? code.replace(/_+/g, ' ');

export const percent = (share: number | null) => (share === null ? '–' : `${Math.round(share * 1000) / 10}%`);

export const en = {
  app: 'Switchboard',
  language: '中文',
  languageLabel: 'Switch language to Chinese',
  login: 'Sign in', username: 'Username', password: 'Password', logout: 'Sign out', loginFailed: 'Wrong username or password',
  loginSso: 'Sign in with single sign-on', ssoFailed: 'Single sign-on did not complete: try again', ssoNoUser: 'Your single sign-on account is not a Switchboard user (or is disabled)',
  loginSlowDown: 'Too many failed sign-ins: wait a moment before trying again', loginLocked: 'Too many failed sign-ins from here: try again later',
  sessionEnded: 'You were signed out (elsewhere, or your account changed): sign in again', resuming: 'Signing in…',
  offline: 'Offline: reconnecting…', online: 'Connected',
  state: 'Status', timeInState: 'time in state', goAvailable: 'Available', goAway: 'Away', reason: 'Reason', goOffline: 'Sign off phones',
  incoming: 'Incoming call', accept: 'Accept', reject: 'Decline', secondsLeft: 's left', waited: 'waited',
  why: 'Why you', skill: 'Skill', lang: 'Language',
  connecting: 'Connecting…', connected: 'On call', held: 'On hold', hold: 'Hold', resume: 'Resume', end: 'End call',
  transfer: 'Transfer', transferTo: 'Transfer to', toSkill: 'a skill group', toAgent: 'an agent', toRm: 'the relationship manager', doTransfer: 'Transfer', completeConsult: 'Hand over',
  consult: 'Consult', consultJoined: 'Colleague joined',
  transferHow: 'How', blind: 'Blind: the caller goes to them now', warm: 'Consult first (warm): the caller holds while they are rung in',
  findAgent: 'Find an agent', findAgentHint: 'Type part of a name', noAgentsFound: 'No agent found', chooseAgent: 'Choose an agent from the list',
  directory: 'Agents found', canTake: 'can take a call', cannotTake: 'cannot take a call now',
  softphone: 'Audio', audioSim: 'Simulated line', audioBrowser: 'Browser phone', audioPhone: 'Desk phone',
  legIdle: 'idle', legRinging: 'ringing', legConnected: 'connected', legHeld: 'held', legEnded: 'ended',
  wrapup: 'Wrap-up', wrapupHint: 'Finish the wrap-up to take the next call.', disposition: 'Disposition', reasonCodes: 'Reason codes (comma separated)',
  productsDiscussed: 'Products discussed (comma separated)', notes: 'Notes', submitWrapup: 'Complete wrap-up', choose: 'Choose…',
  callEnded: 'Call ended',
  noCall: 'Waiting for calls. The customer pops up here when a call is offered.',
  search: 'Customer search', searchPhone: 'Phone', searchName: 'Name', searchCard: 'Card last 4', doSearch: 'Search', noResults: 'No customers found',
  open: 'Open', close: 'Close', viewing: 'Viewing (audited)',
  myCalls: 'My recent calls', none: 'None',
  identity: 'Customer', verified: 'Verified by PIN', notVerified: 'Not verified', unknownCaller: 'Unknown caller: not identified by the IVR',
  tier: 'Tier', score: 'Contribution score', breakdown: 'Score breakdown', deposits: 'Deposits', loans: 'Loans', fees: 'Fees', ebanking: 'E-banking', international: 'International', loyalty: 'Loyalty ×',
  rm: 'Relationship manager', noRm: 'No relationship manager',
  holdings: 'Holdings', timeDeposits: 'Time deposits', cards: 'Cards', investments: 'Investments', totals: 'Totals',
  transactions: 'Recent transactions', timeline: 'Interactions (all channels)', complaints: 'Open cases', overdue: 'overdue',
  flags: 'Risk and churn', churnRisk: 'Churn risk', loanOverdue: 'Loan overdue', cardBlocked: 'Card blocked', complaintOverdue: 'Complaint overdue', riskTolerance: 'Risk tolerance', creditRating: 'Credit rating',
  consent: 'Consent', marketingConsent: 'Marketing consent', dnc: 'Do not call', yes: 'yes', no: 'no',
  ivr: 'What the IVR learned', ivrReason: 'Asked for', ivrReasons: { campaign: 'Campaign call', preview: 'Preview call', agent_booked: 'Booked by an agent' } as Record<string, string>, selfService: 'Self-service done', path: 'Path',
  offers: 'Suggested offers',
  age: (years: number | null) => (years === null ? '' : `age ${years}`), since: 'customer since', phones: 'Phones', region: 'Region', preferred: 'Prefers',
  error: 'Error',
  simTitle: 'Phone simulator', simIntro: 'Call the hotline as a demo customer or any number; watch the call pop on an agent console in another tab.',
  caller: 'Caller', callerNumber: 'Calling from', hotline: 'Hotline', dial: 'Call', hangup: 'Hang up', keypad: 'Keypad', transcript: 'What the caller hears',
  callState: 'Call', simOnly: 'The phone simulator exists only in demo mode (no Twilio account) and on this machine.',
  supTitle: 'Supervisor', wallboard: 'Wallboard', cases: 'Cases', recordings: 'Recordings', reports: 'Reports', campaigns: 'Campaigns', supervisorOnly: 'The wallboard is for supervisors and administrators.',
  phonePin: 'Phone PIN', pinNone: 'Not enrolled', pinActive: 'Active', pinLocked: 'Locked', pinLockedAt: 'Locked at', pinFailures: 'Wrong PINs in a row',
  pinCauses: { failures: 'Three wrong PINs in a row', admin: 'Locked by staff' } as Record<'failures' | 'admin', string>,
  agents: 'Agents', agentSettings: 'Skills and languages', agentSettingsIntro: 'Routing uses a change from its next pass: no restart. Level 5 is offered a call first.',
  skillLevel: 'Level', skillsCol: 'Skills (level)', notThisSkill: '–', langs: 'Languages', langNames: { zh: 'Mandarin', en: 'English' } as Record<'zh' | 'en', string>, team: 'Team',
  edit: 'Edit', save: 'Save', saved: 'Saved', cancel: 'Cancel', atLeastOne: 'Choose at least one skill and one language',
  interval: 'Interval', queues: 'Queues', queue: 'Queue', waitingNow: 'Waiting', longest: 'Longest wait', estWait: 'Est. wait',
  serviceLevel: 'Service level', target: 'Target', answered: 'Answered', abandoned: 'Abandoned', asa: 'ASA',
  staffing: 'Staffing', staffed: 'Staffed', availableNow: 'Available', neededC: 'Needed (Erlang C)', neededA: 'Needed (Erlang A)', gap: 'Gap', predicted: 'Predicted SL',
  agentsTitle: 'Agents', agent: 'Agent', inState: 'In state', currentCall: 'Current call', handledToday: 'Handled today', setState: 'Set state',
  waitingCalls: 'Calls waiting', position: '#', customer: 'Customer', waitedFor: 'Waited', vip: 'VIP', boost: '+60 s', boostLabel: 'Raise priority by 60 seconds',
  moveTo: 'Move to skill', move: 'Move', alertsTitle: 'Alerts', noAlerts: 'No alerts', broadcast: 'Message to agents', message: 'Message', allAgents: 'All agents', send: 'Send', sent: 'Sent',
  monitor: 'Monitor', listen: 'Listen', whisper: 'Whisper', barge: 'Barge', leave: 'Leave', monitoring: 'Monitoring',
  alertKinds: { private_wait: 'PRIVATE caller waiting', service_level: 'Service level below target', abandon_rate: 'Abandon rate high', agent_away: 'Agent away too long', staffing_gap: 'Staffing short', profile_harvest: 'Customer profiles read in bulk', login_burst: 'Burst of failed sign-ins', case_at_risk: 'Case at risk of its SLA (escalated)', dead_air: 'Dead air on a call' },
  broadcastFrom: 'Message from',
  deadAirNudge: (seconds: number) => `The line has been silent for ${seconds} s: check the customer is still with you`,
  draftHint: 'Drafted from the live transcript: check it before you save.', draftCustomer: 'Customer', draftPromised: 'Promised',
  alertWords: {
    private_wait: (d, name) => `A Private banking caller has waited over ${Number(d.threshold_s)} s (${name('skill', d.skill)})`,
    service_level: (d, name) => `${name('skill', d.skill)}${d.tier ? ` ${name('tier', d.tier)}` : ''}: service level ${percent(Number(d.service_level))}, below the target of ${percent(Number((d.target as { share?: number })?.share))} in ${Number((d.target as { seconds?: number })?.seconds)} s`,
    abandon_rate: (d, name) => `${name('skill', d.skill)}${d.tier ? ` ${name('tier', d.tier)}` : ''}: ${percent(Number(d.share))} of callers hung up (limit ${percent(Number(d.threshold))})`,
    staffing_gap: (d, name) => `${name('skill', d.skill)}: ${Number(d.short)} more agent(s) needed to meet the target (${Number(d.staffed)} staffed, ${Number(d.needed_erlang_a)} needed)`,
    agent_away: (d, name) => `${String(d.name ?? '')} away (${d.reason ? name('reason', d.reason) : 'no reason'}) over ${Math.round(Number(d.threshold_s) / 60)} min`,
    profile_harvest: (d) => (Number(d.over_limit) > 0
      ? `${String(d.username)}: customer profiles read past the limit (${Number(d.over_limit)} in one window); further reads refused`
      : `${String(d.username)}: ${Number(d.refused)} customer profiles asked for with a purpose nothing backs`),
    login_burst: (d) => (d.by === 'user'
      ? `${Number(d.tries)} failed or refused sign-ins as ${String(d.username)} from ${Number(d.addresses)} address(es) in ${Number(d.minutes ?? 15)} min`
      : `${Number(d.tries)} failed or refused sign-ins from ${String(d.address)} for ${Number(d.usernames)} username(s) in ${Number(d.minutes ?? 15)} min`),
    case_at_risk: (d, name) => `${String(d.case_no)} (${name('category', d.category)}) ${d.late ? 'is past' : 'is at risk of'} its SLA (${bankTime(String(d.sla_due_at))}); escalated to ${String(d.owner ?? 'nobody')}`,
    dead_air: (d) => `${String(d.name ?? 'An agent')}'s call has been silent for over ${Number(d.threshold_s)} s`,
  } satisfies AlertWords as AlertWords,
  campaign: 'Campaign', outbound: 'Outbound', script: 'Script', campaignOffer: 'Offer', offerCode: 'Code', terms: 'Terms', noOffer: 'No offer (a service call)',
  previewTitle: 'Preview calls', previewNext: 'Next preview customer', previewNone: 'No customer is due in a preview campaign of your skills.',
  previewHint: 'Read the customer and the script, then dial or skip.', dialCustomer: 'Dial', skip: 'Skip', previewReason: 'preview',
  dialing: 'Dialling… the call comes to you when the customer answers.', previewEnded: 'The preview call ended without reaching the customer.',
  callbackAt: 'Call back at (bank time, Beijing)', callbackFuture: 'Choose a time in the future.', dncHint: 'The number goes on the do-not-call register at once.',
  callbackToMe: 'I will call back myself (offered to me first, then to the skill)', callbackHint: 'The customer is called at that time, within the queue\'s hours and their calling window.',
  callbackOffer: 'Callback', callbackRequested: 'Asked for', callbackNumber: 'Number', callbackReason: 'Reason', callbackBookedBy: 'Booked by',
  callbackAttempt: (n: number) => `attempt ${n}`, callbackDialHint: 'Accepting dials the customer: you are connected when they answer.',
  callbackReasons: { agent_booked: 'Booked by an agent' } as Record<string, string>,
  callbacksTitle: 'Callback backlog', noCallbacks: 'No callbacks owed', callbacksOpen: 'Owed', callbacksDueNow: 'Due now', oldestPlace: 'Oldest place', oldestPlaceHint: 'How long the oldest has held its place; a booking for later shows its time',
  callbackList: 'Callbacks owed', callbackDue: 'Due (bank time)', callbackAttempts: 'Tries', callbackLast: 'Last try', callbackSource: 'Booked via',
  cancelCallback: 'Cancel', moveCallback: 'Move', newTime: 'New time (bank time)', callbackOf: (id: string) => `callback ${id}`,
  endReasons: {
    caller_left: 'The caller hung up.', transferred: 'Transferred.', agent_leg_failed: 'Your phone did not answer: the caller is back in line.',
    callback_not_reached: 'The customer did not answer the callback: it will be tried again by the callback policy.',
    callback_cancelled: 'A supervisor cancelled this callback.', consult_unreachable: 'The colleague did not answer: the caller is back with you.',
    expired: 'The offer timed out.', agent_offline: 'You went offline.',
    connect_failed: 'The call could not be connected (telephone line fault): the caller keeps their place in line.',
    caller_gone: 'The caller hung up before the call was connected.', caller_hung_up: 'The caller hung up.', conference_ended: 'The call ended.',
  } as Record<string, string>,
  caseTitle: 'Open a case', caseKind: 'Type', caseCategory: 'Category', caseSeverity: 'Severity', caseSummary: 'Summary (one line)', caseDescription: 'Details',
  caseProducts: 'Products concerned (comma separated)', caseSubmit: 'Open case', caseOpened: (no: string) => `Case ${no} opened: give the customer the case number.`,
  slaDue: 'due', escalatedFlag: 'escalated', caseOwner: 'owner',
  tasksTitle: 'My tasks', taskKinds: { follow_up: 'Follow-up', feedback: 'Tell the customer the result', callback: 'Call back', visit: 'Visit', retention: 'Retention' } as Record<TaskKind, string>,
  taskReasons: { case_feedback: 'case resolved: call the customer', low_satisfaction: 'customer dissatisfied with the result', call_follow_up: 'from a call' } as Record<string, string>,
  satisfaction: 'Customer satisfaction', scores: ['1 Very dissatisfied', '2 Dissatisfied', '3 Neutral', '4 Satisfied', '5 Very satisfied'], recordFeedback: 'Record feedback', taskDone: 'Done',
  events: {
    started: 'Call started', ivr_step: 'IVR step', speech_recognised: 'Caller spoke', language_selected: 'Language chosen', identified: 'Caller identified', identify_unknown: 'Caller not identified',
    identify_ambiguous: 'Several customers on this number', verified: 'Verified by PIN', verify_failed: 'Wrong PIN', verify_no_pin: 'No phone PIN set up',
    pin_locked: 'PIN locked', pin_throttled: 'PIN tries paused', input_failed: 'No valid key pressed', ivr_error: 'IVR fault', self_service: 'Self-service used',
    queue_unavailable: 'Queue closed or unstaffed', queued: 'Put in the queue', entered_queue: 'Entered the queue', routing_decision: 'Agent chosen',
    offered: 'Offered to an agent', offer_expired: 'Offer timed out', offer_rejected: 'Offer declined', offer_revoked: 'Offer withdrawn', accepted: 'Agent accepted',
    answered: 'Answered', connected: 'Connected to the agent', held: 'Put on hold', unheld: 'Taken off hold', priority_raised: 'Priority raised by a supervisor',
    skill_changed: 'Moved to another skill', consult_started: 'Consult started', consult_joined: 'Colleague joined', consult_ended: 'Consult ended',
    transferred: 'Transferred', target_released: 'Transfer target released', queue_rejoined: 'Back in the queue', left_queue: 'Left the queue',
    left_queue_entry: 'Left the queue (callback or fault)', abandoned: 'Caller hung up while waiting', agent_call_ended: 'Agent\'s part ended',
    wrapup: 'Wrap-up done', wrapup_missing: 'Wrap-up missing', recording: 'Recording', voicemail_left: 'Voicemail left', status: 'Line status', ended: 'Call ended',
    survey_score: 'Survey answered', hangup: 'IVR hung up', callback_requested: 'Callback requested', campaign_dial: 'Campaign call dialled',
    campaign_agent_assigned: 'Campaign call given to an agent', campaign_abandoned: 'Campaign call abandoned (no agent free)',
    case_opened: 'Case opened', follow_up_task: 'Follow-up task created', rm_task_booked: 'Task booked for the relationship manager', routed_by_case: 'Routed by an open case', recording_notice: 'Told the call may be recorded', recording_started: 'Recording started', recording_paused: 'Recording paused', recording_resumed: 'Recording resumed', recording_completed: 'Recording saved', recording_absent: 'No recording made', recording_deleted: 'Recording deleted (retention)', legal_hold_set: 'Legal hold set', legal_hold_released: 'Legal hold released', dead_air: 'Dead air (both sides silent)', dead_air_ended: 'Talk resumed after dead air', talk_analytics: 'Talk and silence measured', utterance: 'Said (live transcript)', assist_prompt: 'Prompt shown to the agent',
    callback_booked: 'Callback booked', callback_queued: 'Callback in line', callback_offer_accepted: 'Callback accepted', callback_dialled: 'Customer dialled',
    callback_in_line: 'Customer answered, in line', callback_completed: 'Callback connected', callback_retry: 'Callback not reached, will retry',
    callback_failed: 'Callback failed', callback_cancelled: 'Callback cancelled', callback_moved: 'Callback moved', callback_refused: 'Callback refused (no number to call)',
    agent_leg_failed: 'Agent leg failed, back in line', consult_failed: 'Consult not answered', connect_failed: 'Connect failed',
  } as Record<string, string>,
  errors: {
    SB_ERR_CALLBACK_TIME_INVALID: 'A callback time must be in the future, within the queue\'s hours and the customer\'s calling window',
    SB_ERR_CALLBACK_NUMBER_INVALID: 'This number cannot be called back (withheld, or not a phone number)',
    SB_ERR_CALLBACK_STATE_INVALID: 'That callback is being made, or is done or cancelled already',
    SB_ERR_CALLBACK_NOT_FOUND: 'No such callback',
    SB_ERR_TRANSFER_TARGET_UNAVAILABLE: 'Nobody there can take the call now (away, offline, busy, or not your caller\'s language)',
    SB_ERR_TRANSFER_TARGET_INVALID: 'No such agent or skill, or the caller has no relationship manager',
    SB_ERR_CALL_NOT_ACTIVE: 'You have no call in progress',
    SB_ERR_OFFER_GONE: 'The call is no longer offered to you',
    SB_ERR_CALL_GONE: 'The caller hung up before the call was connected',
    SB_ERR_WRAPUP_NOT_PENDING: 'There is no call waiting for your wrap-up',
    SB_ERR_CASE_REQUIRED: 'Open the complaint on this call first (Open a case), then log it',
    SB_ERR_CASE_INTERACTION_INVALID: 'A case is opened from your own call with this customer',
    SB_ERR_CASE_TRANSITION_INVALID: 'The case cannot take that step from its current state',
    SB_ERR_CASE_RESULT_REQUIRED: 'Say what was done to resolve the case',
    SB_ERR_CAMPAIGN_DISPOSITION_INVALID: 'Choose one of the campaign\'s dispositions (a callback needs a future time)',
    SB_ERR_REQUEST_INVALID: 'A value is not accepted',
    SB_ERR_OFFLINE: 'Not connected: try again when the console is back online',
    SB_ERR_AUTH_FORBIDDEN: 'Your role may not do this',
  } as ErrorWords,
  campaignsTitle: 'Campaigns', noCampaigns: 'No campaign scheduled, running or paused', dialed: 'Dialled', connectedCount: 'Connected', humans: 'People',
  machines: 'Machines', abandonRate: 'Abandon rate', conversions: 'Conversions', remaining: 'Remaining', eta: 'ETA', pause: 'Pause',
  etaText: (s: number) => (s < 3600 ? `${Math.ceil(s / 60)} min` : `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`),
  labels: {
    skills: {
      general: 'General', cards: 'Cards', loans: 'Loans', deposits: 'Deposits', wealth: 'Wealth', funds_fx: 'Funds / FX', complaints: 'Complaints',
      retention: 'Retention', security: 'Security', private_banking: 'Private banking', english: 'English',
    },
    dispositions: {
      resolved: 'Resolved', follow_up: 'Follow-up needed', escalated: 'Escalated', complaint_logged: 'Complaint logged', sale: 'Sale',
      information_only: 'Information only', transferred: 'Transferred', no_action: 'No action',
      interested: 'Interested', callback: 'Call back later', not_interested: 'Not interested', wrong_number: 'Wrong number', do_not_call: 'Do not call again',
    },
    away: {
      break: 'Break', training: 'Training', meeting: 'Meeting', after_call_work: 'After-call work', supervisor: 'Set by supervisor', end_of_shift: 'End of shift',
      missed_offer: 'Missed an offer', rejected_offer: 'Declined an offer', connect_failed: 'Calls not connecting (telephone line fault)',
      lease_expired: 'Console disconnected', preview: 'Preview call',
    },
    channels: {
      branch: 'Branch', atm: 'ATM', mobile: 'Mobile banking', online: 'Online banking', pos: 'Card payment (POS)', counter: 'Counter', phone: 'Phone', ivr: 'Phone (IVR)',
      email: 'Email', sms: 'SMS', web: 'Website', wechat: 'WeChat', phone_ivr: 'Phone (IVR)', phone_agent: 'Phone (agent)', outbound: 'Outbound call',
    },
    directions: { inbound: 'inbound', outbound: 'outbound' },
    outcomes: { self_service: 'Self-service', agent: 'Served by an agent', abandoned: 'Hung up waiting', callback: 'Callback booked', hangup_in_ivr: 'Hung up in the IVR', transferred: 'Transferred', failed: 'Failed' },
    holdingStatuses: { active: 'Active', dormant: 'Dormant', frozen: 'Frozen', lost: 'Reported lost', closed: 'Closed', overdue: 'Overdue', matured: 'Matured' },
    cardKinds: { debit: 'Debit card', credit: 'Credit card' },
    loanKinds: { mortgage: 'Mortgage', consumer: 'Consumer loan', auto: 'Car loan', business: 'Business loan' },
    phoneKinds: { mobile: 'mobile', home: 'home', work: 'work' },
    contactWays: { phone: 'Phone', wechat: 'WeChat', sms: 'SMS', email: 'Email' },
    genders: { F: 'Female', M: 'Male' },
    trends: { up: 'rising', down: 'falling', steady: 'steady', new: 'new customer' },
    selfServices: { balance: 'Balance', transactions: 'Recent transactions', lost_card: 'Card blocked (lost)', time_deposits: 'Time deposits' },
    states: { offline: 'Offline', available: 'Available', reserved: 'Offered', on_call: 'On call', wrap_up: 'Wrap-up', away: 'Away' },
    tiers: { PRIVATE: 'Private', DIAMOND: 'Diamond', GOLD: 'Gold', STANDARD: 'Standard' },
    purposes: { marketing: 'Marketing offer', care: 'Care / return visit', complaint_follow_up: 'Complaint follow-up', survey: 'Satisfaction survey', retention: 'Retention' },
    campaignStates: { draft: 'Draft', scheduled: 'Scheduled', running: 'Running', paused: 'Paused', completed: 'Completed', cancelled: 'Cancelled' },
    dialingModes: { preview: 'Preview', progressive: 'Progressive', predictive: 'Predictive' },
    productLines: {
      time_deposit: 'Time deposit', loan: 'Loan', mortgage: 'Mortgage', credit_card: 'Credit card', fund: 'Funds', insurance: 'Insurance',
      wealth: 'Wealth management', ebanking: 'E-banking', international: 'International business',
    },
    callbackStates: { scheduled: 'Scheduled', queued: 'In line', dialing: 'Dialling', completed: 'Connected', failed: 'Failed', cancelled: 'Cancelled' },
    callbackSources: { ivr: 'Hotline (IVR)', agent: 'Agent', api: 'Other system' },
    callbackOutcomes: { human: 'Answered', busy: 'Busy', no_answer: 'No answer', machine: 'Answering machine', failed: 'Failed', lost: 'No report', cancelled: 'Cancelled' },
    caseKinds: { complaint: 'Complaint', suggestion: 'Suggestion', service_request: 'Service request' },
    caseCategories: {
      service: 'Service', fees: 'Fees and charges', card: 'Cards', card_loss: 'Lost or stolen card', loan: 'Loans', deposit: 'Deposits',
      wealth_missale: 'Wealth product sold unsuitably', ebanking: 'E-banking', other: 'Other',
    },
    severities: { low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' },
    caseStatuses: { open: 'Open', assigned: 'Assigned', in_progress: 'In progress', resolved: 'Resolved', feedback_contacted: 'Customer told the result', closed: 'Closed' },
  } satisfies Labels,
};

export type Dict = typeof en;

export const zh: Dict = {
  app: '电话银行坐席',
  language: 'English',
  languageLabel: '切换为英文界面',
  login: '登录', username: '用户名', password: '密码', logout: '退出', loginFailed: '用户名或密码错误',
  loginSso: '使用统一身份认证登录', ssoFailed: '统一身份认证未完成，请重试', ssoNoUser: '您的统一身份认证账号不是本系统用户（或已停用）',
  loginSlowDown: '登录失败次数过多，请稍候再试', loginLocked: '此处登录失败次数过多，请稍后再试',
  sessionEnded: '您已退出登录（在别处退出，或账号已变更），请重新登录', resuming: '正在登录…',
  offline: '已离线：正在重连…', online: '已连接',
  state: '状态', timeInState: '持续', goAvailable: '就绪', goAway: '离开', reason: '原因', goOffline: '签出',
  incoming: '来电', accept: '接听', reject: '拒接', secondsLeft: '秒后转出', waited: '已等待',
  why: '分配原因', skill: '技能', lang: '语言',
  connecting: '正在接通…', connected: '通话中', held: '保持中', hold: '保持', resume: '恢复', end: '结束通话',
  transfer: '转接', transferTo: '转接到', toSkill: '技能组', toAgent: '指定坐席', toRm: '客户经理', doTransfer: '转接', completeConsult: '移交',
  consult: '咨询', consultJoined: '同事已加入',
  transferHow: '方式', blind: '直接转接：来电立即转给对方', warm: '先咨询（温转接）：来电保持，先接通同事',
  findAgent: '查找坐席', findAgentHint: '输入姓名的一部分', noAgentsFound: '未找到坐席', chooseAgent: '请从列表中选择坐席',
  directory: '查找结果', canTake: '可接听', cannotTake: '暂不能接听',
  softphone: '话路', audioSim: '模拟话路', audioBrowser: '浏览器电话', audioPhone: '座机',
  legIdle: '空闲', legRinging: '振铃', legConnected: '已接通', legHeld: '保持', legEnded: '已挂断',
  wrapup: '话后小结', wrapupHint: '完成话后小结后才能接听下一个电话。', disposition: '处理结果', reasonCodes: '来电原因代码（逗号分隔）',
  productsDiscussed: '涉及产品（逗号分隔）', notes: '备注', submitWrapup: '提交小结', choose: '请选择…',
  callEnded: '通话已结束',
  noCall: '等待来电。来电分配给您时，客户信息将在此弹出。',
  search: '客户查询', searchPhone: '电话', searchName: '姓名', searchCard: '卡号后四位', doSearch: '查询', noResults: '未找到客户',
  open: '查看', close: '关闭', viewing: '查看中（已记录审计）',
  myCalls: '我的近期通话', none: '无',
  identity: '客户', verified: '已通过密码验证', notVerified: '未验证', unknownCaller: '未识别的来电：IVR 未能识别客户',
  tier: '等级', score: '综合贡献度', breakdown: '贡献度构成', deposits: '存款', loans: '贷款', fees: '中间业务', ebanking: '电子银行', international: '国际业务', loyalty: '忠诚度系数',
  rm: '客户经理', noRm: '无专属客户经理',
  holdings: '持有产品', timeDeposits: '定期存款', cards: '银行卡', investments: '理财投资', totals: '合计',
  transactions: '最近交易', timeline: '全渠道接触记录', complaints: '未结工单', overdue: '已超时',
  flags: '风险与流失', churnRisk: '流失风险', loanOverdue: '贷款逾期', cardBlocked: '卡片冻结', complaintOverdue: '投诉超时', riskTolerance: '风险承受能力', creditRating: '信用评级',
  consent: '授权', marketingConsent: '营销授权', dnc: '勿扰', yes: '是', no: '否',
  ivr: 'IVR 已获取信息', ivrReason: '来电诉求', ivrReasons: { campaign: '外呼活动来电', preview: '预览外呼', agent_booked: '坐席预约' } as Record<string, string>, selfService: '已办理自助服务', path: '路径',
  offers: '推荐产品',
  age: (years: number | null) => (years === null ? '' : `${years}岁`), since: '客户自', phones: '电话', region: '地区', preferred: '偏好联系方式',
  error: '错误',
  simTitle: '电话模拟器', simIntro: '以演示客户或任意号码拨打热线；在另一个标签页的坐席工作台上查看来电弹屏。',
  caller: '来电客户', callerNumber: '主叫号码', hotline: '热线号码', dial: '拨打', hangup: '挂机', keypad: '拨号盘', transcript: '客户听到的内容',
  callState: '通话', simOnly: '电话模拟器仅在演示模式（未配置 Twilio 账户）下且仅限本机使用。',
  supTitle: '班长监控', wallboard: '实时监控墙', cases: '工单', recordings: '录音', reports: '报表', campaigns: '外呼活动', supervisorOnly: '监控墙仅供班长和管理员使用。',
  phonePin: '电话银行密码', pinNone: '未设置', pinActive: '正常', pinLocked: '已锁定', pinLockedAt: '锁定时间', pinFailures: '连续输错次数',
  pinCauses: { failures: '连续三次输错密码', admin: '工作人员锁定' },
  agents: '坐席设置', agentSettings: '技能与服务语言', agentSettingsIntro: '修改后在下一轮路由即生效，无需重启。级别5优先分配来电。',
  skillLevel: '级别', skillsCol: '技能（级别）', notThisSkill: '–', langs: '服务语言', langNames: { zh: '普通话', en: '英语' }, team: '团队',
  edit: '编辑', save: '保存', saved: '已保存', cancel: '取消', atLeastOne: '请至少选择一项技能和一种语言',
  interval: '统计时段', queues: '队列', queue: '队列', waitingNow: '排队', longest: '最长等待', estWait: '预计等待',
  serviceLevel: '服务水平', target: '目标', answered: '接通', abandoned: '放弃', asa: '平均应答',
  staffing: '人力配置', staffed: '在岗', availableNow: '空闲', neededC: '需求（Erlang C）', neededA: '需求（Erlang A）', gap: '缺口', predicted: '预测服务水平',
  agentsTitle: '坐席', agent: '坐席', inState: '状态时长', currentCall: '当前通话', handledToday: '今日接听', setState: '设置状态',
  waitingCalls: '排队来电', position: '序', customer: '客户', waitedFor: '已等待', vip: '贵宾', boost: '+60 秒', boostLabel: '优先级提前 60 秒',
  moveTo: '转到技能组', move: '转移', alertsTitle: '告警', noAlerts: '无告警', broadcast: '向坐席发送消息', message: '消息内容', allAgents: '全部坐席', send: '发送', sent: '已发送',
  monitor: '监听', listen: '监听', whisper: '密语', barge: '强插', leave: '退出', monitoring: '监听中',
  alertKinds: { private_wait: '私人银行客户等待', service_level: '服务水平低于目标', abandon_rate: '放弃率过高', agent_away: '坐席离开过久', staffing_gap: '人力不足', profile_harvest: '疑似批量查阅客户资料', login_burst: '登录失败激增（疑似密码猜测）', case_at_risk: '工单即将超出时限（已升级）', dead_air: '通话长时间静默' },
  broadcastFrom: '消息来自',
  deadAirNudge: (seconds: number) => `通话已静默 ${seconds} 秒，请确认客户是否仍在线`,
  draftHint: '已根据实时通话文字起草，请核对后再保存。', draftCustomer: '客户', draftPromised: '承诺',
  alertWords: {
    private_wait: (d, name) => `私人银行客户等待超过 ${Number(d.threshold_s)} 秒（${name('skill', d.skill)}）`,
    service_level: (d, name) => `${name('skill', d.skill)}${d.tier ? ` ${name('tier', d.tier)}` : ''}：服务水平 ${percent(Number(d.service_level))}，低于目标 ${percent(Number((d.target as { share?: number })?.share))}（${Number((d.target as { seconds?: number })?.seconds)} 秒内接通）`,
    abandon_rate: (d, name) => `${name('skill', d.skill)}${d.tier ? ` ${name('tier', d.tier)}` : ''}：${percent(Number(d.share))} 的来电放弃（上限 ${percent(Number(d.threshold))}）`,
    staffing_gap: (d, name) => `${name('skill', d.skill)}：还需 ${Number(d.short)} 名坐席才能达到目标（在岗 ${Number(d.staffed)}，需求 ${Number(d.needed_erlang_a)}）`,
    agent_away: (d, name) => `${String(d.name ?? '')} 离开（${d.reason ? name('reason', d.reason) : '未注明原因'}）超过 ${Math.round(Number(d.threshold_s) / 60)} 分钟`,
    profile_harvest: (d) => (Number(d.over_limit) > 0
      ? `${String(d.username)}：查阅客户资料超过上限（一个时段内超出 ${Number(d.over_limit)} 次），后续查阅已拒绝`
      : `${String(d.username)}：${Number(d.refused)} 次以无依据的用途查阅客户资料`),
    login_burst: (d) => (d.by === 'user'
      ? `${Number(d.tries)} 次以 ${String(d.username)} 登录失败或被拒，来自 ${Number(d.addresses)} 个地址（${Number(d.minutes ?? 15)} 分钟内）`
      : `${Number(d.tries)} 次从 ${String(d.address)} 登录失败或被拒，涉及 ${Number(d.usernames)} 个用户名（${Number(d.minutes ?? 15)} 分钟内）`),
    case_at_risk: (d, name) => `${String(d.case_no)}（${name('category', d.category)}）${d.late ? '已超出' : '即将超出'}时限（${bankTime(String(d.sla_due_at))}），已升级给 ${String(d.owner ?? '无人')}`,
    dead_air: (d) => `${String(d.name ?? '坐席')}的通话已静默超过 ${Number(d.threshold_s)} 秒`,
  },
  campaign: '外呼活动', outbound: '外呼', script: '话术', campaignOffer: '推荐产品', offerCode: '产品代码', terms: '条款', noOffer: '无营销产品（服务类外呼）',
  previewTitle: '预览外呼', previewNext: '下一位预览客户', previewNone: '您所属技能的预览外呼活动暂无待呼客户。',
  previewHint: '请先查看客户信息和话术，再拨打或跳过。', dialCustomer: '拨打', skip: '跳过', previewReason: '预览外呼',
  dialing: '正在拨号……客户接听后将直接接通给您。', previewEnded: '预览外呼未能接通客户。',
  callbackAt: '回拨时间（北京时间）', callbackFuture: '请选择将来的时间。', dncHint: '该号码将立即加入勿扰名单。',
  callbackToMe: '由我本人回拨（先分配给我，再分配给技能组）', callbackHint: '将在该时间、队列服务时间及客户可接听时段内致电客户。',
  callbackOffer: '预约回拨', callbackRequested: '申请时间', callbackNumber: '号码', callbackReason: '原因', callbackBookedBy: '预约人',
  callbackAttempt: (n: number) => `第 ${n} 次拨打`, callbackDialHint: '接听后系统将拨打客户，客户接听即接通。',
  callbackReasons: { agent_booked: '坐席预约' } as Record<string, string>,
  callbacksTitle: '回拨积压', noCallbacks: '暂无待回拨', callbacksOpen: '待回拨', callbacksDueNow: '已到期', oldestPlace: '最早排队', oldestPlaceHint: '最早一条已保留位置的时长；预约在将来的显示其时间',
  callbackList: '待回拨列表', callbackDue: '回拨时间（北京时间）', callbackAttempts: '已拨', callbackLast: '上次结果', callbackSource: '来源',
  cancelCallback: '取消', moveCallback: '改期', newTime: '新时间（北京时间）', callbackOf: (id: string) => `回拨 ${id}`,
  endReasons: {
    caller_left: '客户已挂机。', transferred: '已转接。', agent_leg_failed: '您的话机未接通，客户已重新排队。',
    callback_not_reached: '回拨未接通客户，将按回拨策略再次拨打。',
    callback_cancelled: '班长已取消该回拨。', consult_unreachable: '同事未接听，客户已回到您这里。',
    expired: '来电分配已超时。', agent_offline: '您已离线。',
    connect_failed: '线路故障，通话未能接通：客户保留排队位置。',
    caller_gone: '接通前客户已挂机。', caller_hung_up: '客户已挂机。', conference_ended: '通话已结束。',
  } as Record<string, string>,
  caseTitle: '新建工单', caseKind: '类型', caseCategory: '类别', caseSeverity: '严重程度', caseSummary: '摘要（一句话）', caseDescription: '详细情况',
  caseProducts: '涉及产品（逗号分隔）', caseSubmit: '提交工单', caseOpened: (no: string) => `工单 ${no} 已创建，请告知客户工单号。`,
  slaDue: '时限', escalatedFlag: '已升级', caseOwner: '处理人',
  tasksTitle: '我的任务', taskKinds: { follow_up: '跟进', feedback: '回访告知处理结果', callback: '回电', visit: '拜访', retention: '挽留' },
  taskReasons: { case_feedback: '工单已解决：请致电客户', low_satisfaction: '客户对处理结果不满意', call_follow_up: '来自通话' },
  satisfaction: '客户满意度', scores: ['1 非常不满意', '2 不满意', '3 一般', '4 满意', '5 非常满意'], recordFeedback: '记录回访结果', taskDone: '完成',
  events: {
    started: '来电开始', ivr_step: 'IVR 按键', speech_recognised: '客户语音输入', language_selected: '已选择语言', identified: '已识别客户', identify_unknown: '未能识别客户',
    identify_ambiguous: '该号码关联多位客户', verified: '已通过密码验证', verify_failed: '密码错误', verify_no_pin: '未设置电话银行密码',
    pin_locked: '密码已锁定', pin_throttled: '密码尝试暂停', input_failed: '未按有效按键', ivr_error: 'IVR 故障', self_service: '已办理自助服务',
    queue_unavailable: '队列未开放或无人值守', queued: '进入排队', entered_queue: '已进入队列', routing_decision: '已选定坐席',
    offered: '已分配给坐席', offer_expired: '分配超时', offer_rejected: '坐席拒接', offer_revoked: '分配已撤回', accepted: '坐席已接听',
    answered: '已接听', connected: '已接通坐席', held: '通话保持', unheld: '取消保持', priority_raised: '班长已提高优先级',
    skill_changed: '已转到其他技能组', consult_started: '开始咨询', consult_joined: '同事已加入', consult_ended: '咨询结束',
    transferred: '已转接', target_released: '转接对象已释放', queue_rejoined: '重新排队', left_queue: '离开队列',
    left_queue_entry: '离开队列（回拨或故障）', abandoned: '客户排队时挂机', agent_call_ended: '坐席通话结束',
    wrapup: '已完成话后小结', wrapup_missing: '缺少话后小结', recording: '录音', voicemail_left: '已留语音留言', status: '线路状态', ended: '通话结束',
    survey_score: '已完成满意度评价', hangup: 'IVR 挂机', callback_requested: '已申请回拨', campaign_dial: '外呼已拨出',
    campaign_agent_assigned: '外呼已分配坐席', campaign_abandoned: '外呼放弃（无空闲坐席）',
    case_opened: '已创建工单', follow_up_task: '已创建跟进任务', rm_task_booked: '已为客户经理预约任务', routed_by_case: '按未结工单分配', recording_notice: '已提示通话可能录音', recording_started: '开始录音', recording_paused: '录音已暂停', recording_resumed: '录音已恢复', recording_completed: '录音已保存', recording_absent: '未生成录音', recording_deleted: '录音已删除（保存期满）', legal_hold_set: '已设置法律保全', legal_hold_released: '已解除法律保全', dead_air: '长时间静默（双方无声）', dead_air_ended: '静默结束，恢复通话', talk_analytics: '已统计通话与静默', utterance: '通话内容（实时转写）', assist_prompt: '已向坐席提示',
    callback_booked: '已预约回拨', callback_queued: '回拨排队中', callback_offer_accepted: '坐席已接受回拨', callback_dialled: '已拨打客户',
    callback_in_line: '客户已接听，排队中', callback_completed: '回拨已接通', callback_retry: '回拨未接通，将重试',
    callback_failed: '回拨失败', callback_cancelled: '回拨已取消', callback_moved: '回拨已改期', callback_refused: '无法回拨（无可拨号码）',
    agent_leg_failed: '坐席话路失败，客户重新排队', consult_failed: '咨询未接听', connect_failed: '接通失败',
  } as Record<string, string>,
  errors: {
    SB_ERR_CASE_REQUIRED: '请先在本通话中创建投诉工单，再选择“已登记投诉”',
    SB_ERR_CASE_INTERACTION_INVALID: '工单须从您本人与该客户的通话中创建',
    SB_ERR_CASE_TRANSITION_INVALID: '工单当前状态不能执行此操作',
    SB_ERR_CASE_RESULT_REQUIRED: '请填写工单的处理结果',
    SB_ERR_CALLBACK_TIME_INVALID: '回拨时间须在将来，且在队列服务时间和客户可接听时段内',
    SB_ERR_CALLBACK_NUMBER_INVALID: '该号码无法回拨（号码隐藏或不是电话号码）',
    SB_ERR_CALLBACK_STATE_INVALID: '该回拨正在拨打，或已完成、已取消',
    SB_ERR_CALLBACK_NOT_FOUND: '回拨不存在',
    SB_ERR_TRANSFER_TARGET_UNAVAILABLE: '对方暂时无法接听（离开、离线、忙碌或不会客户的语言）',
    SB_ERR_TRANSFER_TARGET_INVALID: '坐席或技能组不存在，或客户没有客户经理',
    SB_ERR_CALL_NOT_ACTIVE: '您当前没有通话',
    SB_ERR_OFFER_GONE: '该来电已不再分配给您',
    SB_ERR_CALL_GONE: '客户在接通前已挂机',
    SB_ERR_WRAPUP_NOT_PENDING: '没有待完成的话后小结',
    SB_ERR_CAMPAIGN_DISPOSITION_INVALID: '请选择外呼活动的处理结果（预约回拨须选择将来的时间）',
    SB_ERR_REQUEST_INVALID: '有字段取值无效',
    SB_ERR_OFFLINE: '未连接：请在工作台恢复在线后重试',
    SB_ERR_AUTH_FORBIDDEN: '您的角色无权执行此操作',
  } as ErrorWords,
  campaignsTitle: '外呼活动', noCampaigns: '暂无已排期、进行中或暂停的外呼活动', dialed: '已拨', connectedCount: '接通', humans: '真人接听',
  machines: '答录机', abandonRate: '放弃率', conversions: '转化', remaining: '剩余', eta: '预计完成', pause: '暂停',
  etaText: (s: number) => (s < 3600 ? `${Math.ceil(s / 60)}分钟` : `${Math.floor(s / 3600)}小时${Math.floor((s % 3600) / 60)}分钟`),
  labels: {
    skills: {
      general: '综合业务', cards: '银行卡', loans: '贷款', deposits: '存款', wealth: '财富管理', funds_fx: '基金/外汇', complaints: '投诉',
      retention: '客户挽留', security: '安全', private_banking: '私人银行', english: '英语服务',
    },
    dispositions: {
      resolved: '已解决', follow_up: '需跟进', escalated: '已升级', complaint_logged: '已登记投诉', sale: '成功销售',
      information_only: '仅咨询', transferred: '已转接', no_action: '无需处理',
      interested: '有意向', callback: '预约回拨', not_interested: '无意向', wrong_number: '号码错误', do_not_call: '要求不再来电',
    },
    away: {
      break: '休息', training: '培训', meeting: '会议', after_call_work: '话后处理', supervisor: '班长设置', end_of_shift: '下班',
      missed_offer: '未接来电', rejected_offer: '拒接来电', connect_failed: '来电无法接通（线路故障）',
      lease_expired: '工作台已断开', preview: '预览外呼',
    },
    channels: {
      branch: '网点', atm: 'ATM', mobile: '手机银行', online: '网上银行', pos: '刷卡消费（POS）', counter: '柜台', phone: '电话', ivr: '电话（IVR）',
      email: '电子邮件', sms: '短信', web: '网站', wechat: '微信', phone_ivr: '电话（IVR）', phone_agent: '电话（人工）', outbound: '外呼',
    },
    directions: { inbound: '呼入', outbound: '呼出' },
    outcomes: { self_service: '自助服务', agent: '人工服务', abandoned: '排队时挂机', callback: '已预约回拨', hangup_in_ivr: '在 IVR 中挂机', transferred: '已转接', failed: '失败' },
    holdingStatuses: { active: '正常', dormant: '久悬', frozen: '冻结', lost: '已挂失', closed: '已销户', overdue: '逾期', matured: '已到期' },
    cardKinds: { debit: '借记卡', credit: '信用卡' },
    loanKinds: { mortgage: '房贷', consumer: '消费贷款', auto: '车贷', business: '经营贷款' },
    phoneKinds: { mobile: '手机', home: '住宅', work: '单位' },
    contactWays: { phone: '电话', wechat: '微信', sms: '短信', email: '电子邮件' },
    genders: { F: '女', M: '男' },
    trends: { up: '上升', down: '下降', steady: '平稳', new: '新客户' },
    selfServices: { balance: '余额查询', transactions: '最近交易查询', lost_card: '自助挂失', time_deposits: '定期存款查询' },
    states: { offline: '离线', available: '就绪', reserved: '振铃', on_call: '通话中', wrap_up: '话后小结', away: '离开' },
    tiers: { PRIVATE: '私人银行', DIAMOND: '钻石', GOLD: '金卡', STANDARD: '普通' },
    purposes: { marketing: '营销推荐', care: '关怀回访', complaint_follow_up: '投诉回访', survey: '满意度调查', retention: '客户挽留' },
    campaignStates: { draft: '草稿', scheduled: '已排期', running: '进行中', paused: '已暂停', completed: '已完成', cancelled: '已取消' },
    dialingModes: { preview: '预览式', progressive: '渐进式', predictive: '预测式' },
    productLines: {
      time_deposit: '定期存款', loan: '贷款', mortgage: '房贷', credit_card: '信用卡', fund: '基金', insurance: '保险',
      wealth: '理财', ebanking: '电子银行', international: '国际业务',
    },
    callbackStates: { scheduled: '已预约', queued: '排队中', dialing: '拨打中', completed: '已接通', failed: '失败', cancelled: '已取消' },
    callbackSources: { ivr: '热线（IVR）', agent: '坐席', api: '其他系统' },
    callbackOutcomes: { human: '已接听', busy: '忙线', no_answer: '无人接听', machine: '答录机', failed: '失败', lost: '无回报', cancelled: '已取消' },
    caseKinds: { complaint: '投诉', suggestion: '建议', service_request: '服务请求' },
    caseCategories: {
      service: '服务', fees: '收费', card: '银行卡', card_loss: '卡片挂失', loan: '贷款', deposit: '存款',
      wealth_missale: '理财产品销售不当', ebanking: '电子银行', other: '其他',
    },
    severities: { low: '低', medium: '中', high: '高', critical: '紧急' },
    caseStatuses: { open: '待受理', assigned: '已分派', in_progress: '处理中', resolved: '已解决', feedback_contacted: '已回访告知结果', closed: '已结案' },
  },
};

