import type { Knex } from 'knex';
import type { TokenClaims } from '../../plugins/auth.js';

export type Actor = Pick<TokenClaims, 'sub' | 'username' | 'role'>;

export type AuditAction =
  | 'auth.login'
  | 'auth.login_failed'
  | 'auth.logout'
  | 'auth.session_reused'
  | 'customer.view'
  | 'customer.view_refused'
  | 'customer.lookup'
  | 'customer.search'
  | 'customer.holdings_update'
  | 'customer.update'
  | 'customer.interactions_view'
  | 'customer.interactions_list'
  | 'agent.state_change'
  | 'agent.profile_update'
  | 'pin.enrol'
  | 'pin.unlock'
  | 'pin.lock'
  | 'pin.reset'
  | 'supervisor.queue_priority'
  | 'supervisor.queue_skill'
  | 'supervisor.broadcast'
  | 'supervisor.monitor'
  | 'campaign.create'
  | 'campaign.update'
  | 'campaign.list'
  | 'campaign.call_list_view'
  | 'campaign.start'
  | 'campaign.pause'
  | 'campaign.resume'
  | 'campaign.cancel'
  | 'dnc.add'
  | 'callback.create'
  | 'callback.cancel'
  | 'callback.move'
  | 'case.open'
  | 'case.view'
  | 'case.transition'
  | 'task.complete'
  | 'task.create'
  | 'rm.worklist'
  | 'recording.play'
  | 'recording.download'
  | 'recording.legal_hold'
  | 'recording.legal_hold_release'
  | 'data_out.read'
  | 'data_out.export'
  | 'webhook.subscribe'
  | 'webhook.unsubscribe'
  | 'webhook.retry';

export type AuditPurpose = 'call' | 'search' | 'callback' | 'review' | 'feed';

export interface AuditEntry {
  actor?: Actor | null;
  actor_username?: string; // for failed logins, where there is no authenticated actor
  action: AuditAction;
  customer_id?: number | null;
  purpose?: AuditPurpose | null;
  call_sid?: string | null;
  ip?: string | null;
  details?: Record<string, unknown>;
}

const toRow = (e: AuditEntry) => ({
  actor_user_id: e.actor ? Number(e.actor.sub) : null,
  actor_username: e.actor?.username ?? e.actor_username ?? null,
  actor_role: e.actor?.role ?? null,
  action: e.action,
  customer_id: e.customer_id ?? null,
  purpose: e.purpose ?? null,
  call_sid: e.call_sid ?? null,
  ip: e.ip ?? null,
  details: JSON.stringify(e.details ?? {}),
});

/** Appends to the audit log (append-only: a trigger refuses UPDATE and DELETE). */
export async function recordAudit(db: Knex, entries: AuditEntry | AuditEntry[]): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries];
  if (list.length) await db('audit_log').insert(list.map(toRow));
}
