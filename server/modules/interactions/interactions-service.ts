import type { Knex } from 'knex';
import { appError } from '../../errors.js';
import { recordAudit } from '../audit/audit-repository.js';
import type { CustomersService, Viewer } from '../customers/customers-service.js';
import type { ViewerScope } from '../customers/views-repository.js';
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

/** Reading the interaction log. A customer's history is customer data: every read is audited. */
export function createInteractionsService({ db, customers }: { db: Knex; customers: Pick<CustomersService, 'scopeOf' | 'withinScope'> }) {
  const scopeOf = (viewer: Viewer) => customers.scopeOf(viewer);

  /** One customer's history is theirs to read only within the viewer's book or unit; a call with no customer, not by an RM. */
  async function checkScope(scope: ViewerScope, customerId: number | null): Promise<void> {
    const allowed = customerId === null ? scope.role !== 'rm' : await customers.withinScope(scope, customerId);
    if (!allowed) throw appError('SB_ERR_CUSTOMER_OUT_OF_SCOPE');
  }

  return {
    async list(q: { customer_id?: number; mine?: boolean; from?: string; to?: string; limit: number }, viewer: Viewer) {
      // Least privilege (SEC-01): an agent reads one customer's history or their own calls, never the whole log.
      if (q.customer_id === undefined && !q.mine && viewer.user.role === 'agent') throw appError('SB_ERR_AUTH_FORBIDDEN', 'Agents list interactions by customer_id, or their own (mine=true)');
      const scope = await scopeOf(viewer);
      if (q.customer_id !== undefined) await checkScope(scope, q.customer_id);
      const rows = await listInteractions(db, { ...q, agent_user_id: q.mine ? Number(viewer.user.sub) : undefined }, scope);
      if (q.customer_id !== undefined) {
        await recordAudit(db, { actor: viewer.user, action: 'customer.interactions_view', customer_id: q.customer_id, purpose: 'review', ip: viewer.ip });
      } else {
        // A list across customers, agents' notes included, is a bulk read: audited with whom it showed.
        const customerIds = [...new Set(rows.map((r) => r.customer_id as number | null).filter((id): id is number => id !== null))];
        await recordAudit(db, { actor: viewer.user, action: 'customer.interactions_list', purpose: 'review', ip: viewer.ip, details: { mine: Boolean(q.mine), from: q.from ?? null, to: q.to ?? null, interactions: rows.length, customer_ids: customerIds } });
      }
      return { interactions: rows.map(toInteraction) };
    },

    async timeline(id: string, viewer: Viewer) {
      const row = await findInteraction(db, id);
      if (!row) throw appError('SB_ERR_INTERACTION_NOT_FOUND');
      await checkScope(await scopeOf(viewer), (row.customer_id as number | null) ?? null);
      await recordAudit(db, { actor: viewer.user, action: 'customer.interactions_view', customer_id: row.customer_id ?? null, purpose: 'review', ip: viewer.ip, details: { interaction_id: id } });
      const events = await listEvents(db, id);
      return { interaction: toInteraction(row), events: events.map((e) => ({ ...e, at: new Date(e.at).toISOString() })) };
    },
  };
}

export type InteractionsService = ReturnType<typeof createInteractionsService>;
