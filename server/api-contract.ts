// The routes the consoles call, each with the very schemas its route declares. The console's API
// client takes its types from here (a route key names the method and path; its body, query and
// reply follow), so a screen cannot pick a reply type by hand; test/integration/api-contract.test.ts
// holds every entry against the server's own OpenAPI description, so this list cannot drift from
// the routes.
import type { TSchema } from 'typebox';
import { AgentConfig, AgentConfigChange, AgentList, AgentStateReply, Directory, DirectoryQuery, StateChange } from './modules/agents/agents-schemas.js';
import { AuthMethods, LoginBody, SessionReply } from './modules/auth/auth-schemas.js';
import { Callback, CallbackList, CallbackMove, CallbacksQuery } from './modules/callbacks/callbacks-schemas.js';
import { CampaignList, Campaign, CampaignInput, EntriesQuery, EntryList, ListResult, PreviewCustomer, PreviewReply, Progress, Segment } from './modules/campaigns/campaigns-schemas.js';
import { CaseCreate, CaseDetail, CaseList, CaseReport, CaseReportQuery, CasesQuery, Task, TaskCall, TaskComplete, TaskList, TasksQuery } from './modules/cases/cases-schemas.js';
import { ProfileQuery, Profile, SearchQuery, SearchReply } from './modules/customers/customers-schemas.js';
import { InteractionList, InteractionsQuery, Timeline } from './modules/interactions/interactions-schemas.js';
import { Recording, RecordingList, RecordingsQuery } from './modules/recordings/recordings-schemas.js';
import { AgentStatesQuery, AgentStatesReport, ContactsQuery, ContactsReport } from './modules/reports/reports-schemas.js';
import { RmTaskCreate, Worklist } from './modules/rm/rm-schemas.js';
import { BroadcastBody, BroadcastReply, EntryActionReply, MonitorBody, MonitorReply, PriorityBody, SkillBody } from './modules/supervision/supervision-schemas.js';
import { Softphone } from './modules/users/users-schemas.js';

export interface RouteContract { body?: TSchema; query?: TSchema; reply: TSchema }

export const API = {
  'GET /api/auth/methods': { reply: AuthMethods },
  'POST /api/auth/login': { body: LoginBody, reply: SessionReply },

  'GET /api/agents': { reply: AgentList },
  'GET /api/agents/directory': { query: DirectoryQuery, reply: Directory },
  'GET /api/agents/me/softphone': { reply: Softphone },
  'GET /api/agents/:id/config': { reply: AgentConfig },
  'PATCH /api/agents/:id': { body: AgentConfigChange, reply: AgentConfig },
  'PUT /api/agents/:id/state': { body: StateChange, reply: AgentStateReply },
  'GET /api/supervisors/me/softphone': { reply: Softphone },

  'GET /api/customers/search': { query: SearchQuery, reply: SearchReply },
  'GET /api/customers/:id/profile': { query: ProfileQuery, reply: Profile },
  'GET /api/interactions': { query: InteractionsQuery, reply: InteractionList },
  'GET /api/interactions/:id/timeline': { reply: Timeline },
  'POST /api/interactions/:id/recording/pause': { reply: Recording },
  'POST /api/interactions/:id/recording/resume': { reply: Recording },
  'GET /api/recordings': { query: RecordingsQuery, reply: RecordingList },

  'POST /api/cases': { body: CaseCreate, reply: CaseDetail },
  'GET /api/cases': { query: CasesQuery, reply: CaseList },
  'GET /api/cases/report': { query: CaseReportQuery, reply: CaseReport },
  'GET /api/tasks': { query: TasksQuery, reply: TaskList },
  'POST /api/tasks/:id/call': { reply: TaskCall },
  'POST /api/tasks/:id/complete': { body: TaskComplete, reply: Task },
  'POST /api/rm/tasks': { body: RmTaskCreate, reply: Task },
  'GET /api/rm/worklist': { reply: Worklist },
  'GET /api/callbacks': { query: CallbacksQuery, reply: CallbackList },
  'PATCH /api/callbacks/:id': { body: CallbackMove, reply: Callback },
  'POST /api/callbacks/:id/cancel': { reply: Callback },

  'POST /api/queue-entries/:id/priority': { body: PriorityBody, reply: EntryActionReply },
  'POST /api/queue-entries/:id/skill': { body: SkillBody, reply: EntryActionReply },
  'POST /api/queue-entries/:id/monitor': { body: MonitorBody, reply: MonitorReply },
  'DELETE /api/queue-entries/:id/monitor': { reply: MonitorReply },
  'POST /api/broadcasts': { body: BroadcastBody, reply: BroadcastReply },

  'GET /api/campaigns': { reply: CampaignList },
  'POST /api/campaigns': { body: CampaignInput, reply: Campaign },
  'POST /api/campaigns/:id/:action': { reply: Campaign },
  'GET /api/campaigns/:id/progress': { reply: Progress },
  'GET /api/campaigns/:id/entries': { query: EntriesQuery, reply: EntryList },
  'POST /api/campaigns/:id/list/segment': { body: Segment, reply: ListResult },
  'POST /api/campaigns/preview/next': { reply: PreviewCustomer },
  'POST /api/campaigns/preview/:attempt/dial': { reply: PreviewReply },
  'POST /api/campaigns/preview/:attempt/skip': { reply: PreviewReply },

  'GET /api/reports/contacts': { query: ContactsQuery, reply: ContactsReport },
  'GET /api/reports/agent-states': { query: AgentStatesQuery, reply: AgentStatesReport },
} as const satisfies Record<string, RouteContract>;

export type Api = typeof API;
export type ApiRoute = keyof Api;
