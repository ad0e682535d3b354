// The server's shapes, taken from its TypeBox schemas: never re-declared here.
import type { Static } from 'typebox';
import type { CandidateSummary, Profile } from '../../server/modules/customers/customers-schemas.js';
import type { Interaction, Timeline } from '../../server/modules/interactions/interactions-schemas.js';
import type { AgentServerEvents, CallOffer } from '../../server/modules/routing/routing-schemas.js';
import type { StateChange, WrapupRequest, TransferRequest } from '../../server/modules/agents/agents-schemas.js';
import type { Softphone } from '../../server/modules/telephony/softphone.js';
import type { PhoneCall, PhoneSetup } from '../../server/modules/telephony/demo-phone.js';
import type { SKILLS } from '../../server/modules/routing/routing-policy.js';
import type { ERRORS } from '../../server/errors.js';
import type { Alert, Broadcast, Wallboard, WallboardUpdate, WallboardQueue, WallboardAgent, WaitingCall, WallboardSkill } from '../../server/modules/supervision/supervision-schemas.js';

export type { Alert, Broadcast, Wallboard, WallboardUpdate, WallboardQueue, WallboardAgent, WaitingCall, WallboardSkill };
export type { AgentServerEvents, CallOffer, CandidateSummary, Interaction, PhoneCall, PhoneSetup, Profile, Softphone, StateChange, WrapupRequest };
export type TimelineReply = Static<typeof Timeline>;
export type TransferTarget = Static<typeof TransferRequest>;
export type Skill = (typeof SKILLS)[number];
export type Disposition = WrapupRequest['disposition'];
export type ErrorCode = keyof typeof ERRORS;
export type AwayReason = NonNullable<StateChange['reason']>;
