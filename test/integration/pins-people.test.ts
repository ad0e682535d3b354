import argon2 from 'argon2';
import { describe, expect, it } from 'vitest';
import { DEMO_PIN } from '../../server/db/synthetic-bank.js';
import { busyAgent, connectAgent, makeAgents } from '../helpers/agents.js';
import { hotlinePerTest } from '../helpers/floor.js';
import { HOTLINE, timelineOf, type Hotline } from '../helpers/hotline.js';
import { clockFrom } from '../helpers/wait.js';

const floor = hotlinePerTest();

const GOLD = '+8613800000003';
const STRANGER = '+8613987654321';
// A Wednesday at 10:00 in Shanghai: the hotline is open.
const OPEN = clockFrom('2026-11-18T02:00:00Z').now;

/** Dials the hotline and answers each prompt in turn; resolves when the IVR waits, queues or hangs up. */
async function call(h: Hotline, from: string, ...presses: string[]) {
  const c = h.sim.dial({ from, to: HOTLINE });
  for (const keys of presses) {
    await c.waitFor('gathering');
    await c.press(keys);
  }
  const deadline = Date.now() + 10_000;
  while (!['gathering', 'queued', 'ended'].includes(c.state)) {
    if (Date.now() > deadline) throw new Error(`call stuck in ${c.state}: ${c.heard().join(' | ')}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return c;
}

const types = (events: { type: string }[]) => events.map((e) => e.type);

/** A customer with a phone of their own (nobody shares it) and no phone-banking PIN yet. */
async function customerWithoutPin(h: Hotline) {
  const row = await h.db('customer_phones as p')
    .whereNotExists(h.db('phone_pins').whereRaw('phone_pins.customer_id = p.customer_id'))
    .whereNotExists(h.db('customer_phones as o').whereRaw('o.phone = p.phone and o.customer_id <> p.customer_id'))
    .whereExists(h.db('deposit_accounts as d').whereRaw("d.customer_id = p.customer_id and d.status <> 'closed'"))
    .orderBy('p.customer_id').first('p.customer_id', 'p.phone');
  return row as { customer_id: number; phone: string };
}

describe('the phone-banking PIN life cycle', () => {
  it('a PIN feed of hashes made at source: the caller\'s PIN works in the IVR; a bad hash is refused by line, never shown; the same file again never unlocks a locked PIN, a new hash does', async () => {
    const t = await floor.start({}, { now: OPEN });
    const admin = await t.auth('admin');
    const who = await customerWithoutPin(t);
    const { customer_no } = await t.db('customers').where({ id: who.customer_id }).first('customer_no');
    const pin = '135790';
    const hash = await argon2.hash(pin, { type: argon2.argon2id });
    // An argon2 hash holds commas (m=…,t=…,p=…): quoted in CSV, as RFC 4180 has it.
    const feed = `customer_no,pin_hash\n${customer_no},"${hash}"\nNOBODY,"${hash}"\n${customer_no}-X,246813\n`;
    const send = (body: string) => t.http.post('/api/feeds/pins/runs').set(admin).set('content-type', 'text/csv').send(body);
    const first = await send(feed);
    expect(first.body).toMatchObject({ added: 1, rejected: 2 });
    expect(first.body.errors.map((e: { line: number; code: string }) => [e.line, e.code])).toEqual([[3, 'customer_not_found'], [4, 'pin_hash_invalid']]);
    expect(JSON.stringify(first.body)).not.toContain(hash);
    expect(await t.db('audit_log').where({ action: 'pin.enrol', customer_id: who.customer_id }).first('details')).toMatchObject({ details: { feed_run_id: first.body.id, replaced: false } });

    const ok = await call(t, who.phone, '1', '1', '1', pin);
    expect((await timelineOf(t, ok.sid)).interaction.verified).toBe(true);
    await ok.hangup();

    // Locked by three wrong PINs; the nightly file sent again leaves it locked.
    const wrong = await call(t, who.phone, '1', '1', '1', '000000', '111111', '222222');
    await wrong.hangup();
    expect((await send(feed)).body).toMatchObject({ added: 0, changed: 0, unchanged: 1 });
    expect((await t.http.get(`/api/customers/${who.customer_id}/pin`).set(admin)).body).toMatchObject({ locked: true, lock_cause: 'failures' });
    // A new PIN issued at source replaces it, unlocked.
    const fresh = await argon2.hash('864213', { type: argon2.argon2id });
    expect((await send(`customer_no,pin_hash\n${customer_no},"${fresh}"\n`)).body).toMatchObject({ changed: 1 });
    expect((await t.http.get(`/api/customers/${who.customer_id}/pin`).set(admin)).body).toMatchObject({ enrolled: true, locked: false, failures: 0 });
  });

  it('enrolled from a hash made at source, used for a balance, locked by three wrong PINs, shown on the pop, unlocked by a supervisor with a reason, and works again', async () => {
    const t = await floor.start({}, { now: OPEN });
    await busyAgent(t.db, 'sec', { security: 1, general: 1 });
    const admin = await t.auth('admin');
    const supervisor = await t.auth('supervisor1');
    const agent = await t.auth('agent1');
    const who = await customerWithoutPin(t);
    const pin = '246813';

    // Bad input is refused with a code: not an argon2id hash, a cost the IVR could not afford, an unknown customer.
    for (const pin_hash of ['246813', '$2b$10$abcdefghijklmnopqrstuv', await argon2.hash(pin, { type: argon2.argon2i })]) {
      const bad = await t.http.put(`/api/customers/${who.customer_id}/pin`).set(admin).send({ pin_hash });
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('SB_ERR_PIN_HASH_INVALID');
    }
    const costly = await argon2.hash(pin, { type: argon2.argon2id, timeCost: 11 });
    expect((await t.http.put(`/api/customers/${who.customer_id}/pin`).set(admin).send({ pin_hash: costly })).body.code).toBe('SB_ERR_PIN_HASH_INVALID');
    const hash = await argon2.hash(pin, { type: argon2.argon2id });
    expect((await t.http.put('/api/customers/99999999/pin').set(admin).send({ pin_hash: hash })).body.code).toBe('SB_ERR_CUSTOMER_NOT_FOUND');
    // Enrolment is the feed's (an admin account): a supervisor may not set a PIN.
    expect((await t.http.put(`/api/customers/${who.customer_id}/pin`).set(supervisor).send({ pin_hash: hash })).status).toBe(403);

    const enrolled = await t.http.put(`/api/customers/${who.customer_id}/pin`).set(admin).send({ pin_hash: hash });
    expect(enrolled.status).toBe(200);
    expect(enrolled.body).toMatchObject({ enrolled: true, locked: false, failures: 0, lock_cause: null });

    // The customer uses it: their balance is read out.
    const first = await call(t, who.phone, '1', '1', '1', pin);
    expect(first.heard().join('\n')).toMatch(/余额为 [\d,]+\.\d\d/);
    expect((await timelineOf(t, first.sid)).interaction.verified).toBe(true);
    await first.hangup();

    // Three wrong PINs from their own phone lock it, and the caller goes to the security desk.
    const wrong = await call(t, who.phone, '1', '1', '1', '000000', '111111', '222222');
    expect(wrong.state).toBe('queued');
    const { interaction, events } = await timelineOf(t, wrong.sid);
    expect(interaction.queue_skill).toBe('security');
    expect(types(events)).toContain('pin_locked');
    await wrong.hangup();

    // The pop shows the lock, when, and why.
    const pop = await t.openProfile(who.customer_id, agent);
    expect(pop.status).toBe(200);
    expect(pop.body.phone_pin).toMatchObject({ enrolled: true, locked: true, lock_cause: 'failures', failures: 3 });
    expect(new Date(pop.body.phone_pin.locked_at).toISOString().slice(0, 10)).toBe('2026-11-18');

    // Locked means locked: the right PIN does not get through.
    const stillLocked = await call(t, who.phone, '1', '1', '1', pin);
    expect((await timelineOf(t, stillLocked.sid)).interaction.verified).toBe(false);
    await stillLocked.hangup();

    // An agent may not unlock it; nor may anyone without a reason from the list.
    const byAgent = await t.http.post(`/api/customers/${who.customer_id}/pin/unlock`).set(agent).send({ reason: 'identity_verified_on_call' });
    expect(byAgent.status).toBe(403);
    expect(byAgent.body.code).toBe('SB_ERR_AUTH_FORBIDDEN');
    for (const body of [{}, { reason: 'he sounded nice' }, { reason: 'identity_verified_on_call', note: 'free text' }]) {
      const bad = await t.http.post(`/api/customers/${who.customer_id}/pin/unlock`).set(supervisor).send(body);
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('SB_ERR_REQUEST_INVALID');
    }
    expect((await t.http.get(`/api/customers/${who.customer_id}/pin`).set(supervisor)).body.locked).toBe(true);

    const unlocked = await t.http.post(`/api/customers/${who.customer_id}/pin/unlock`).set(supervisor).send({ reason: 'identity_verified_on_call' });
    expect(unlocked.status).toBe(200);
    expect(unlocked.body).toMatchObject({ enrolled: true, locked: false, locked_at: null, lock_cause: null, failures: 0 });
    const again = await t.http.post(`/api/customers/${who.customer_id}/pin/unlock`).set(supervisor).send({ reason: 'identity_verified_on_call' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('SB_ERR_PIN_NOT_LOCKED');
    const audit = await t.db('audit_log').where({ action: 'pin.unlock', customer_id: who.customer_id });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_username: 'supervisor1', actor_role: 'supervisor' });
    expect(audit[0].details).toMatchObject({ reason: 'identity_verified_on_call', lock_cause: 'failures' });

    // It works again.
    const after = await call(t, who.phone, '1', '1', '1', pin);
    expect(after.heard().join('\n')).toMatch(/余额为 [\d,]+\.\d\d/);
    expect((await timelineOf(t, after.sid)).interaction.verified).toBe(true);
    await after.hangup();

    // A reset removes the PIN: the caller hears they have none and goes to an agent, until a new one is enrolled.
    const reset = await t.http.post(`/api/customers/${who.customer_id}/pin/reset`).set(supervisor).send({ reason: 'customer_forgot_pin' });
    expect(reset.body).toMatchObject({ enrolled: false, locked: false });
    const none = await call(t, who.phone, '1', '1', '1', pin);
    expect(types((await timelineOf(t, none.sid)).events)).toContain('verify_no_pin');
    expect((await t.http.post(`/api/customers/${who.customer_id}/pin/unlock`).set(supervisor).send({ reason: 'identity_verified_on_call' })).body.code).toBe('SB_ERR_PIN_NOT_ENROLLED');

    // No PIN and no hash went into the audit log or the timeline.
    const stored = JSON.stringify([await t.db('audit_log').where({ customer_id: who.customer_id }), await t.db('interaction_events').whereIn('interaction_id', t.db('interactions').select('id').where({ customer_id: who.customer_id }))]);
    expect(stored).not.toContain(pin);
    expect(stored).not.toContain('$argon2');
  });

  it('a stranger typing someone else\'s account number cannot lock its owner out: after three wrong PINs that number gets no more tries, and the owner is untouched', async () => {
    const t = await floor.start({}, { now: OPEN });
    await busyAgent(t.db, 'gen', { general: 1, security: 1 });
    const victim = await t.db('customer_phones').where({ phone: GOLD }).first('customer_id');
    const account = await t.db('deposit_accounts').where({ customer_id: victim.customer_id }).whereNot('status', 'closed').orderBy('id').first('account_no');
    const byAccount = (from: string, ...pins: string[]) => call(t!, from, '1', '1', '1', `${account.account_no}#`, ...pins);

    // Three wrong PINs: the first two are "wrong, try again", the third ends the tries for this number.
    const first = await byAccount(STRANGER, '000000', '111111', '222222');
    expect(first.state).toBe('queued');
    const { interaction, events } = await timelineOf(t, first.sid);
    expect(interaction.queue_skill).toBe('general');
    expect(types(events).filter((e) => e === 'verify_failed')).toHaveLength(2);
    expect(types(events)).toContain('pin_throttled');
    expect(types(events)).not.toContain('pin_locked');
    expect(first.heard().join('\n')).toContain('本来电号码暂时不能再验证电话银行密码');
    await first.hangup();

    // The owner's PIN is neither locked nor one failure closer to it.
    const pin = await t.db('phone_pins').where({ customer_id: victim.customer_id }).first();
    expect(pin).toMatchObject({ failures: 0, locked_at: null });

    // The same number, even with the right PIN, is refused before the PIN is checked.
    const retry = await byAccount(STRANGER, DEMO_PIN);
    const second = await timelineOf(t, retry.sid);
    expect(second.interaction.verified).toBe(false);
    expect(types(second.events)).toContain('pin_throttled');
    await retry.hangup();

    // The owner, from their own phone, gets straight in.
    const owner = await call(t, GOLD, '1', '1', '1', DEMO_PIN);
    expect(owner.heard().join('\n')).toMatch(/余额为 [\d,]+\.\d\d/);
    expect((await timelineOf(t, owner.sid)).interaction.verified).toBe(true);
    await owner.hangup();

    // Another number is not held back by the first one's failures: its one wrong PIN is just wrong.
    const other = await byAccount('+8613911112222', '333333');
    expect(other.state).toBe('gathering');
    expect(types((await timelineOf(t, other.sid)).events)).toContain('verify_failed');
    await other.hangup();
    expect((await t.db('phone_pins').where({ customer_id: victim.customer_id }).first()).locked_at).toBeNull();
  });
});

describe("an agent's skills and languages", () => {
  it('an agent given English by a supervisor is offered the English caller already waiting, with no restart', async () => {
    const t = await floor.start({ ROUTING_SWEEP_MS: '200' }, { now: OPEN });
    const h = t;
    const supervisor = await h.auth('supervisor1');
    // An English speaker busy on a call: the queue is staffed for English, so the caller waits.
    await busyAgent(h.db, 'en', { general: 1 }, ['en']);
    // As a new agent starts: general only, Mandarin only.
    const [who] = await makeAgents(h.app, h.db, 'newhire', 1, { general: 1 }, ['zh']);
    const agent = await connectAgent(h.url, who!.token, who!.id);
    floor.track(agent);
    await agent.next('agent:restore');
    await agent.request('state:set', { state: 'available' });

    // The caller picks English at the language menu and asks for an agent.
    const caller = await call(h, STRANGER, '2', '0');
    expect(caller.state).toBe('queued');
    expect(caller.heard().join('\n')).toContain('Connecting you to an agent');
    const entry = await h.db('queue_entries').where({ call_sid: caller.sid }).first();
    expect(entry.language).toBe('en');
    expect(agent.received.some((r) => r.event === 'call:offered')).toBe(false);

    const changed = await h.http.patch(`/api/agents/${who!.id}`).set(supervisor).send({ languages: ['zh', 'en'], skills: { general: 3, cards: 2 }, team: '信用卡组' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ user_id: who!.id, languages: ['zh', 'en'], skills: { general: 3, cards: 2 }, team: '信用卡组', phone: null });

    const offer = await agent.next('call:offered');
    expect(offer.entry_id).toBe(String(entry.id));
    await agent.request('call:accept', { entry_id: offer.entry_id });
    await agent.next('call:connected');
    await caller.waitFor('conference');

    // The change is audited, and the list shows the new settings.
    const audit = await h.db('audit_log').where({ action: 'agent.profile_update' }).first();
    expect(audit.details).toMatchObject({ agent_id: who!.id, languages: ['zh', 'en'], skills: { general: 3, cards: 2 } });
    const list = await h.http.get('/api/agents').set(supervisor);
    expect(list.body.agents.find((a: { user_id: number }) => a.user_id === who!.id)).toMatchObject({ languages: ['zh', 'en'], team: '信用卡组' });
  });

  it('refuses bad settings with codes, and people who may not change them', async () => {
    const t = await floor.start({}, { now: OPEN });
    const h = t;
    const [who] = await makeAgents(h.app, h.db, 'cfg', 1, { general: 1 }, ['zh']);
    const admin = await h.auth('admin');
    const supervisor = await h.auth('supervisor1');
    const agent = await h.auth('agent1');
    const patch = (id: number, body: unknown, as = supervisor) => h.http.patch(`/api/agents/${id}`).set(as).send(body as object);

    const cases: [unknown, number, string][] = [
      [{ skills: { astrology: 2 } }, 400, 'SB_ERR_REQUEST_INVALID'],
      [{ skills: { general: 9 } }, 400, 'SB_ERR_REQUEST_INVALID'],
      [{ skills: {} }, 400, 'SB_ERR_REQUEST_INVALID'],
      [{ languages: [] }, 400, 'SB_ERR_REQUEST_INVALID'],
      [{ languages: ['fr'] }, 400, 'SB_ERR_REQUEST_INVALID'],
      [{ phone: 'call me maybe' }, 400, 'SB_ERR_PHONE_INVALID'],
      [{}, 400, 'SB_ERR_REQUEST_INVALID'],
      [{ role: 'admin' }, 400, 'SB_ERR_REQUEST_INVALID'],
    ];
    for (const [body, status, code] of cases) {
      const res = await patch(who!.id, body);
      expect([JSON.stringify(body), res.status, res.body.code]).toEqual([JSON.stringify(body), status, code]);
    }
    expect((await patch(99999999, { languages: ['en'] })).body.code).toBe('SB_ERR_AGENT_NOT_FOUND');
    // An agent may not change anyone's settings, their own included; a supervisor may not change an admin's.
    expect((await patch(who!.id, { languages: ['zh', 'en'] }, agent)).status).toBe(403);
    const adminUser = await h.db('users').where({ username: 'admin' }).first('id');
    const onAdmin = await patch(adminUser.id, { languages: ['en'] });
    expect([onAdmin.status, onAdmin.body.code]).toEqual([403, 'SB_ERR_AUTH_FORBIDDEN']);
    // An admin may; a phone is normalised and not written to the audit log.
    const ok = await patch(who!.id, { phone: '138 0000 7777' }, admin);
    expect(ok.body.phone).toBe('+8613800007777');
    const audits = JSON.stringify(await h.db('audit_log').where({ action: 'agent.profile_update' }));
    expect(audits).not.toContain('7777');
    expect((await h.db('agents').where({ user_id: who!.id }).first()).languages).toEqual(['zh']);
  });
});
