import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_TIER_MODEL } from '../../server/modules/tiers/tier-model.js';
import { createTiersService } from '../../server/modules/tiers/tiers-service.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp | undefined;
afterEach(async () => { await t?.close(); t = undefined; });

const STANDARD_PHONE = '+8613800000004';
const tiers = createTiersService(DEFAULT_TIER_MODEL);

async function standardCustomer(app: TestApp) {
  const row = await app.db('customer_phones').join('customers', 'customers.id', 'customer_phones.customer_id')
    .where({ phone: STANDARD_PHONE }).first('customers.id', 'customers.tier', 'customers.score');
  expect(row.tier).toBe('STANDARD');
  return row as { id: number; tier: string; score: number };
}

describe('value tiers follow the holdings', () => {
  it('a large new deposit lifts a STANDARD customer to PRIVATE at once, with history and audit', async () => {
    t = await startTestApp();
    const c = await standardCustomer(t);
    const res = await t.http.post(`/api/customers/${c.id}/holdings`).set(await t.auth('admin')).send({
      deposits: [{ account_no: '6222000011112222', product: 'savings', balance: 80_000_000, avg_daily_balance_90d: 80_000_000, opened_on: '2020-01-01' }],
    }).expect(200);
    expect(res.body).toMatchObject({ customer_id: c.id, tier: 'PRIVATE', previous_tier: 'STANDARD', changed: true });

    const history = await t.db('tier_history').where({ customer_id: c.id }).orderBy('id', 'desc').first();
    expect(history).toMatchObject({ from_tier: 'STANDARD', to_tier: 'PRIVATE', reason: 'holdings_update' });
    const audit = await t.db('audit_log').where({ action: 'customer.holdings_update', customer_id: c.id }).first();
    expect(audit.details).toMatchObject({ lines: ['deposits'], tier: 'PRIVATE' });

    // The screen-pop shows the new tier and the upward trend straight away.
    const profile = await t.openProfile(c.id, await t.auth('agent1'));
    expect(profile.status).toBe(200);
    expect(profile.body.value).toMatchObject({ tier: 'PRIVATE', trend: 'up' });
    expect(profile.body.holdings.deposits).toHaveLength(1);
    expect(profile.body.holdings.deposits[0].account_no_masked).toBe('****2222');
  });

  it('emptying the holdings drops the customer to STANDARD; an unchanged tier writes no history', async () => {
    t = await startTestApp();
    const rich = await t.db('customers').where({ tier: 'DIAMOND' }).first('id');
    const admin = await t.auth('admin');
    const empty = { deposits: [], time_deposits: [], loans: [], cards: [], investments: [] };
    const res = await t.http.post(`/api/customers/${rich.id}/holdings`).set(admin).send(empty).expect(200);
    expect(res.body).toMatchObject({ tier: 'STANDARD', previous_tier: 'DIAMOND', changed: true });
    const before = await t.db('tier_history').where({ customer_id: rich.id }).count('* as n').first();
    const again = await t.http.post(`/api/customers/${rich.id}/holdings`).set(admin).send(empty).expect(200);
    expect(again.body.changed).toBe(false);
    const after = await t.db('tier_history').where({ customer_id: rich.id }).count('* as n').first();
    expect(Number(after?.n)).toBe(Number(before?.n));
  });

  it('rejects a full card number, an account of another customer, and an unknown customer, each with a code', async () => {
    t = await startTestApp();
    const admin = await t.auth('admin');
    const fullPan = await t.http.post('/api/customers/3/holdings').set(admin).send({
      cards: [{ kind: 'credit', product: 'Gold', pan_masked: '6225881234561234', expires_on: '2030-01-31' }],
    }).expect(400);
    expect(fullPan.body.code).toBe('SB_ERR_REQUEST_INVALID');

    const other = await t.db('deposit_accounts').whereNot({ customer_id: 3 }).first();
    const conflict = await t.http.post('/api/customers/3/holdings').set(admin).send({
      deposits: [{ account_no: other.account_no, product: 'savings', balance: 1, avg_daily_balance_90d: 1, opened_on: '2020-01-01' }],
    }).expect(409);
    expect(conflict.body.code).toBe('SB_ERR_HOLDINGS_CONFLICT');
    // Nothing was half-applied: customer 3 keeps its accounts.
    expect((await t.db('deposit_accounts').where({ customer_id: 3 })).length).toBeGreaterThan(0);

    const missing = await t.http.post('/api/customers/99999999/holdings').set(admin).send({ deposits: [] }).expect(404);
    expect(missing.body.code).toBe('SB_ERR_CUSTOMER_NOT_FOUND');
    const empty = await t.http.post('/api/customers/3/holdings').set(admin).send({}).expect(400);
    expect(empty.body.code).toBe('SB_ERR_REQUEST_INVALID');
  });

  it('a bulk recompute reproduces the tier shares and the value concentration the value model expects (docs/domain.md)', async () => {
    t = await startTestApp();
    const result = await tiers.recomputeAll(t.db, 'bulk_recompute');
    expect(result.customers).toBeGreaterThan(1000);
    const report = await tiers.report(t.db);
    const line = (tier: string) => report.find((r) => r.tier === tier)!;
    expect(line('PRIVATE').share_of_customers).toBeCloseTo(0.01, 2);
    expect(line('PRIVATE').share_of_customers + line('DIAMOND').share_of_customers).toBeCloseTo(0.04, 2);
    // About 4% of customers bring about 80% of the contribution (002 L29).
    const top = line('PRIVATE').share_of_contribution + line('DIAMOND').share_of_contribution;
    expect(top).toBeGreaterThan(0.7);
    expect(top).toBeLessThan(0.9);
    // A rerun on unchanged data changes no tier.
    expect((await tiers.recomputeAll(t.db, 'bulk_recompute')).changed).toBe(0);
  });
});
