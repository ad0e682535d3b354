import type { Knex } from 'knex';
import { appError } from '../../errors.js';
import { agentStateNotice, type Notice } from '../../lib/realtime-notices.js';
import { recordAudit } from '../audit/audit-repository.js';
import type { TokenClaims } from '../../plugins/auth.js';
import { normalizePhone } from '../../lib/phone.js';
import { ensureAgent, findAgent, findAgentUser, listAgents, renewLease, searchDirectory, transition, updateAgentConfig, type AgentState } from './agents-repository.js';
import type { AgentConfig, AgentConfigChange, DirectoryEntry, StateChange } from './agents-schemas.js';

export interface AgentsDeps {
  db: Knex;
  leaseSeconds: number;
  notify: (notices: Notice[]) => void;
  /** Routing has new work when an agent becomes available (or their skills or languages change). */
  onAvailable: () => void;
  now?: () => Date;
}

// An agent can choose these only from a state with no call attached: a call in progress, an
// offer or an unfinished wrap-up must end through the call, never by switching state.
const CHOOSABLE_FROM: readonly AgentState[] = ['offline', 'available', 'away'];

/** Whose routing settings a supervisor may change: the people who take calls, not other supervisors or admins. */
const SUPERVISED_ROLES: ReadonlySet<string> = new Set(['agent', 'rm']);

/** Agent presence and states. Presence is a lease the console renews; it ends the agent's session when it lapses. */
export function createAgentsService(deps: AgentsDeps) {
  const { db } = deps;
  const clock = deps.now ?? (() => new Date());

  /** An agent's routing settings, for the admin screen. */
  async function configOf(agentId: number): Promise<AgentConfig> {
    const a = await findAgentUser(db, agentId, { create: false });
    if (!a) throw appError('SB_ERR_AGENT_NOT_FOUND', `No agent ${agentId}`);
    return { user_id: a.user_id, display_name: a.display_name, role: a.role, skills: a.skills, languages: a.languages, phone: a.phone, team: a.team };
  }

  return {
    /** A console connected or sent its heartbeat: the agent is present for another lease period. */
    async heartbeat(agentId: number): Promise<void> {
      await ensureAgent(db, agentId);
      await renewLease(db, agentId, new Date(clock().getTime() + deps.leaseSeconds * 1000));
    },

    /** The agent (or a supervisor, for them) chooses available, away with a reason, or offline. */
    async setState(agentId: number, change: StateChange, actor: TokenClaims, ip?: string) {
      const now = clock();
      const reason = change.state === 'away' ? change.reason ?? 'break' : null;
      const moved = await db.transaction(async (trx) => {
        const agent = await findAgent(trx, agentId);
        if (!agent) throw appError('SB_ERR_AGENT_NOT_FOUND', `No agent ${agentId}`);
        const before = await transition(trx, agentId, change.state, { from: CHOOSABLE_FROM, reason, at: now });
        if (!before) throw appError('SB_ERR_AGENT_STATE_INVALID', `Agent ${agentId} is ${agent.state}: finish the call (and its wrap-up) first`);
        if (String(agentId) !== actor.sub) {
          await recordAudit(trx, { actor, action: 'agent.state_change', ip, details: { agent_id: agentId, from: before.state, to: change.state, reason } });
        }
        return before;
      });
      deps.notify([agentStateNotice(agentId, change.state, reason, now)]);
      if (change.state === 'available' && moved.state !== 'available') deps.onAvailable();
      return { state: change.state, reason, since: now.toISOString() };
    },

    config: configOf,

    /**
     * Sets an agent's skills, languages, phone or team (audited). Routing reads agents from the
     * database on every pass, so the change holds from the next pass, with no restart; a pass is
     * asked for now, since the change may let the agent take a caller who is waiting.
     */
    async configure(agentId: number, change: AgentConfigChange, actor: TokenClaims, ip?: string): Promise<AgentConfig> {
      const phone = change.phone === undefined || change.phone === null ? change.phone : normalizePhone(change.phone);
      const team = change.team === undefined || change.team === null ? change.team : change.team.trim() || null;
      await db.transaction(async (trx) => {
        const a = await findAgentUser(trx, agentId, { create: true });
        if (!a) throw appError('SB_ERR_AGENT_NOT_FOUND', `No agent ${agentId}`);
        if (actor.role !== 'admin' && !SUPERVISED_ROLES.has(a.role)) throw appError('SB_ERR_AUTH_FORBIDDEN', "A supervisor sets agents' and RMs' routing settings; an admin sets everyone's");
        await updateAgentConfig(trx, agentId, { skills: change.skills as Record<string, number> | undefined, languages: change.languages, phone, team });
        // The phone number itself is not written to the audit log: only that it changed.
        await recordAudit(trx, {
          actor, action: 'agent.profile_update', ip,
          details: { agent_id: agentId, skills: change.skills, languages: change.languages, team, phone_changed: phone !== undefined },
        });
      });
      deps.onAvailable();
      return configOf(agentId);
    },

    async list() {
      const now = clock();
      const rows = await listAgents(db);
      return {
        agents: rows.map((r) => ({
          user_id: r.user_id, username: r.username, display_name: r.display_name, role: r.role,
          state: r.state, reason: r.reason, state_since: new Date(r.state_since).toISOString(),
          seconds_in_state: Math.max(0, Math.round((now.getTime() - new Date(r.state_since).getTime()) / 1000)),
          online: r.lease_until !== null && new Date(r.lease_until) > now,
          skills: r.skills, languages: r.languages, team: r.team, rm_id: r.rm_id, entry_id: r.entry_id === null ? null : String(r.entry_id),
        })),
      };
    },

    /** The transfer directory: colleagues by name, their state and skills, so an agent picks someone who can take the call. */
    async directory(q: string, limit: number): Promise<{ agents: DirectoryEntry[] }> {
      const now = clock();
      const rows = await searchDirectory(db, q.trim(), limit);
      return {
        agents: rows.map((r) => {
          const online = r.lease_until !== null && new Date(r.lease_until) > now;
          return {
            id: r.user_id, display_name: r.display_name, role: r.role, state: r.state, reason: r.reason, since: new Date(r.state_since).toISOString(),
            online, available: online && r.state === 'available', skills: r.skills, languages: r.languages,
          };
        }),
      };
    },
  };
}

export type AgentsService = ReturnType<typeof createAgentsService>;
