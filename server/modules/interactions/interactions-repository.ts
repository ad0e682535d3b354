import type { Knex } from 'knex';
import type { ViewerScope } from '../customers/views-repository.js';

export interface NewInteraction {
  id: string;
  channel: string;
  direction: 'inbound' | 'outbound';
  /** Null for an outbound contact not dialled yet (a callback waiting its turn). */
  call_sid: string | null;
  ani_masked: string;
  dnis: string;
  language: string;
  started_at: Date;
}

export interface EventRow {
  type: string;
  node?: string | null;
  data?: Record<string, unknown>;
  at?: Date;
}

/** The summary columns an event may set; everything else on an interaction is fixed at creation. */
export interface SummaryChange {
  customer_id?: number;
  tier_at_time?: string | null;
  language?: string;
  verified?: boolean;
  add_self_service?: string;
  queue_skill?: string;
  queued_at?: Date;
  answered_at?: Date;
  survey_score?: number;
  outcome?: string;
  ended_at?: Date;
  agent_user_id?: number;
}

export async function insertInteraction(trx: Knex, row: NewInteraction): Promise<void> {
  await trx('interactions').insert(row);
}

/** Who an outbound contact is for (a campaign's entry, a callback), set when it is opened. */
export async function setOutboundParty(trx: Knex, interactionId: string, p: { customer_id: number | null; tier_at_time: string | null; campaign_id: number | null; callback_id: string | null }): Promise<void> {
  await trx('interactions').where({ id: interactionId }).update(p);
}

/** An outbound contact's call, once Twilio names it (the first request about it sets it). */
export async function attachCall(trx: Knex, interactionId: string, callSid: string): Promise<void> {
  await trx('interactions').where({ id: interactionId }).whereNull('call_sid').update({ call_sid: callSid });
}

/** What the call's outcome at its end is decided from. */
export async function outcomeFacts(trx: Knex, interactionId: string): Promise<{ outcome: string | null; queued_at: Date | null; answered_at: Date | null; self_service: string[] } | undefined> {
  return trx('interactions').where({ id: interactionId }).first('outcome', 'queued_at', 'answered_at', 'self_service');
}

/** Appends to the timeline (append-only: a trigger refuses UPDATE and DELETE). */
export async function appendEvents(trx: Knex, interactionId: string, events: EventRow[]): Promise<void> {
  if (events.length === 0) return;
  await trx('interaction_events').insert(events.map((e) => ({
    interaction_id: interactionId,
    type: e.type,
    node: e.node ?? null,
    data: JSON.stringify(e.data ?? {}),
    ...(e.at ? { at: e.at } : {}),
  })));
}

/** Applies the summary an event implies, in the same transaction as the event itself. */
export async function updateSummary(trx: Knex, interactionId: string, change: SummaryChange): Promise<void> {
  const { add_self_service, ...columns } = change;
  const update: Record<string, unknown> = { ...columns };
  // A service used twice in one call is listed once.
  if (add_self_service) update.self_service = trx.raw('(SELECT array_agg(DISTINCT s) FROM unnest(array_append(self_service, ?)) s)', [add_self_service]);
  if (Object.keys(update).length === 0) return;
  await trx('interactions').where({ id: interactionId }).update(update);
}

/** The self-services a call's caller has used so far (each once). */
export async function selfServiceOf(trx: Knex, interactionId: string): Promise<string[]> {
  return (await trx('interactions').where({ id: interactionId }).first('self_service'))?.self_service ?? [];
}

const SUMMARY_COLUMNS = [
  'id', 'customer_id', 'channel', 'direction', 'call_sid', 'ani_masked', 'dnis', 'language', 'tier_at_time', 'verified',
  'self_service', 'queue_skill', 'outcome', 'survey_score', 'disposition', 'summary', 'started_at', 'queued_at', 'answered_at', 'ended_at',
  'agent_user_id', 'reason_codes', 'products_discussed', 'notes', 'wrapped_up_at',
] as const;

export async function listInteractions(db: Knex, q: { customer_id?: number; agent_user_id?: number; from?: string; to?: string; limit: number }, scope: ViewerScope) {
  const query = db('interactions').select(SUMMARY_COLUMNS).orderBy('started_at', 'desc').limit(q.limit);
  // An RM reads their book's calls; staff of a unit the calls of its customers (and of callers nobody identified).
  if (scope.role === 'rm') query.whereIn('customer_id', db('customers').select('id').where('rm_id', scope.rm_id ?? -1));
  if (scope.org_unit) query.where((w) => w.whereNull('customer_id').orWhereIn('customer_id', db('customers').select('id').where((c) => c.whereNull('org_unit').orWhere('org_unit', scope.org_unit))));
  if (q.customer_id !== undefined) query.where('customer_id', q.customer_id);
  if (q.agent_user_id !== undefined) query.where('agent_user_id', q.agent_user_id);
  if (q.from) query.where('started_at', '>=', q.from);
  if (q.to) query.where('started_at', '<', q.to);
  return query;
}

export async function findInteraction(db: Knex, id: string) {
  return db('interactions').select(SUMMARY_COLUMNS).where({ id }).first();
}

export async function listEvents(db: Knex, interactionId: string) {
  return db('interaction_events').where({ interaction_id: interactionId }).orderBy('id').select('id', 'at', 'type', 'node', 'data');
}
