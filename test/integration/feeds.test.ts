import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { clockFrom, until } from '../helpers/wait.js';

let t: TestApp | undefined;
afterEach(async () => { await t?.close(); t = undefined; });

const STANDARD_PHONE = '+8613800000004';

async function runFeed(app: TestApp, kind: string, body: string, type = 'text/csv') {
  return app.http.post(`/api/feeds/${kind}/runs`).set(await app.auth('admin')).set('content-type', type).send(body);
}

const CUSTOMERS = [
  'customer_no,name_en,name_zh,gender,id_type,id_number,region,customer_since,marketing_consent,email',
  'FD-0001,"Smith, John",,M,passport,P1234567,Shanghai,2020-01-02,true,john@example.com',
  'FD-0002,"Mary',
  'Ann Lee",李,F,resident_id,310101199001011234,Beijing,2019-05-06,false,',
  'FD-0003,Bad Gender,,X,passport,P7654321,Shanghai,2020-01-02,false,',
  'FD-0004,Oops"quote,,F,passport,P1111111,Shanghai,2020-01-02,false,',
  'FD-0001,Twice,,M,passport,P1234567,Shanghai,2020-01-02,true,',
  'FD-0005,Last Good,,U,passport,P2222222,Shenzhen,2021-03-04,false,',
  'FD-0006,"never closed,,F,passport,P3333333,Shanghai,2020-01-02,false,',
  'FD-0007,Swallowed,,F,passport,P4444444,Shanghai,2020-01-02,false,',
].join('\n') + '\n';

describe('batch feeds', () => {
  it('a customers CSV: quoted commas and newlines land, bad rows are refused by line, a rerun changes nothing', async () => {
    t = await startTestApp();
    const res = await runFeed(t, 'customers', CUSTOMERS);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'customers', source: 'api', format: 'csv', status: 'done', added: 3, changed: 0, unchanged: 0, rejected: 4 });
    expect(res.body.errors.map((e: { line: number; code: string }) => [e.line, e.code])).toEqual([
      [5, 'row_invalid'], [6, 'csv_malformed'], [7, 'duplicate_key'], [9, 'csv_malformed'],
    ]);
    // A broken line says what is wrong with it in words, never by quoting it (it may hold a name).
    expect(res.body.errors.filter((e: { code: string }) => e.code === 'csv_malformed').map((e: { message: string }) => e.message))
      .toEqual(['a quote inside an unquoted field', 'a quoted field is never closed']);
    const john = await t.db('customers').where({ customer_no: 'FD-0001' }).first();
    expect(john).toMatchObject({ name_en: 'Smith, John', gender: 'M', marketing_consent: true, email: 'john@example.com' });
    expect((await t.db('customers').where({ customer_no: 'FD-0002' }).first()).name_en).toBe('Mary\nAnn Lee');
    expect(await t.db('customers').where({ customer_no: 'FD-0005' }).first()).toBeTruthy();

    const again = await runFeed(t, 'customers', CUSTOMERS);
    expect(again.body).toMatchObject({ added: 0, changed: 0, unchanged: 3, rejected: 4 });

    // A real change is counted as changed, the rest stay unchanged.
    const edited = CUSTOMERS.replace('john@example.com', 'john.smith@example.com');
    expect((await runFeed(t, 'customers', edited)).body).toMatchObject({ added: 0, changed: 1, unchanged: 2 });

    // The admin sees every run and can download a run's refused rows.
    const admin = await t.auth('admin');
    const runs = await t.http.get('/api/feeds/runs').set(admin).expect(200);
    expect(runs.body.runs.map((r: { id: number }) => r.id)).toEqual([again.body.id + 1, again.body.id, res.body.id]);
    const errors = await t.http.get(`/api/feeds/runs/${res.body.id}/errors`).set(admin).expect(200);
    expect(errors.headers['content-type']).toMatch(/^text\/csv/);
    expect(errors.text.split('\r\n')[0]).toBe('\ufeffline,code,message'); // as the reports: Excel reads it as UTF-8
    expect(errors.text).toContain('7,duplicate_key,');
    // The refused rows' content (names, ID numbers) is not kept.
    expect(errors.text).not.toContain('P7654321');
  });

  it('the example files in docs/feeds load as they are, in the order a bank would send them', async () => {
    t = await startTestApp();
    for (const [kind, file, type] of [
      ['relationship_managers', 'relationship_managers.csv', 'text/csv'], ['customers', 'customers.csv', 'text/csv'], ['phones', 'phones.jsonl', 'application/x-ndjson'],
      ['holdings', 'holdings.csv', 'text/csv'], ['transactions', 'transactions.csv', 'text/csv'], ['pins', 'pins.jsonl', 'application/x-ndjson'],
    ] as const) {
      const res = await runFeed(t, kind, readFileSync(path.join('docs/feeds', file), 'utf8'), type);
      expect(res.status).toBe(200);
      expect({ kind, rejected: res.body.rejected, added: res.body.added > 0 }).toEqual({ kind, rejected: 0, added: true });
    }
  });

  it('FEED_SCHEDULE runs each feed from the inbox once a day when its time comes; a missing file is a failed run saying so', async () => {
    const inbox = mkdtempSync(path.join(tmpdir(), 'inbox-'));
    writeFileSync(path.join(inbox, 'customers.csv'), CUSTOMERS);
    // 10:00 in Shanghai: the customers' and phones' times have come, the holdings' not yet.
    t = await startTestApp({
      FEED_INBOX_DIR: inbox, FEED_SCHEDULE: 'customers=customers.csv@09:00,phones=phones.jsonl@09:30,holdings=holdings.csv@23:59', FEED_SCHEDULE_SWEEP_MS: '150',
    }, { now: clockFrom('2026-11-18T02:00:00Z').now });
    const admin = await t.auth('admin');
    const schedule = await until('both due feeds run', async () => {
      const res = await t!.http.get('/api/feeds/schedule').set(admin).expect(200);
      return res.body.runs.length === 2 && res.body.runs.every((r: { status: string | null }) => r.status === 'done' || r.status === 'failed') && res.body;
    });
    expect(schedule.feeds.map((f: { kind: string; at: string }) => `${f.kind}@${f.at}`)).toEqual(['customers@09:00', 'phones@09:30', 'holdings@23:59']);
    expect(schedule.runs.map((r: { kind: string; day: string; status: string }) => [r.kind, r.day, r.status])).toEqual([['customers', '2026-11-18', 'done'], ['phones', '2026-11-18', 'failed']]);
    const runs = (await t.http.get('/api/feeds/runs').set(admin).expect(200)).body.runs;
    const customers = runs.find((r: { kind: string }) => r.kind === 'customers');
    expect(customers).toMatchObject({ source: 'schedule:customers.csv', status: 'done', added: 3, rejected: 4 });
    const phones = (await t.http.get(`/api/feeds/runs/${runs.find((r: { kind: string }) => r.kind === 'phones').id}`).set(admin).expect(200)).body;
    expect(phones).toMatchObject({ status: 'failed', errors: [{ line: 0, code: 'file_not_found', message: 'no file phones.jsonl in the feed inbox' }] });
    // Later sweeps of the same day run nothing again.
    await sleep(600);
    expect((await t.http.get('/api/feeds/runs').set(admin)).body.runs).toHaveLength(2);
  });

  it('a stray quote in the middle of a field refuses only its line: the thousands of rows after it (past 256 KiB) still land', async () => {
    t = await startTestApp();
    const rows = Array.from({ length: 6000 }, (_, i) => `FD-Q${i},Row ${i},U,passport,P${String(100000 + i)},Shanghai,2020-01-02`);
    const res = await runFeed(t, 'customers', ['customer_no,name_en,gender,id_type,id_number,region,customer_since', 'FD-QX,O"Brien,U,passport,P0999999,Shanghai,2020-01-02', ...rows].join('\n') + '\n');
    expect(res.body).toMatchObject({ status: 'done', added: 6000, rejected: 1 });
    expect(res.body.errors).toEqual([expect.objectContaining({ line: 2, code: 'csv_malformed' })]);
  });

  it('only an admin runs or reads feeds', async () => {
    t = await startTestApp();
    const agent = await t.auth('agent1');
    expect((await t.http.post('/api/feeds/customers/runs').set(agent).set('content-type', 'text/csv').send(CUSTOMERS)).status).toBe(403);
    expect((await t.http.get('/api/feeds/runs').set(await t.auth('supervisor1'))).status).toBe(403);
    expect((await t.http.get('/api/feeds/runs/999999/errors').set(await t.auth('admin'))).body.code).toBe('SB_ERR_FEED_RUN_NOT_FOUND');
    expect((await runFeed(t, 'customers', '{}', 'application/json')).body.code).toBe('SB_ERR_REQUEST_UNSUPPORTED_MEDIA');
  });

  it('phones as JSON lines: mainland mobiles, landlines and foreign numbers normalised; a bad phone refused by line; deletion explicit', async () => {
    t = await startTestApp();
    const c = await t.db('customers').orderBy('id').first('id', 'customer_no');
    const lines = [
      { customer_no: c.customer_no, phone: '139 1234 5678', kind: 'mobile' },
      { customer_no: c.customer_no, phone: '010-6552 8888', kind: 'home' },
      { customer_no: c.customer_no, phone: '0044 20 7946 0958', kind: 'work' },
      { customer_no: c.customer_no, phone: '12345' },
      { customer_no: 'NOBODY-1', phone: '13912340000' },
    ].map((l) => JSON.stringify(l)).join('\n') + '\nnot json\n';
    const res = await runFeed(t, 'phones', lines, 'application/x-ndjson');
    expect(res.body).toMatchObject({ format: 'jsonl', added: 3, rejected: 3 });
    expect(res.body.errors.map((e: { line: number; code: string }) => [e.line, e.code])).toEqual([[4, 'phone_invalid'], [5, 'customer_not_found'], [6, 'json_malformed']]);
    const phones = (await t.db('customer_phones').where({ customer_id: c.id }).pluck('phone')) as string[];
    expect(phones).toEqual(expect.arrayContaining(['+8613912345678', '+861065528888', '+442079460958']));

    expect((await runFeed(t, 'phones', lines, 'application/x-ndjson')).body).toMatchObject({ added: 0, changed: 0, unchanged: 3 });

    const del = `customer_no,phone,action\n${c.customer_no},+86 139 1234 5678,delete\n`;
    expect((await runFeed(t, 'phones', del)).body).toMatchObject({ changed: 1, rejected: 0 });
    expect(await t.db('customer_phones').where({ customer_id: c.id, phone: '+8613912345678' }).first()).toBeUndefined();
    expect((await runFeed(t, 'phones', del)).body).toMatchObject({ changed: 0, unchanged: 1 });
  });

  it('a holdings row lifts a customer\'s tier in the same run; closing it drops them back', async () => {
    t = await startTestApp();
    const c = await t.db('customer_phones').join('customers', 'customers.id', 'customer_phones.customer_id')
      .where({ phone: STANDARD_PHONE }).first('customers.id', 'customers.customer_no', 'customers.tier');
    expect(c.tier).toBe('STANDARD');
    const feed = [
      'line,product_no,customer_no,product,amount,avg_balance_90d,opened_on,rate_pct,term_months,maturity_date,action',
      `deposit,6222000099990001,${c.customer_no},savings,80000000,80000000,2020-01-01,,,,upsert`,
      `time_deposit,TD-FEED-1,${c.customer_no},,100000,,2025-01-01,,,,`,
      `loan,LN-1,${c.customer_no},,1,,2020-01-01,,,,`,
    ].join('\n');
    const res = await runFeed(t, 'holdings', feed);
    expect(res.body).toMatchObject({ added: 1, rejected: 2, rescored: 1 });
    expect(res.body.errors.map((e: { line: number; code: string }) => [e.line, e.code])).toEqual([[3, 'row_invalid'], [4, 'row_invalid']]);
    expect((await t.db('customers').where({ id: c.id }).first('tier')).tier).toBe('PRIVATE');
    expect(await t.db('tier_history').where({ customer_id: c.id, to_tier: 'PRIVATE', reason: 'holdings_update' }).first()).toBeTruthy();

    expect((await runFeed(t, 'holdings', feed)).body).toMatchObject({ added: 0, changed: 0, unchanged: 1, rescored: 0 });

    const close = `line,product_no,customer_no,action\ndeposit,6222000099990001,${c.customer_no},close\n`;
    expect((await runFeed(t, 'holdings', close)).body).toMatchObject({ changed: 1, rescored: 1 });
    expect((await t.db('customers').where({ id: c.id }).first('tier')).tier).toBe('STANDARD');

    // Another customer's product number is refused, not moved.
    const other = await t.db('customers').whereNot({ id: c.id }).first('customer_no');
    const steal = `line,product_no,customer_no,amount,opened_on\ndeposit,6222000099990001,${other.customer_no},5,2020-01-01\n`;
    expect((await runFeed(t, 'holdings', steal)).body.errors).toEqual([expect.objectContaining({ line: 2, code: 'holding_conflict' })]);
  });

  it("relationship managers and their clients: the caller's pop shows the RM the bank fed; an unknown RM refuses its row", async () => {
    t = await startTestApp();
    const rms = [
      'employee_no,name,phone,email,branch,team,languages',
      'RM-9001,"Wang, Li",021 6888 1234,wang.li@bank.example,Pudong,wealth,zh en',
      'RM-9002,Zhao Min,not-a-phone,,Pudong,wealth,zh',
      'RM-9003,Chen Jie,13911112222,,Xuhui,retail,',
    ].join('\n');
    const fed = await runFeed(t, 'relationship_managers', rms);
    expect(fed.body).toMatchObject({ added: 2, rejected: 1 });
    expect(fed.body.errors).toEqual([expect.objectContaining({ line: 3, code: 'phone_invalid' })]);
    expect(await t.db('relationship_managers').where({ employee_no: 'RM-9001' }).first('phone', 'languages')).toEqual({ phone: '+862168881234', languages: ['zh', 'en'] });
    expect((await runFeed(t, 'relationship_managers', rms)).body).toMatchObject({ added: 0, changed: 0, unchanged: 2 });

    const c = await t.db('customer_phones').join('customers', 'customers.id', 'customer_phones.customer_id').where({ phone: STANDARD_PHONE }).first('customers.customer_no');
    const assign = await runFeed(t, 'customers', `customer_no,gender,id_type,id_number,region,customer_since,rm_employee_no\n${c.customer_no},U,passport,P9990001,Shanghai,2020-01-02,RM-9001\nFD-RM-2,U,passport,P9990002,Shanghai,2020-01-02,RM-0000\n`);
    expect(assign.body).toMatchObject({ changed: 1, rejected: 1 });
    expect(assign.body.errors).toEqual([expect.objectContaining({ line: 3, code: 'rm_not_found' })]);
    const pop = await t.http.get('/api/customers/lookup').query({ phone: STANDARD_PHONE }).set(await t.auth('agent1')).expect(200);
    expect(pop.body.profile.relationship_manager).toMatchObject({ name: 'Wang, Li', phone: '+862168881234' });
  });

  it("transactions by core banking's number: the caller's pop lists them, a rerun changes nothing, a correction deletes, another customer's number is refused", async () => {
    t = await startTestApp();
    const c = await t.db('customer_phones').join('customers', 'customers.id', 'customer_phones.customer_id').where({ phone: STANDARD_PHONE }).first('customers.id', 'customers.customer_no');
    const txns = [
      'txn_no,customer_no,account_ref,occurred_at,amount,currency,channel,description,counterparty',
      `T-1,${c.customer_no},6222000011112222,2099-01-02T10:00:00+08:00,-1288.50,CNY,pos,"Dinner, Bund",Restaurant`,
      `T-2,${c.customer_no},6222000011112222,2099-01-03T09:30:00Z,5000,,online,Salary,`,
      `T-3,${c.customer_no},6222000011112222,yesterday,1,,online,x,`,
      `T-4,${c.customer_no},6222000011112222,2099-01-03T09:30:00Z,1,,teleport,x,`,
      `T-5,NOBODY,6222000011112222,2099-01-03T09:30:00Z,1,,online,x,`,
    ].join('\n');
    const res = await runFeed(t, 'transactions', txns);
    expect(res.body).toMatchObject({ added: 2, rejected: 3 });
    expect(res.body.errors.map((e: { line: number; code: string }) => [e.line, e.code])).toEqual([[4, 'row_invalid'], [5, 'row_invalid'], [6, 'customer_not_found']]);
    expect((await runFeed(t, 'transactions', txns)).body).toMatchObject({ added: 0, changed: 0, unchanged: 2 });
    const pop = await t.http.get('/api/customers/lookup').query({ phone: STANDARD_PHONE }).set(await t.auth('agent1')).expect(200);
    const shown = JSON.stringify(pop.body.profile);
    expect(shown).toContain('Dinner, Bund');
    expect(shown).not.toContain('6222000011112222');

    expect((await runFeed(t, 'transactions', `txn_no,customer_no,account_ref,occurred_at,amount,channel,description,action\nT-2,${c.customer_no},6222000011112222,2099-01-03T09:30:00Z,5000,online,Salary,delete\n`)).body).toMatchObject({ changed: 1 });
    expect(await t.db('transactions').where({ txn_no: 'T-2' }).first()).toBeUndefined();
    const other = await t.db('customers').whereNot({ id: c.id }).first('customer_no');
    expect((await runFeed(t, 'transactions', `txn_no,customer_no,account_ref,occurred_at,amount,channel,description\nT-1,${other.customer_no},6222000099998888,2099-01-02T10:00:00Z,1,online,x\n`)).body.errors)
      .toEqual([expect.objectContaining({ line: 2, code: 'transaction_conflict' })]);
  });

  it('an impossible date or a NUL refuses only its row, by line: the run completes and the good rows land', async () => {
    t = await startTestApp();
    const feed = [
      'customer_no,name_en,gender,id_type,id_number,region,customer_since,birth_date',
      'FD-0101,Good One,F,passport,P0000101,Shanghai,2020-01-02,1980-05-06',
      'FD-0102,Feb Thirty-One,F,passport,P0000102,Shanghai,2020-01-02,2023-02-31',
      'FD-0103,Year Zero,M,passport,P0000103,Shanghai,0000-01-01,',
      'FD-0104,Nul\u0000Name,M,passport,P0000104,Shanghai,2020-01-02,',
      'FD-0105,Good Two,U,passport,P0000105,Beijing,2021-03-04,',
    ].join('\n') + '\n';
    const res = await runFeed(t, 'customers', feed);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'done', added: 2, rejected: 3 });
    expect(res.body.errors.map((e: { line: number; code: string }) => [e.line, e.code])).toEqual([[3, 'row_invalid'], [4, 'row_invalid'], [5, 'row_invalid']]);
    expect(await t.db('customers').whereIn('customer_no', ['FD-0101', 'FD-0105']).pluck('customer_no')).toHaveLength(2);
    expect(await t.db('customers').whereIn('customer_no', ['FD-0102', 'FD-0103', 'FD-0104']).first()).toBeUndefined();

    // A NUL in a header name (CSV) or a key (JSON lines): the row is refused, the message saved without it.
    const header = 'customer_no,gender,id_type,id_number,region,customer_since,no\u0000te\nFD-0106,F,passport,P0000106,Shanghai,2020-01-02,x\n';
    const byHeader = await runFeed(t, 'customers', header);
    expect(byHeader.status).toBe(200);
    expect(byHeader.body).toMatchObject({ status: 'done', rejected: 1 });
    expect(byHeader.body.errors).toEqual([expect.objectContaining({ line: 2, code: 'row_invalid' })]);
    const jsonl = `${JSON.stringify({ customer_no: 'FD-0107', 'no\u0000te': 'x' })}\n`;
    const byKey = await runFeed(t, 'customers', jsonl, 'application/x-ndjson');
    expect(byKey.status).toBe(200);
    expect(byKey.body.errors).toEqual([expect.objectContaining({ line: 1, code: 'row_invalid' })]);
    for (const run of [byHeader.body, byKey.body]) for (const e of run.errors as { message: string }[]) expect(e.message).not.toContain('\u0000');
  });

  it('a customer fed again without do_not_call, consent, language or email keeps them; a feed never lifts an opt-out', async () => {
    t = await startTestApp();
    const full = 'customer_no,gender,id_type,id_number,region,customer_since,do_not_call,marketing_consent,language,email\n'
      + 'FD-0201,F,passport,P0000201,Shanghai,2020-01-02,true,true,en,amy@example.com\n';
    expect((await runFeed(t, 'customers', full)).body).toMatchObject({ added: 1, rejected: 0 });
    // The core system's next file has no such columns; the region did change.
    const partial = 'customer_no,gender,id_type,id_number,region,customer_since\nFD-0201,F,passport,P0000201,Beijing,2020-01-02\n';
    expect((await runFeed(t, 'customers', partial)).body).toMatchObject({ changed: 1, rejected: 0 });
    expect(await t.db('customers').where({ customer_no: 'FD-0201' }).first('do_not_call', 'marketing_consent', 'language', 'email', 'region'))
      .toEqual({ do_not_call: true, marketing_consent: true, language: 'en', email: 'amy@example.com', region: 'Beijing' });
    // do_not_call=false does not reverse the opt-out (nothing else changed: the row is unchanged).
    const lower = 'customer_no,gender,id_type,id_number,region,customer_since,do_not_call\nFD-0201,F,passport,P0000201,Beijing,2020-01-02,false\n';
    expect((await runFeed(t, 'customers', lower)).body).toMatchObject({ changed: 0, unchanged: 1 });
    expect((await t.db('customers').where({ customer_no: 'FD-0201' }).first('do_not_call')).do_not_call).toBe(true);
    // A new customer still gets the defaults.
    const fresh = 'customer_no,gender,id_type,id_number,region,customer_since\nFD-0202,M,passport,P0000202,Shanghai,2020-01-02\n';
    expect((await runFeed(t, 'customers', fresh)).body).toMatchObject({ added: 1 });
    expect(await t.db('customers').where({ customer_no: 'FD-0202' }).first('do_not_call', 'marketing_consent', 'language', 'email', 'customer_type'))
      .toEqual({ do_not_call: false, marketing_consent: false, language: 'zh', email: null, customer_type: 'individual' });
  });

  it('?path= naming a directory or a missing file in the inbox is the coded not-found error, and no run is logged', async () => {
    const inbox = mkdtempSync(path.join(tmpdir(), 'feed-inbox-'));
    mkdirSync(path.join(inbox, 'archive'));
    writeFileSync(path.join(inbox, 'customers.csv'), 'customer_no,gender,id_type,id_number,region,customer_since\nFD-0301,F,passport,P0000301,Shanghai,2020-01-02\n');
    t = await startTestApp({ FEED_INBOX_DIR: inbox });
    const admin = await t.auth('admin');
    const ok = await t.http.post('/api/feeds/customers/runs?path=customers.csv').set(admin);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ source: 'inbox:customers.csv', status: 'done', added: 1 });
    for (const name of ['archive', 'archive/', 'gone.csv']) {
      const res = await t.http.post(`/api/feeds/customers/runs?path=${encodeURIComponent(name)}`).set(admin);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('SB_ERR_FEED_FILE_NOT_FOUND');
    }
    expect((await t.http.get('/api/feeds/runs').set(admin)).body.runs.map((r: { id: number }) => r.id)).toEqual([ok.body.id]);
  });

  it('a file with nothing in it, or a CSV sent without its header row, is refused with a code and loads nothing; a header alone is an honest empty run', async () => {
    t = await startTestApp();
    const before = await t.db('customers').count({ n: '*' }).first();
    for (const [body, type] of [['', 'text/csv'], ['\n\n', 'text/csv'], ['', 'application/x-ndjson']] as const) {
      const res = await runFeed(t, 'customers', body, type);
      expect([res.status, res.body.code], JSON.stringify(body)).toEqual([400, 'SB_ERR_FEED_EMPTY']);
    }
    // The first data line taken for the header: it names none of the columns a customer needs.
    const headless = await runFeed(t, 'customers', 'FD-0401,F,passport,P0000401,Shanghai,2020-01-02\nFD-0402,M,passport,P0000402,Shanghai,2020-01-02\n');
    expect([headless.status, headless.body.code]).toEqual([400, 'SB_ERR_FEED_HEADER_INVALID']);
    expect(headless.body.message).toContain('customer_no');
    expect(headless.body.message).not.toContain('P0000401');
    expect(await t.db('customers').count({ n: '*' }).first()).toEqual(before);
    // Each refusal is a failed run in the log, so an admin sees what the source system sent.
    const runs = (await t.http.get('/api/feeds/runs').set(await t.auth('admin'))).body.runs as { status: string; rows: number }[];
    expect(runs.map((r) => [r.status, r.rows])).toEqual([['failed', 0], ['failed', 0], ['failed', 0], ['failed', 0]]);
    const headerOnly = await runFeed(t, 'customers', 'customer_no,gender,id_type,id_number,region,customer_since\n');
    expect(headerOnly.status).toBe(200);
    expect(headerOnly.body).toMatchObject({ status: 'done', rows: 0, added: 0 });
  });

  it('a quote never closed, or a line without its end, stops at 256 KiB: what came before lands, the line is named, nothing of the rest is taken for a row', async () => {
    t = await startTestApp();
    const good = 'FD-0501,F,passport,P0000501,Shanghai,2020-01-02';
    // Thousands of customers after an unclosed quote: without a bound they would be one record held in memory.
    const swallowed = Array.from({ length: 6000 }, (_, i) => `FD-${String(1000 + i)},F,passport,P${String(1000000 + i)},Shanghai,2020-01-02`).join('\n');
    const csv = `customer_no,gender,id_type,id_number,region,customer_since\n${good}\n"FD-0502,F,passport,P0000502,Shanghai,2020-01-02\n${swallowed}\n`;
    const res = await runFeed(t, 'customers', csv);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'done', added: 1, rejected: 1 });
    expect(res.body.errors).toEqual([{ line: 3, code: 'csv_malformed', message: expect.stringContaining('the rest of the file was not read') }]);
    expect(await t.db('customers').where('customer_no', 'like', 'FD-1%').count({ n: '*' }).first()).toMatchObject({ n: 0 });
    const jsonl = `{"customer_no":"FD-0503","phone":"13912345678"}\n{"customer_no":"FD-0501","phone":"${'1'.repeat(300 * 1024)}"}\n{"customer_no":"FD-0501","phone":"13912345679"}\n`;
    const lines = await runFeed(t, 'phones', jsonl, 'application/x-ndjson');
    expect(lines.status).toBe(200);
    expect(lines.body.errors.at(-1)).toEqual({ line: 2, code: 'json_malformed', message: expect.stringContaining('a line longer than 256 KiB') });
  });
});
