import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';

// Test data the seed does not hold, made one way. Each factory writes the rows the product's own
// paths would have written (a customer with a phone, an agent login with its desk, a call's
// interaction and queue entry), with defaults that keep tests short and unique values so that
// tests sharing a database never collide.

let seq = 0;
const unique = () => `${process.pid}${Date.now() % 1e6}${++seq}`;

export interface CustomerSpec {
  phone?: string;
  customer_no?: string;
  language?: string;
  timezone?: string;
  consent?: boolean;
  dnc?: boolean;
  tier?: string;
}

/** A customer with one primary mobile number. */
export async function makeCustomer(db: Knex, o: CustomerSpec = {}): Promise<{ id: number; customer_no: string; phone: string }> {
  const n = unique();
  const phone = o.phone ?? `+86139${n.slice(-8).padStart(8, '0')}`;
  const [row] = await db('customers').insert({
    customer_no: o.customer_no ?? `CT${n}`, name_zh: `测试${seq}`, name_en: `Test ${seq}`, gender: 'U', id_type: 'resident_id', id_number: `T${n}`,
    region: 'Shanghai', language: o.language ?? 'zh', customer_since: '2020-01-01', marketing_consent: o.consent ?? true, do_not_call: o.dnc ?? false,
    timezone: o.timezone ?? 'Asia/Shanghai', ...(o.tier ? { tier: o.tier } : {}),
  }).returning(['id', 'customer_no']);
  await db('customer_phones').insert({ customer_id: row.id, phone, kind: 'mobile', is_primary: true });
  return { id: row.id as number, customer_no: row.customer_no as string, phone };
}

export interface AgentSpec {
  username: string;
  skills: Record<string, number>;
  languages?: string[];
  /** Another user's hash, to sign in with their password; none by default (tokens are signed by the app). */
  password_hash?: string;
  /** At work in this state (with a lease an hour long); unset: not yet signed in to the console. */
  state?: 'available' | 'on_call' | 'away';
}

/** An agent login and its desk (skills, languages). */
export async function makeAgent(db: Knex, o: AgentSpec): Promise<number> {
  const [row] = await db('users').insert({ username: o.username, password_hash: o.password_hash ?? 'x', role: 'agent', display_name: o.username }).returning('id');
  const id = (row as { id: number }).id;
  await db('agents').insert({
    user_id: id, skills: JSON.stringify(o.skills), languages: o.languages ?? ['zh', 'en'],
    ...(o.state ? { state: o.state, lease_until: new Date(Date.now() + 3_600_000) } : {}),
  });
  return id;
}

export interface CallSpec {
  enqueued_at: Date;
  state: 'waiting' | 'offered' | 'connected' | 'ended' | 'abandoned';
  tier?: string;
  skill?: string;
  /** Head start ahead of `enqueued_at` in the priority order, seconds. */
  head_start?: number;
  answered_at?: Date;
  ended_at?: Date;
  agent_id?: number;
  customer_id?: number;
}

/** A phone call's interaction and its place in a queue; the queue entry's id. */
export async function makeQueuedCall(db: Knex, o: CallSpec): Promise<string> {
  const interactionId = await makeInteraction(db, { started_at: new Date(o.enqueued_at.getTime() - 40_000), customer_id: o.customer_id });
  const [row] = await db('queue_entries').insert({
    interaction_id: interactionId, call_sid: `CA${randomUUID().replace(/-/g, '')}`, skill: o.skill ?? 'general', language: 'zh', tier: o.tier ?? 'STANDARD',
    customer_id: o.customer_id ?? null, enqueued_at: o.enqueued_at, priority_at: new Date(o.enqueued_at.getTime() - (o.head_start ?? 0) * 1000),
    state: o.state, agent_id: o.agent_id ?? null, answered_at: o.answered_at ?? null, ended_at: o.ended_at ?? null,
  }).returning('id');
  return String(row.id);
}

/** An inbound phone interaction (its timeline starts empty); its id. */
export async function makeInteraction(db: Knex, o: { started_at?: Date; customer_id?: number; agent_user_id?: number; disposition?: string } = {}): Promise<string> {
  const [row] = await db('interactions').insert({
    id: randomUUID(), channel: 'phone', direction: 'inbound', started_at: o.started_at ?? new Date(),
    customer_id: o.customer_id ?? null, agent_user_id: o.agent_user_id ?? null, disposition: o.disposition ?? null,
  }).returning('id');
  return String(row.id);
}
