// The server's shapes, taken from its TypeBox schemas: never re-declared here.
import type { Static } from 'typebox';
import type { CandidateSummary, Profile } from '../../server/modules/customers/customers-schemas.js';
import type { Interaction, Timeline } from '../../server/modules/interactions/interactions-schemas.js';
import type { AgentServerEvents, CallOffer, CampaignPop } from '../../server/modules/routing/routing-schemas.js';
import type { Agent, AgentConfig, AgentConfigChange, DirectoryEntry, StateChange, WrapupRequest, TransferRequest } from '../../server/modules/agents/agents-schemas.js';
import type { CALLBACK_OUTCOMES, Callback, CallbackState } from '../../server/modules/callbacks/callbacks-schemas.js';
import type { CASE_CATEGORIES, CASE_KINDS, CASE_STATUSES, Case, CaseCreate, SEVERITIES, TASK_KINDS, Task } from '../../server/modules/cases/cases-schemas.js';
import type { Softphone } from '../../server/modules/users/users-schemas.js';
import type { AgentDigest } from '../../server/modules/routing/conversation-service.js';
import type { PhoneCall, PhoneSetup } from '../../server/demo/demo-phone.js';
import type { SKILLS, SYSTEM_REASONS } from '../../server/modules/agents/agents-schemas.js';
import type { CARD_KINDS, CHANNELS, CONTACT_WAYS, HOLDING_STATUSES, LOAN_KINDS, PHONE_KINDS } from '../../server/modules/customers/customers-schemas.js';
import type { DIRECTIONS, OUTCOMES } from '../../server/modules/interactions/interactions-schemas.js';
import type { Static as StaticOf } from 'typebox';
import type { ServiceSchema } from '../../ivr/flow-schema.js';
import type { ERRORS } from '../../server/errors.js';
import type { Alert, AlertKind, Broadcast, Wallboard, WallboardUpdate, WallboardQueue, WallboardAgent, WaitingCall, WallboardSkill, WallboardCampaign, WallboardCallbacks } from '../../server/modules/supervision/supervision-schemas.js';
import type { CAMPAIGN_STATES, DIALING_MODES, DISPOSITIONS, PRODUCT_LINES, PURPOSES, Campaign, CampaignInput, ListEntry, ListResult, Progress, Segment } from '../../server/modules/campaigns/campaigns-schemas.js';
import type { CampaignsService } from '../../server/modules/campaigns/campaigns-service.js';

export type { Alert, Broadcast, Wallboard, WallboardUpdate, WallboardQueue, WallboardAgent, WaitingCall, WallboardSkill, WallboardCampaign, WallboardCallbacks };
/** A row of `GET /api/callbacks` (the number masked), its state, where it was booked, how its last dial went. */
export type { Callback, CallbackState, DirectoryEntry };
export type CallbackSource = Callback['source'];
export type CallbackOutcome = (typeof CALLBACK_OUTCOMES)[number];
export type { AgentDigest, AgentServerEvents, CallOffer, CampaignPop, CandidateSummary, Interaction, PhoneCall, PhoneSetup, Profile, Softphone, StateChange, WrapupRequest };
export type TimelineReply = Static<typeof Timeline>;
/** A line of a call's live transcript, and the prompts its words can raise. */
export type TranscriptLine = Pick<AgentServerEvents['call:transcript'], 'side' | 'text'>;
export type AssistRuleId = AgentServerEvents['call:prompt']['rule'];
export type { MonitorTranscript } from '../../server/modules/talk/talk-service.js';
export type TransferTarget = Static<typeof TransferRequest>;
export type Skill = (typeof SKILLS)[number];
export type Disposition = WrapupRequest['disposition'];
export type ErrorCode = keyof typeof ERRORS;
export type AwayReason = NonNullable<StateChange['reason']>;
/** What a campaign call's wrap-up may record (the server refuses anything else on a campaign call). */
export type CampaignDisposition = (typeof DISPOSITIONS)[number];
export type CampaignPurpose = (typeof PURPOSES)[number];
export type CampaignState = (typeof CAMPAIGN_STATES)[number];
/** `POST /api/campaigns/preview/next`: the customer to call, with the campaign's script and offer. */
export type PreviewCustomer = Awaited<ReturnType<CampaignsService['previewNext']>>;
export type DialingMode = (typeof DIALING_MODES)[number];
export type ProductLine = (typeof PRODUCT_LINES)[number];
export type { Campaign, CampaignInput, Progress, Segment };
/** `POST /api/campaigns/:id/list/segment|csv`: what was added, what was already there, what was scrubbed and why, and bad CSV lines. */
export type { ListResult };
/** A row of `GET /api/campaigns/:id/entries`. */
export type CampaignEntry = ListEntry;
/** Cases: what an agent opens from a call (POST /api/cases), and the words for their kinds, categories, severities and states. */
export type { Case, CaseCreate, Task };
export type TaskKind = (typeof TASK_KINDS)[number];
export type CaseKind = (typeof CASE_KINDS)[number];
export type CaseCategory = (typeof CASE_CATEGORIES)[number];
export type Severity = (typeof SEVERITIES)[number];
export type CaseStatus = (typeof CASE_STATUSES)[number];
/** A row of `GET /api/agents`, an agent's routing settings (`GET /api/agents/:id/config`) and a change to them (`PATCH /api/agents/:id`). */
export type AgentRow = Static<typeof Agent>;
export type { AgentConfig, AgentConfigChange };
/** The values the pop words (channels, holdings' states and kinds, contact ways) and what a contact came to. */
export type Channel = (typeof CHANNELS)[number];
export type HoldingStatus = (typeof HOLDING_STATUSES)[number];
export type CardKind = (typeof CARD_KINDS)[number];
export type LoanKind = (typeof LOAN_KINDS)[number];
export type PhoneKind = (typeof PHONE_KINDS)[number];
export type ContactWay = (typeof CONTACT_WAYS)[number];
export type Outcome = (typeof OUTCOMES)[number];
export type Direction = (typeof DIRECTIONS)[number];
export type SystemReason = (typeof SYSTEM_REASONS)[number];
export type SelfService = StaticOf<typeof ServiceSchema>;
export type { AlertKind };
/** Relationship-manager work (issue 18): the worklist, a task booked for an RM, the "your client called" notice, and the supervisors' case report. */
export type Worklist = Static<typeof import('../../server/modules/rm/rm-schemas.js').Worklist>;
export type RmTaskCreate = Static<typeof import('../../server/modules/rm/rm-schemas.js').RmTaskCreate>;
export type RmTaskKind = RmTaskCreate['kind'];
export type ClientCalled = Static<typeof import('../../server/modules/rm/rm-schemas.js').ClientCalledNotice>;
export type CaseReport = Static<typeof import('../../server/modules/cases/cases-schemas.js').CaseReport>;
