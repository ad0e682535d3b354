import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp | undefined;
afterEach(async () => { await t?.close(); t = undefined; });

const PRIVATE_PHONE = '+8613800000001';
const SHARED_PHONE = '+8613800000009';

describe('caller-ID lookup and the screen-pop profile', () => {
  it('a known caller pops one customer with the full profile, identity masked', async () => {
    t = await startTestApp();
    const res = await t.http.get('/api/customers/lookup').query({ phone: PRIVATE_PHONE }).set(await t.auth('agent1')).expect(200);
    expect(res.body.candidates).toHaveLength(1);
    const p = res.body.profile;
    expect(p.customer_id).toBe(res.body.candidates[0].customer_id);
    expect(p.value.tier).toBe('PRIVATE');
    expect(p.relationship_manager).toMatchObject({ name: expect.any(String), phone: expect.stringMatching(/^\+/) });
    // Identity is masked: no full ID number, phone or account number anywhere in the document.
    const raw = await t.db('customers').where({ id: p.customer_id }).first();
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(raw.id_number);
    expect(text).not.toContain(PRIVATE_PHONE);
    expect(p.identity.id_number_masked).toMatch(/\*{4,}/);
    const account = await t.db('deposit_accounts').where({ customer_id: p.customer_id }).first();
    expect(text).not.toContain(account.account_no);
    expect(p.holdings.deposits[0].account_no_masked).toMatch(/^\*{4}\d{4}$/);
  });

  it('the profile carries every section of the screen-pop', async () => {
    t = await startTestApp();
    const { body } = await t.http.get('/api/customers/lookup').query({ phone: PRIVATE_PHONE }).set(await t.auth('agent1')).expect(200);
    const p = body.profile;
    expect(Object.keys(p)).toEqual(expect.arrayContaining([
      'identity', 'value', 'relationship_manager', 'holdings', 'recent_transactions', 'recent_interactions',
      'open_complaints', 'flags', 'consent', 'offers', 'data_freshness',
    ]));
    expect(p.value.score).toBeGreaterThan(0);
    const b = p.value.breakdown;
    const sum = b.deposits + b.loans + b.fees + b.ebanking + b.international;
    expect(sum).toBeCloseTo(p.value.score, -1);
    expect(p.recent_transactions.length).toBeGreaterThan(0);
    expect(p.recent_interactions).toEqual([]);
    expect(p.data_freshness.generated_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    // Offers never exceed the customer's risk tolerance.
    for (const offer of p.offers) expect(offer.risk_level).toBeLessThanOrEqual(p.flags.risk_tolerance);
  });

  it('a shared family line returns every candidate and no guessed profile', async () => {
    t = await startTestApp();
    const res = await t.http.get('/api/customers/lookup').query({ phone: SHARED_PHONE }).set(await t.auth('agent1')).expect(200);
    expect(res.body.candidates.length).toBeGreaterThanOrEqual(2);
    expect(res.body.profile).toBeNull();
    expect(new Set(res.body.candidates.map((c: { customer_id: number }) => c.customer_id)).size).toBe(res.body.candidates.length);
  });

  it('a national-format number finds the same customer', async () => {
    t = await startTestApp();
    const res = await t.http.get('/api/customers/lookup').query({ phone: '138 0000 0001' }).set(await t.auth('agent1')).expect(200);
    expect(res.body.profile.value.tier).toBe('PRIVATE');
  });

  it('a malformed number is a coded 400; an unknown number or customer is a coded 404', async () => {
    t = await startTestApp();
    const headers = await t.auth('agent1');
    const bad = await t.http.get('/api/customers/lookup').query({ phone: 'call-me-maybe' }).set(headers).expect(400);
    expect(bad.body.code).toBe('SB_ERR_PHONE_INVALID');
    const unknown = await t.http.get('/api/customers/lookup').query({ phone: '+8619999999999' }).set(headers).expect(404);
    expect(unknown.body.code).toBe('SB_ERR_CUSTOMER_NOT_FOUND');
    const missing = await t.http.get('/api/customers/99999999/profile').query({ purpose: 'search' }).set(headers).expect(404);
    expect(missing.body.code).toBe('SB_ERR_CUSTOMER_NOT_FOUND');
    const notAnId = await t.http.get('/api/customers/abc/profile').set(headers).expect(400);
    expect(notAnId.body.code).toBe('SB_ERR_REQUEST_INVALID');
  });

  it('every profile read is audited with who, which customer and why', async () => {
    t = await startTestApp();
    const headers = await t.auth('agent2');
    // agent2 is on a call with customer 5 (their queue entry), and found customer 6 by a search.
    const agent2 = await t.db('users').where({ username: 'agent2' }).first('id');
    const callSid = 'CA0123456789abcdef0123456789abcdef';
    const interaction = '00000000-0000-4000-8000-000000000005';
    await t.db('interactions').insert({ id: interaction, channel: 'phone', direction: 'inbound', call_sid: callSid, language: 'zh', started_at: new Date(), customer_id: 5 });
    await t.db('queue_entries').insert({ interaction_id: interaction, call_sid: callSid, skill: 'general', language: 'zh', tier: 'GOLD', customer_id: 5, enqueued_at: new Date(), priority_at: new Date(), state: 'connected', agent_id: agent2.id });
    await t.http.get('/api/customers/5/profile').query({ call_sid: callSid }).set(headers).expect(200);
    expect((await t.openProfile(6, headers)).status).toBe(200);
    const rows = await t.db('audit_log').where({ action: 'customer.view', actor_username: 'agent2' }).orderBy('id');
    expect(rows.map((r) => [r.customer_id, r.purpose, r.call_sid, r.actor_role])).toEqual([
      [5, 'call', 'CA0123456789abcdef0123456789abcdef', 'agent'],
      [6, 'search', null, 'agent'],
    ]);
  });

  it('the audit log cannot be edited or deleted', async () => {
    t = await startTestApp();
    expect((await t.openProfile(5, await t.auth('agent1'))).status).toBe(200);
    await expect(t.db('audit_log').update({ customer_id: 6 })).rejects.toThrow(/append-only/);
    await expect(t.db('audit_log').delete()).rejects.toThrow(/append-only/);
  });
});

describe('customer search', () => {
  it('finds by card last 4, by name prefix and by phone, and audits the search without its values', async () => {
    t = await startTestApp();
    const headers = await t.auth('agent1');
    const card = await t.db('cards').where({ status: 'active' }).first();
    const byCard = await t.http.get('/api/customers/search').query({ card_last4: card.last4 }).set(headers).expect(200);
    expect(byCard.body.results.map((r: { customer_id: number }) => r.customer_id)).toContain(card.customer_id);

    const someone = await t.db('customers').whereNotNull('name_zh').orderBy('id', 'desc').first();
    const byName = await t.http.get('/api/customers/search').query({ name: someone.name_zh.slice(0, 2) }).set(headers).expect(200);
    expect(byName.body.results.length).toBeGreaterThan(0);
    for (const r of byName.body.results) expect(r.name_zh.startsWith(someone.name_zh.slice(0, 2))).toBe(true);

    const byEnglish = await t.http.get('/api/customers/search').query({ name: someone.name_en.slice(0, 4).toLowerCase() }).set(headers).expect(200);
    expect(byEnglish.body.results.length).toBeGreaterThan(0);

    const byPhone = await t.http.get('/api/customers/search').query({ phone: PRIVATE_PHONE }).set(headers).expect(200);
    expect(byPhone.body.results).toHaveLength(1);

    const audit = await t.db('audit_log').where({ action: 'customer.search' });
    expect(audit).toHaveLength(4);
    expect(JSON.stringify(audit)).not.toContain(PRIVATE_PHONE);
  });

  it('a search with nothing to search by is a coded 400; a LIKE wildcard is matched literally', async () => {
    t = await startTestApp();
    const headers = await t.auth('agent1');
    const res = await t.http.get('/api/customers/search').set(headers).expect(400);
    expect(res.body.code).toBe('SB_ERR_CUSTOMER_SEARCH_EMPTY');
    const wild = await t.http.get('/api/customers/search').query({ name: '%' }).set(headers).expect(200);
    expect(wild.body.results).toEqual([]);
    const badLast4 = await t.http.get('/api/customers/search').query({ card_last4: '12ab' }).set(headers).expect(400);
    expect(badLast4.body.code).toBe('SB_ERR_REQUEST_INVALID');
  });
});

describe('CRM master feed', () => {
  it('a do-not-call request and a new risk profile show on the next screen-pop, audited by field name', async () => {
    t = await startTestApp();
    const admin = await t.auth('admin');
    const res = await t.http.patch('/api/customers/7').set(admin).send({ do_not_call: true, marketing_consent: false, risk_tolerance: 1 }).expect(200);
    expect(res.body.updated).toEqual(['do_not_call', 'marketing_consent', 'risk_tolerance']);
    const profile = await t.openProfile(7, await t.auth('agent1'));
    expect(profile.body.consent).toEqual({ marketing_consent: false, do_not_call: true });
    expect(profile.body.flags.risk_tolerance).toBe(1);
    for (const offer of profile.body.offers) expect(offer.risk_level).toBe(1);
    const audit = await t.db('audit_log').where({ action: 'customer.update', customer_id: 7 }).first();
    expect(audit.details).toEqual({ fields: ['do_not_call', 'marketing_consent', 'risk_tolerance'] });
  });

  it('refuses unknown fields, bad values and agents', async () => {
    t = await startTestApp();
    const admin = await t.auth('admin');
    expect((await t.http.patch('/api/customers/7').set(admin).send({ tier: 'PRIVATE' }).expect(400)).body.code).toBe('SB_ERR_REQUEST_INVALID');
    expect((await t.http.patch('/api/customers/7').set(admin).send({ risk_tolerance: 9 }).expect(400)).body.code).toBe('SB_ERR_REQUEST_INVALID');
    expect((await t.http.patch('/api/customers/7').set(await t.auth('agent1')).send({ do_not_call: true }).expect(403)).body.code).toBe('SB_ERR_AUTH_FORBIDDEN');
    expect((await t.http.patch('/api/customers/99999999').set(admin).send({ do_not_call: true }).expect(404)).body.code).toBe('SB_ERR_CUSTOMER_NOT_FOUND');
  });
});
