import { Type, type Static, type TSchema } from 'typebox';

/**
 * The IVR flow document: data, not code, so flows can be stored, validated in CI and unit-tested
 * without a call. Each node type has its own closed schema (unknown fields are typos, so rejected).
 */

const Id = Type.String({ pattern: '^[a-z0-9_-]+$', description: 'Node id: lower case, digits, _ and -' });
const Target = Type.String({ minLength: 1, description: 'Id of the node to go to' });
const Key = Type.String({ pattern: '^[0-9*#]$', description: 'One DTMF key' });
const LangSchema = Type.Union([Type.Literal('zh'), Type.Literal('en')]);
const Seconds = Type.Integer({ minimum: 1, maximum: 60 });
const Retries = Type.Integer({ minimum: 1, maximum: 9, description: 'Failed attempts (invalid or no input) allowed before on_fail; default 3' });

// zh/en are optional here on purpose: the validator reports a missing one as "missing translation",
// which says more than a schema error would.
export const TextSchema = Type.Object(
  { zh: Type.Optional(Type.String()), en: Type.Optional(Type.String()) },
  { additionalProperties: false, description: 'Bilingual text; may hold {{placeholders}}' },
);

const closed = { additionalProperties: false } as const;

/** What a person reads for this step (the agent's pop, the timeline): the node id is for the flow's author. `ivr:check` requires it on every node. */
const Label = Type.Optional(Type.Object({ zh: Type.String(), en: Type.String() }, { ...closed, description: 'The step in words, both languages' }));

export const PromptNode = Type.Object({
  type: Type.Literal('prompt'),
  label: Label,
  say: Type.Optional(TextSchema),
  play: Type.Optional(Type.String({ pattern: '^https?://', description: 'Audio URL played after the text' })),
  pause_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
  next: Target,
}, closed);

export const LanguageNode = Type.Object({
  type: Type.Literal('language'),
  label: Label,
  say: TextSchema,
  options: Type.Array(Type.Object({ key: Key, lang: LangSchema }, closed), { minItems: 1 }),
  default: LangSchema,
  timeout_seconds: Type.Optional(Seconds),
  next: Target,
}, closed);

/**
 * What a caller may say for a choice, per language: matched as a part of what the recogniser heard
 * (case and punctuation aside). A menu with phrases listens for speech as well as keys.
 */
export const PhrasesSchema = Type.Object({
  zh: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { maxItems: 20 })),
  en: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { maxItems: 20 })),
}, { ...closed, description: 'Spoken phrases per language that pick this choice' });

// key is optional: a choice may be spoken only (销户 goes to a person, it has no key of its own).
const MenuOption = Type.Object({ key: Type.Optional(Key), next: Target, phrases: Type.Optional(PhrasesSchema) }, closed);

export const MenuNode = Type.Object({
  type: Type.Literal('menu'),
  label: Label,
  say: TextSchema,
  options: Type.Array(MenuOption, { minItems: 1 }),
  repeat_key: Type.Optional(Key),
  retries: Type.Optional(Retries),
  timeout_seconds: Type.Optional(Seconds),
  invalid: Type.Optional(TextSchema),
  no_input: Type.Optional(TextSchema),
  on_fail: Target,
}, closed);

export const CollectNode = Type.Object({
  type: Type.Literal('collect'),
  label: Label,
  say: TextSchema,
  var: Type.String({ pattern: '^[a-z][a-z0-9_]*$' }),
  min_length: Type.Optional(Type.Integer({ minimum: 1, maximum: 32 })),
  max_length: Type.Integer({ minimum: 1, maximum: 32 }),
  finish_key: Type.Optional(Key),
  secret: Type.Optional(Type.Boolean()),
  retries: Type.Optional(Retries),
  timeout_seconds: Type.Optional(Seconds),
  invalid: Type.Optional(TextSchema),
  no_input: Type.Optional(TextSchema),
  next: Target,
  on_fail: Target,
}, closed);

export const IdentifyNode = Type.Object({
  type: Type.Literal('identify'),
  label: Label,
  mode: Type.Union([Type.Literal('phone'), Type.Literal('account')]),
  account_var: Type.Optional(Type.String({ description: 'mode account: the var holding the collected account number (cleared afterwards)' })),
  last4_say: Type.Optional(TextSchema),
  retries: Type.Optional(Retries),
  timeout_seconds: Type.Optional(Seconds),
  on_identified: Target,
  on_unknown: Target,
}, closed);

export const VerifyNode = Type.Object({
  type: Type.Literal('verify'),
  label: Label,
  say: TextSchema,
  wrong: Type.Optional(TextSchema),
  min_length: Type.Optional(Type.Integer({ minimum: 4, maximum: 12 })),
  max_length: Type.Optional(Type.Integer({ minimum: 4, maximum: 12 })),
  retries: Type.Optional(Retries),
  timeout_seconds: Type.Optional(Seconds),
  on_verified: Target,
  on_locked: Target,
  on_no_pin: Target,
  on_unidentified: Target,
  on_fail: Target,
}, closed);

export const ServiceSchema = Type.Union([Type.Literal('balance'), Type.Literal('transactions'), Type.Literal('lost_card'), Type.Literal('time_deposits')]);

export const SelfServiceNode = Type.Object({
  type: Type.Literal('self_service'),
  label: Label,
  service: ServiceSchema,
  next: Target,
  on_unverified: Target,
  on_not_found: Type.Optional(Target),
}, closed);

export const BranchOn = Type.Union([
  Type.Literal('tier'), Type.Literal('hours'), Type.Literal('verified'), Type.Literal('identified'),
  Type.Literal('language'), Type.Literal('dnis'), Type.Literal('has_rm'), Type.Literal('var'),
]);

export const BranchNode = Type.Object({
  type: Type.Literal('branch'),
  label: Label,
  on: BranchOn,
  calendar: Type.Optional(Type.String({ description: 'on hours: a key of the flow\'s calendars' })),
  var: Type.Optional(Type.String({ description: 'on var: the session var whose value picks the case' })),
  cases: Type.Record(Type.String(), Target, { description: 'value -> target; hours: open/closed; verified/identified/has_rm: true/false' }),
  default: Target,
}, closed);

export const SetNode = Type.Object({
  type: Type.Literal('set'),
  label: Label,
  vars: Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]*$' }), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
  next: Target,
}, closed);

export const EnqueueNode = Type.Object({
  type: Type.Literal('enqueue'),
  label: Label,
  skill: Type.String({ pattern: '^[a-z_]+$' }),
  priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600, description: 'Seconds of head start added to the tier\'s: the router serves the caller as if they had waited this much longer' })),
  say: Type.Optional(TextSchema),
  on_bridged: Type.Optional(Target),
  on_leave: Type.Optional(Target),
  on_error: Type.Optional(Target),
  on_unavailable: Target,
}, closed);

export const CallbackNode = Type.Object({
  type: Type.Literal('callback'),
  label: Label,
  reason: Type.String({ minLength: 1 }),
  // The confirmation: {{callback_when}} says when the bank will call (in about N minutes, or after the hours open).
  say: TextSchema,
  on_unreachable: Target,
}, closed);

export const SurveyNode = Type.Object({
  type: Type.Literal('survey'),
  label: Label,
  say: TextSchema,
  thanks: TextSchema,
  retries: Type.Optional(Retries),
  timeout_seconds: Type.Optional(Seconds),
}, closed);

export const TransferNode = Type.Object({
  type: Type.Literal('transfer'),
  label: Label,
  say: Type.Optional(TextSchema),
  number: Type.Optional(Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$' })),
  skill: Type.Optional(Type.String({ pattern: '^[a-z_]+$' })),
  priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })),
  on_unavailable: Type.Optional(Target),
}, closed);

/**
 * The notice that the call is recorded, in the caller's language, before an agent can join (the
 * text is the bank's to word). Said once per call, whole (a key pressed meanwhile does not cut it
 * short), and left in the timeline as `recording_notice`.
 */
export const RecordingNoticeNode = Type.Object({
  type: Type.Literal('recording_notice'),
  label: Label,
  say: TextSchema,
  next: Target,
}, closed);

export const HangupNode = Type.Object({
  type: Type.Literal('hangup'),
  label: Label,
  say: Type.Optional(TextSchema),
}, closed);

/** One schema per node type: the validator checks each node against its own, for readable errors. */
export const NodeSchemas = {
  prompt: PromptNode, language: LanguageNode, menu: MenuNode, collect: CollectNode, identify: IdentifyNode,
  verify: VerifyNode, self_service: SelfServiceNode, branch: BranchNode, set: SetNode, enqueue: EnqueueNode,
  callback: CallbackNode, survey: SurveyNode, transfer: TransferNode, hangup: HangupNode, recording_notice: RecordingNoticeNode,
} satisfies Record<string, TSchema>;

export type NodeType = keyof typeof NodeSchemas;

export const NodeSchema = Type.Union([
  PromptNode, LanguageNode, MenuNode, CollectNode, IdentifyNode, VerifyNode, SelfServiceNode,
  BranchNode, SetNode, EnqueueNode, CallbackNode, SurveyNode, TransferNode, HangupNode, RecordingNoticeNode,
]);

const HoursRange = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-4]):[0-5][0-9]$', description: 'HH:MM-HH:MM, local time' });
const Day = Type.Optional(Type.Array(HoursRange));
const IsoDate = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' });

export const CalendarSchema = Type.Object({
  description: Type.Optional(Type.String()),
  timezone: Type.String({ minLength: 1, description: 'IANA zone, e.g. Asia/Shanghai' }),
  weekly: Type.Object({ mon: Day, tue: Day, wed: Day, thu: Day, fri: Day, sat: Day, sun: Day }, closed),
  holidays: Type.Array(IsoDate, { description: 'Closed all day' }),
  workdays: Type.Optional(Type.Array(IsoDate, { description: 'Make-up working days (调休) on weekends: Monday\'s hours apply' })),
}, closed);

export const FlowSchema = Type.Object({
  id: Type.String({ pattern: '^[a-z0-9-]+$' }),
  version: Type.Integer({ minimum: 1 }),
  description: Type.String(),
  start: Type.String({ minLength: 1 }),
  languages: Type.Array(LangSchema, { minItems: 1 }),
  timezone: Type.Optional(Type.String({ description: 'Zone for dates read out; default Asia/Shanghai' })),
  calendars: Type.Optional(Type.Record(Type.String(), CalendarSchema)),
  nodes: Type.Record(Id, NodeSchema),
}, closed);

/** The flow's outline only: nodes are checked one by one against NodeSchemas. */
export const FlowShellSchema = Type.Object({
  ...FlowSchema.properties,
  nodes: Type.Record(Type.String(), Type.Object({ type: Type.String() })),
}, closed);

export type Text = Static<typeof TextSchema>;
export type Calendar = Static<typeof CalendarSchema>;
export type FlowNode = Static<typeof NodeSchema>;
export type Flow = Static<typeof FlowSchema>;
export type NodeOf<T extends NodeType> = Extract<FlowNode, { type: T }>;
export type Service = Static<typeof ServiceSchema>;
