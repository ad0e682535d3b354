import type { Knex } from 'knex';
import { appError } from '../../errors.js';
import type { TokenClaims } from '../../plugins/auth.js';
import { recordAudit } from '../audit/audit-repository.js';
import { findInteraction, listEvents, listInteractions } from './interactions-repository.js';
import type { Interaction } from './interactions-schemas.js';

type Row = Record<string, unknown>;
const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

function toInteraction(r: Row): Interaction {
  const started = new Date(r.started_at as string);
  const ended = r.ended_at ? new Date(r.ended_at as string) : null;
  return {
    ...(r as unknown as Interaction),
    started_at: started.toISOString(), queued_at: iso(r.queued_at), answered_at: iso(r.answered_at), ended_at: iso(r.ended_at),
    wrapped_up_at: iso(r.wrapped_up_at),
    duration_s: ended ? Math.round((ended.getTime() - started.getTime()) / 100) / 10 : null,
  };
}

export interface Viewer { user: TokenClaims; ip: string }

/** Reading the interaction log. A customer's history is customer data: every read is audited. */
export function createInteractionsService({ db }: { db: Knex }) {
  return {
    async list(q: { customer_id?: number; mine?: boolean; from?: string; to?: string; limit: number }, viewer: Viewer) {
      // Least privilege (SEC-01): an agent reads one customer's history or their own calls, never the whole log.
      if (q.customer_id === undefined && !q.mine && viewer.user.role === 'agent') throw appError('SB_ERR_AUTH_FORBIDDEN', 'Agents list interactions by customer_id, or their own (mine=true)');
      const rows = await listInteractions(db, { ...q, agent_user_id: q.mine ? Number(viewer.user.sub) : undefined });
      if (q.customer_id !== undefined) {
        await recordAudit(db, { actor: viewer.user, action: 'customer.interactions_view', customer_id: q.customer_id, purpose: 'review', ip: viewer.ip });
      }
      return { interactions: rows.map(toInteraction) };
    },

    async timeline(id: string, viewer: Viewer) {
      const row = await findInteraction(db, id);
      if (!row) throw appError('SB_ERR_INTERACTION_NOT_FOUND');
      await recordAudit(db, { actor: viewer.user, action: 'customer.interactions_view', customer_id: row.customer_id ?? null, purpose: 'review', ip: viewer.ip, details: { interaction_id: id } });
      const events = await listEvents(db, id);
      return { interaction: toInteraction(row), events: events.map((e) => ({ ...e, at: new Date(e.at).toISOString() })) };
    },
  };
}

export type InteractionsService = ReturnType<typeof createInteractionsService>;
