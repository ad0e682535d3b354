import { describe, expect, it } from 'vitest';
import { advance, startSession, type Candidate, type IvrAction, type IvrEvent, type IvrInput, type IvrPorts, type IvrSession } from '../../ivr/engine.js';
import type { Flow } from '../../ivr/flow-schema.js';
import { loadFlows } from '../../ivr/flows.js';

const flows = loadFlows();
const hotline = flows.get('hotline') as Flow;
const lostCardFlow = flows.get('lost-card') as Flow;

// Wednesday 2026-03-04 10:00 in Shanghai: agents are on duty.
const OPEN = new Date('2026-03-04T02:00:00Z');

const PEOPLE: Candidate[] = [
  { customer_id: 1, name_zh: '王建国', name_en: 'Wang Jianguo', tier: 'PRIVATE', language: 'zh', has_rm: true, salutation_zh: '王先生', salutation_en: 'Mr Wang', greet_full: false },
  { customer_id: 2, name_zh: '李娜', name_en: 'Li Na', tier: 'STANDARD', language: 'zh', has_rm: false, salutation_zh: '李先生', salutation_en: 'Mr Li', greet_full: false },
  { customer_id: 3, name_zh: '张伟', name_en: 'Zhang Wei', tier: 'GOLD', language: 'zh', has_rm: false, salutation_zh: '张先生', salutation_en: 'Mr Zhang', greet_full: false },
  { customer_id: 4, name_zh: '张丽', name_en: 'Zhang Li', tier: 'STANDARD', language: 'en', has_rm: false, salutation_zh: '张先生', salutation_en: 'Mr Zhang', greet_full: false },
  { customer_id: 5, name_zh: '赵敏', name_en: 'Zhao Min', tier: 'DIAMOND', language: 'zh', has_rm: true, salutation_zh: '赵先生', salutation_en: 'Mr Zhao', greet_full: false },
];
const PHONES: Record<string, number[]> = { '+8613800000001': [1], '+8613800000002': [2], '+8613800000034': [3, 4], '+8613800000005': [5] };
const ACCOUNTS: Record<string, number> = { '621401000000000222': 2 };
const CARDS: Record<number, string[]> = { 3: ['1111'], 4: ['2222'] };
const PIN = '864209';

/** The bank behind the IVR, in memory: the ports are the engine's only boundary. */
function fakeBank(now: Date = OPEN, opts: { servable?: boolean } = {}) {
  const failures = new Map<number, number>();
  const calls = { callbacks: [] as { customerId: number | null; ani: string; reason: string; skill: string | null; priority: number }[], lostCards: [] as { id: number; which: unknown }[], narrowed: [] as number[][] };
  const byId = (id: number) => PEOPLE.find((p) => p.customer_id === id) ?? null;
  const ports: IvrPorts = {
    now: () => now,
    identifyByPhone: async (phone) => (PHONES[phone] ?? []).map((id) => byId(id)).filter((c): c is Candidate => c !== null),
    identifyByAccount: async (no) => (ACCOUNTS[no] ? byId(ACCOUNTS[no]) : null),
    narrowByCardLast4: async (ids, last4) => { calls.narrowed.push(ids); return ids.filter((id) => CARDS[id]?.includes(last4)); },
    verifyPin: async (id, pin) => {
      if (id === 5) return 'no_pin';
      const failed = failures.get(id) ?? 0;
      if (failed >= 3) return 'locked';
      if (pin === PIN) return 'ok';
      failures.set(id, failed + 1);
      return failed + 1 >= 3 ? 'locked' : 'wrong';
    },
    balances: async () => [{ account: '****1234', currency: 'CNY', balance: 12345.67 }, { account: '****9876', currency: 'USD', balance: 1500 }],
    recentTransactions: async (_id, limit) => [
      { occurred_at: '2026-03-02T16:30:00Z', amount: -128, currency: 'CNY', description: '超市消费' },
      { occurred_at: '2026-03-01T01:00:00Z', amount: 8000, currency: 'CNY', description: 'salary' },
    ].slice(0, limit),
    reportLostCard: async (id, which) => {
      calls.lostCards.push({ id, which });
      return 'last4' in which && which.last4 === '0000' ? { case_no: null, cards_frozen: 0, last4: [] } : { case_no: 'LC20260304000123', cards_frozen: 'all' in which ? 2 : 1, last4: 'all' in which ? ['1111', '3333'] : [which.last4] };
    },
    queueStatus: async () => (opts.servable === false ? { servable: false, reason: 'closed' as const, opens_at: '2026-03-05T00:00:00.000Z' } : { servable: true, reason: 'open' as const, opens_at: null }),
    timeDeposits: async () => [{ currency: 'CNY', principal: 50000, rate_pct: 1.75, maturity_date: '2027-03-01' }],
    requestCallback: async (c) => {
      calls.callbacks.push({ customerId: c.customerId, ani: c.ani, reason: c.reason, skill: c.skill, priority: c.priority });
      return c.ani === 'anonymous' ? { booked: false as const, why: 'withheld' as const } : { booked: true as const, id: calls.callbacks.length, eta_s: 240, opens_at: null };
    },
  };
  return { ports, calls };
}

/** Plays a caller through a flow; the session goes through JSON each turn, as it does through PostgreSQL. */
class Caller {
  session: IvrSession;
  turns: { actions: IvrAction[]; events: IvrEvent[]; session: IvrSession }[] = [];
  constructor(private flow: Flow, private ports: IvrPorts, ani: string) {
    this.session = startSession(flow, { ani, dnis: '+864008895555' });
  }
  async send(input: IvrInput) {
    const result = await advance(this.flow, JSON.parse(JSON.stringify(this.session)) as IvrSession, input, this.ports);
    this.session = result.session;
    this.turns.push(result);
    return this;
  }
  start = () => this.send({ kind: 'start' });
  press = (digits: string) => this.send({ kind: 'digits', digits });
  silence = () => this.send({ kind: 'timeout' });
  queueExit = (result: 'bridged' | 'leave' | 'hangup' | 'queue-full' | 'unavailable') => this.send({ kind: 'queue_exit', result });
  get last() { return this.turns.at(-1) ?? { actions: [], events: [], session: this.session }; }
  get said() { return this.last.actions.flatMap((a) => (a.type === 'say' ? [a.text] : [])).join(' '); }
  get terminal() { return this.last.actions.at(-1); }
  get events() { return this.turns.flatMap((t) => t.events); }
  eventsOf = (type: string) => this.events.filter((e) => e.type === type);
}

async function call(ani: string, keys: string[], bank = fakeBank(), flow = hotline) {
  const caller = new Caller(flow, bank.ports, ani);
  await caller.start();
  for (const k of keys) await caller.press(k);
  return caller;
}

describe('hotline: who is calling', () => {
  it('asks for the language in both languages, then greets a PRIVATE caller by title and surname and queues for private banking with no menus', async () => {
    const c = new Caller(hotline, fakeBank().ports, '+8613800000001');
    await c.start();
    expect(c.last.actions.filter((a) => a.type === 'say').map((a) => a.type === 'say' && a.lang)).toEqual(['zh', 'en']);
    expect(c.terminal).toMatchObject({ type: 'gather', numDigits: 1 });
    await c.press('1');
    // Not verified yet: whoever holds the phone hears title and surname, never the full name.
    expect(c.said).toContain('王先生，您好');
    expect(c.said).not.toContain('王建国');
    expect(c.terminal).toEqual({ type: 'enqueue', skill: 'private_banking', tier: 'PRIVATE', priority: 0, lang: 'zh', customerId: 1 });
    expect(c.last.actions.some((a) => a.type === 'gather')).toBe(false);
    expect(c.eventsOf('identified')[0]?.data).toMatchObject({ customer_id: 1, tier: 'PRIVATE', method: 'phone' });
  });

  it('greets in English when the caller chose English, and sends DIAMOND to wealth', async () => {
    const c = await call('+8613800000005', ['2']);
    expect(c.said).toContain('Hello Mr Zhao');
    expect(c.terminal).toMatchObject({ type: 'enqueue', skill: 'wealth', tier: 'DIAMOND', lang: 'en', customerId: 5 });
    expect(c.eventsOf('language_selected')[0]?.data).toEqual({ lang: 'en', by: 'dtmf' });
  });

  it('greets by full name the tiers the bank configures, and everyone once verified', async () => {
    const bank = fakeBank();
    const identify = bank.ports.identifyByPhone;
    bank.ports.identifyByPhone = async (phone) => (await identify(phone)).map((c) => ({ ...c, greet_full: c.tier === 'PRIVATE' }));
    expect((await call('+8613800000001', ['1'], bank)).said).toContain('王建国，您好');
    expect((await call('+8613800000005', ['2'], bank)).said).toContain('Hello Mr Zhao');
  });

  it('takes Mandarin when the caller says nothing at the language prompt', async () => {
    const c = new Caller(hotline, fakeBank().ports, '+8613800000002');
    await c.start();
    await c.silence();
    expect(c.session.lang).toBe('zh');
    expect(c.eventsOf('language_selected')[0]?.data).toEqual({ lang: 'zh', by: 'default' });
  });

  it('brings a STANDARD caller to the main menu', async () => {
    const c = await call('+8613800000002', ['1']);
    expect(c.session.node).toBe('main_menu');
    expect(c.said).toContain('账户及余额查询请按1');
    expect(c.terminal).toMatchObject({ type: 'gather', numDigits: 1, secret: false });
  });

  it('brings an unknown number to the main menu, unidentified', async () => {
    const c = await call('+8613900000000', ['2']);
    expect(c.session.node).toBe('main_menu');
    expect(c.session.vars.customer_id).toBeUndefined();
    expect(c.eventsOf('identify_unknown')).toHaveLength(1);
  });

  it('asks for the card last 4 when a number is shared, and narrows to one customer', async () => {
    const bank = fakeBank();
    const c = await call('+8613800000034', ['1']);
    expect(c.eventsOf('identify_ambiguous')[0]?.data).toEqual({ candidates: 2 });
    expect(c.said).toContain('后四位');
    expect(c.terminal).toMatchObject({ type: 'gather', numDigits: 4, secret: true });
    const d = await call('+8613800000034', ['1', '2222'], bank);
    expect(bank.calls.narrowed).toEqual([[3, 4]]);
    expect(d.eventsOf('identified')[0]?.data).toMatchObject({ customer_id: 4, method: 'card_last4' });
    expect(d.session.vars).toMatchObject({ customer_id: 4, tier: 'STANDARD', verified: false });
    expect(d.session.node).toBe('main_menu');
    expect(JSON.stringify(d.turns)).not.toContain('2222');
  });

  it('treats a last 4 that matches nobody as unknown', async () => {
    const c = await call('+8613800000034', ['1', '9999']);
    expect(c.session.vars.customer_id).toBeUndefined();
    expect(c.session.vars._candidates).toBeUndefined();
    expect(c.session.node).toBe('main_menu');
  });
});

describe('hotline: menus', () => {
  it('re-prompts after invalid keys, then goes to on_fail (an agent)', async () => {
    const c = await call('+8613800000002', ['1', '7']);
    expect(c.said).toContain('输入有误');
    expect(c.said).toContain('账户及余额查询请按1');
    expect(c.terminal?.type).toBe('gather');
    await c.press('8');
    expect(c.terminal?.type).toBe('gather');
    await c.press('7');
    expect(c.terminal).toMatchObject({ type: 'enqueue', skill: 'general' });
    expect(c.eventsOf('input_failed')[0]?.data).toEqual({ attempts: 3 });
  });

  it('re-prompts after timeouts, then goes to on_fail', async () => {
    const c = await call('+8613800000002', ['1']);
    await c.silence();
    expect(c.said).toContain('没有收到您的输入');
    await c.silence();
    await c.silence();
    expect(c.terminal).toMatchObject({ type: 'enqueue', skill: 'general' });
  });

  it('repeats the menu on 9 without counting it as a failure', async () => {
    const c = await call('+8613800000002', ['1', '9', '7', '9', '7']);
    expect(c.terminal?.type).toBe('gather');
    expect(c.session.node).toBe('main_menu');
  });

  it('sends 0 to an agent, carrying the language, tier and customer', async () => {
    const c = await call('+8613800000002', ['2', '0']);
    expect(c.terminal).toEqual({ type: 'enqueue', skill: 'general', tier: 'STANDARD', priority: 0, lang: 'en', customerId: 2 });
    expect(c.eventsOf('queued')[0]?.data).toEqual({ skill: 'general', priority: 0, tier: 'STANDARD' });
  });

  it('sends complaints to the complaints skill', async () => {
    const c = await call('+8613800000002', ['1', '6']);
    expect(c.terminal).toMatchObject({ type: 'enqueue', skill: 'complaints' });
  });
});

describe('hotline: PIN and self-service', () => {
  it('verifies the PIN and reads the balances in Mandarin', async () => {
    const c = await call('+8613800000002', ['1', '1', '1']);
    expect(c.terminal).toMatchObject({ type: 'gather', secret: true, finishOnKey: '#' });
    await c.press(`${PIN}#`);
    expect(c.eventsOf('verified')).toHaveLength(1);
    expect(c.session.vars.verified).toBe(true);
    expect(c.said).toContain('您尾号1234的账户，余额为 12,345.67 元');
    expect(c.said).toContain('1,500.00 美元');
    expect(c.eventsOf('self_service')[0]?.data).toMatchObject({ service: 'balance', customer_id: 2 });
    expect(c.session.node).toBe('after_service');
  });

  it('reads the balances in English', async () => {
    const c = await call('+8613800000002', ['2', '1', '1', PIN]);
    expect(c.said).toContain('Your account ending 1234 has a balance of CNY 12,345.67.');
  });

  it('does not ask for the PIN again once verified', async () => {
    const c = await call('+8613800000002', ['2', '1', '1', PIN, '1', '1', '2']);
    expect(c.said).toContain('Your last 2 transactions: 3 March, a debit of CNY 128.00');
    expect(c.eventsOf('verified')).toHaveLength(1);
  });

  it('reads time deposits with principal, rate and maturity', async () => {
    const c = await call('+8613800000002', ['1', '5', '1', PIN]);
    expect(c.said).toContain('本金 50,000.00 元，年利率1.75%，到期日2027年3月1日');
  });

  it('re-prompts after a wrong PIN, and sends the caller to security when the port locks the PIN', async () => {
    const c = await call('+8613800000002', ['1', '1', '1', '111000']);
    expect(c.eventsOf('verify_failed')).toHaveLength(1);
    expect(c.said).toContain('密码错误');
    expect(c.terminal).toMatchObject({ type: 'gather', secret: true });
    await c.press('222000');
    await c.press('333000');
    expect(c.eventsOf('pin_locked')).toHaveLength(1);
    expect(c.said).toContain('锁定');
    expect(c.terminal).toMatchObject({ type: 'enqueue', skill: 'security', customerId: 2 });
    expect(c.session.vars.verified).toBe(false);
  });

  it('never lets a PIN appear in the session, path, events or actions', async () => {
    const c = await call('+8613800000002', ['1', '1', '1', '111000', PIN]);
    const d = await call('+8613800000002', ['1', '1', '1', '555111', '555222', '555333']);
    const everything = JSON.stringify([c.turns, c.session, d.turns, d.session]);
    for (const pin of [PIN, '111000', '555111', '555222', '555333']) expect(everything).not.toContain(pin);
    expect(c.eventsOf('ivr_step').filter((e) => e.node === 'auth_verify').map((e) => e.data)).toEqual([{ input: 'secret' }, { input: 'secret' }]);
  });

  it('identifies an unknown caller by account number, and keeps no full account number', async () => {
    const c = await call('+8613900000000', ['1', '1', '1']);
    expect(c.session.node).toBe('auth_ask_account');
    await c.press('621401000000000222#');
    expect(c.eventsOf('identified')[0]?.data).toMatchObject({ customer_id: 2, method: 'account' });
    expect(c.session.node).toBe('auth_verify');
    await c.press(PIN);
    expect(c.said).toContain('12,345.67');
    expect(JSON.stringify([c.turns, c.session])).not.toContain('621401000000000222');
  });

  it('tells the port the caller was identified by account number, and hands a held-back number to an agent with no more tries', async () => {
    const bank = fakeBank();
    const seen: (string | null)[] = [];
    const ports: IvrPorts = { ...bank.ports, verifyPin: async (_id, _pin, via) => { seen.push(via); return 'throttled'; } };
    const c = new Caller(hotline, ports, '+8613900000000');
    await c.start();
    for (const keys of ['1', '1', '1', '621401000000000222#', '000000']) await c.press(keys);
    expect(seen).toEqual(['account']);
    expect(c.eventsOf('pin_throttled')).toHaveLength(1);
    expect(c.eventsOf('verify_failed')).toHaveLength(0);
    expect(c.said).toContain('本来电号码暂时不能再验证电话银行密码');
    expect(c.terminal).toMatchObject({ type: 'enqueue', skill: 'general' });
    expect(c.session.vars.verified).toBe(false);
  });

  it('sends a customer without a PIN to an agent', async () => {
    // DIAMOND callers never see the PIN step in the hotline, so put one there directly.
    const d = new Caller(hotline, fakeBank().ports, '+8613900000000');
    await d.start();
    d.session.vars = { customer_id: 5, tier: 'DIAMOND', verified: false };
    d.session.node = 'auth_verify';
    await d.press('123456');
    expect(d.eventsOf('verify_no_pin')).toHaveLength(1);
    expect(d.terminal).toMatchObject({ type: 'enqueue', skill: 'general' });
  });
});

describe('hotline: lost card', () => {
  it('blocks the card the caller names by its last 4 digits, and reads the case number back', async () => {
    const bank = fakeBank();
    const c = await call('+8613800000002', ['1', '2', '1', PIN, '1', '1111'], bank);
    expect(bank.calls.lostCards).toEqual([{ id: 2, which: { last4: '1111' } }]);
    expect(c.said).toContain('已为您冻结尾号1 1 1 1的银行卡');
    expect(c.said).toContain('L C 2 0 2 6 0 3 0 4 0 0 0 1 2 3');
    expect(c.eventsOf('self_service')[0]?.data).toMatchObject({ service: 'lost_card', case_no: 'LC20260304000123', cards_frozen: 1, which: 'one' });
  });

  it('blocks every card only when the caller confirms it', async () => {
    const bank = fakeBank();
    const c = await call('+8613800000002', ['1', '2', '1', PIN, '2'], bank);
    expect(bank.calls.lostCards).toEqual([]);
    expect(c.said).toContain('确认请按1');
    await c.press('1');
    expect(bank.calls.lostCards).toEqual([{ id: 2, which: { all: true } }]);
    expect(c.said).toContain('已为您冻结尾号1 1 1 1、3 3 3 3的银行卡');
  });

  it('says so when no card ends in the digits given, blocks nothing and asks again', async () => {
    const bank = fakeBank();
    const c = await call('+8613800000002', ['1', '2', '1', PIN, '1', '0000'], bank);
    expect(c.said).toContain('没有找到尾号0 0 0 0的有效银行卡');
    expect(c.session.node).toBe('lost_which');
    expect(c.eventsOf('self_service')[0]?.data).toMatchObject({ cards_frozen: 0, case_no: null });
  });

  it('sends any failure to the card team, ahead of the queue', async () => {
    const night = fakeBank(new Date('2026-03-07T15:00:00Z')); // Saturday 23:00 in Shanghai
    const c = await call('+8613900000000', ['1', '2', '1'], night);
    expect(c.session.node).toBe('lost_ask_account');
    await c.silence();
    await c.silence();
    await c.silence();
    expect(c.terminal).toMatchObject({ type: 'enqueue', skill: 'cards', priority: 600 });
  });

  it('runs the dedicated lost-card flow: identify, verify, report, goodbye', async () => {
    const bank = fakeBank();
    const c = await call('+8613800000002', ['2', PIN, '1', '1111'], bank, lostCardFlow);
    expect(bank.calls.lostCards).toEqual([{ id: 2, which: { last4: '1111' } }]);
    expect(c.said).toContain('Your case number is L C');
    expect(c.terminal).toEqual({ type: 'hangup' });
  });
});

describe('hotline: a PIN of fixed length', () => {
  it('swallows the # pressed after six digits instead of reading it as the next menu choice', async () => {
    const c = await call('+8613800000002', ['1', '1', '1', PIN]);
    expect(c.said).toContain('12,345.67 元');
    expect(c.session.node).toBe('after_service');
    await c.press('#');
    // Asked again, nothing counted against the caller, the call not ended.
    expect(c.session.node).toBe('after_service');
    expect(c.terminal).toMatchObject({ type: 'gather' });
    expect(c.eventsOf('input_failed')).toHaveLength(0);
    await c.press('0');
    expect(c.terminal).toMatchObject({ type: 'enqueue', skill: 'general' });
  });

  it('marks a read-out to be said whole, so a stray key cannot cut it off', async () => {
    const c = await call('+8613800000002', ['1', '1', '1', PIN]);
    const readout = c.last.actions.find((a) => a.type === 'say' && a.text.includes('12,345.67'));
    expect(readout).toMatchObject({ whole: true });
  });
});

describe('hotline: after hours, queues and the survey', () => {
  it('never queues a caller nobody can serve: the queue\'s fallback books a callback and says when', async () => {
    const closed = fakeBank(OPEN, { servable: false });
    const c = await call('+8613800000002', ['1', '0'], closed);
    expect(closed.calls.callbacks).toEqual([{ customerId: 2, ani: '+8613800000002', reason: 'general', skill: 'general', priority: 0 }]);
    expect(c.eventsOf('queue_unavailable')[0]?.data).toEqual({ skill: 'general', reason: 'closed', opens_at: '2026-03-05T00:00:00.000Z' });
    expect(c.eventsOf('callback_requested')[0]?.data).toMatchObject({ reason: 'general', callback_id: 1, skill: 'general' });
    expect(c.said).toContain('在约4分钟内与您联系');
    expect(c.terminal).toEqual({ type: 'hangup' });
    expect(c.last.actions.some((a) => a.type === 'enqueue')).toBe(false);
  });

  it('sends PRIVATE and security callers to their fallback too, keeping the line\'s priority for the callback', async () => {
    const closed = fakeBank(OPEN, { servable: false });
    const vip = await call('+8613800000001', ['1'], closed);
    expect(vip.eventsOf('queue_unavailable')[0]?.data).toMatchObject({ skill: 'private_banking' });
    expect(vip.terminal).toEqual({ type: 'hangup' });
    const locked = await call('+8613800000002', ['1', '1', '1', '000000', '111111', '222222'], closed);
    expect(closed.calls.callbacks.at(-1)).toMatchObject({ reason: 'security', skill: 'security', priority: 300 });
    expect(locked.terminal).toEqual({ type: 'hangup' });
  });

  it('promises no callback to a withheld number', async () => {
    const closed = fakeBank(OPEN, { servable: false });
    const c = await call('anonymous', ['1', '0'], closed);
    expect(c.eventsOf('callback_refused')[0]?.data).toEqual({ reason: 'general', why: 'withheld' });
    expect(c.said).toContain('来电号码未显示');
    expect(c.said).not.toContain('预约回电');
  });

  it('keeps self-service working when no agent can take calls', async () => {
    const closed = fakeBank(OPEN, { servable: false });
    const c = await call('+8613800000002', ['1', '1', '1', PIN], closed);
    expect(c.said).toContain('12,345.67 元');
  });

  it('runs the survey after the agent call and records the score', async () => {
    const c = await call('+8613800000002', ['1', '0']);
    await c.queueExit('bridged');
    expect(c.session.node).toBe('survey');
    expect(c.said).toContain('请对本次服务进行评价');
    await c.press('4');
    expect(c.eventsOf('survey_score')[0]?.data).toEqual({ score: 4 });
    expect(c.said).toContain('感谢您的评价');
    expect(c.terminal).toEqual({ type: 'hangup' });
  });

  it('records no score for a key outside 1-5 and re-asks once', async () => {
    const c = await call('+8613800000002', ['1', '0']);
    await c.queueExit('bridged');
    await c.press('7');
    expect(c.terminal?.type).toBe('gather');
    await c.press('8');
    expect(c.terminal).toEqual({ type: 'hangup' });
    expect(c.eventsOf('survey_score')).toHaveLength(0);
  });

  it('books a callback when the caller leaves the queue', async () => {
    const bank = fakeBank();
    const c = await call('+8613800000002', ['1', '0'], bank);
    await c.queueExit('leave');
    expect(bank.calls.callbacks[0]).toMatchObject({ reason: 'queue_callback', skill: 'general' });
    expect(c.said).toContain('保留您的排队顺序');
    expect(c.terminal).toEqual({ type: 'hangup' });
  });
});

describe('engine safety nets', () => {
  const base = { id: 't', version: 1, description: '', start: 'a' };

  it('breaks a loop with no input in it: apology and a queue for a person', async () => {
    const flow: Flow = { ...base, languages: ['zh', 'en'], nodes: {
      a: { type: 'branch', on: 'verified', cases: {}, default: 'b' },
      b: { type: 'prompt', next: 'a' },
    } };
    const r = await advance(flow, startSession(flow, { ani: '+1', dnis: '+2' }), { kind: 'start' }, fakeBank().ports);
    expect(r.actions.at(-1)).toMatchObject({ type: 'enqueue', skill: 'general' });
    expect(r.actions[0]).toMatchObject({ type: 'say', lang: 'zh' });
    expect(r.events.at(0)).toMatchObject({ type: 'ivr_error', data: { reason: 'loop_guard' } });
  });

  it('queues the caller for a person when a port fails', async () => {
    const bank = fakeBank();
    bank.ports.balances = async () => { throw new Error('core banking down for +8613800000002'); };
    const c = await call('+8613800000002', ['1', '1', '1', PIN], bank);
    expect(c.terminal).toMatchObject({ type: 'enqueue', skill: 'general', customerId: 2 });
    expect(c.eventsOf('ivr_error')[0]?.data).toEqual({ reason: 'port_error' });
  });

  it('does not modify the session it is given, and is deterministic', async () => {
    const s = startSession(hotline, { ani: '+8613800000002', dnis: '+864008895555' });
    const frozen = JSON.stringify(s);
    const a = await advance(hotline, s, { kind: 'start' }, fakeBank().ports);
    const b = await advance(hotline, s, { kind: 'start' }, fakeBank().ports);
    expect(JSON.stringify(s)).toBe(frozen);
    expect(a).toEqual(b);
  });

  it('hangs up on input once the IVR has let the call go', async () => {
    const s = { ...startSession(hotline, { ani: '+1', dnis: '+2' }), node: null };
    const r = await advance(hotline, s, { kind: 'digits', digits: '1' }, fakeBank().ports);
    expect(r.actions).toEqual([{ type: 'hangup' }]);
  });

  it('never reads a secret var aloud', async () => {
    const flow: Flow = { ...base, languages: ['zh', 'en'], nodes: {
      a: { type: 'collect', say: { zh: '请输入', en: 'Enter' }, var: 'code', max_length: 6, secret: true, next: 'b', on_fail: 'b' },
      b: { type: 'hangup', say: { zh: '您输入的是{{code}}', en: 'You entered {{code}}' } },
    } };
    let s = startSession(flow, { ani: '+1', dnis: '+2' });
    s = (await advance(flow, s, { kind: 'start' }, fakeBank().ports)).session;
    const r = await advance(flow, s, { kind: 'digits', digits: '424242' }, fakeBank().ports);
    expect(JSON.stringify([r.actions, r.events, r.session.path])).not.toContain('424242');
  });
});

describe('speech at menus', () => {
  const txt = (zh: string, en: string) => ({ zh, en });
  const menu = (next: string, phrase: string) => ({
    type: 'menu' as const, label: txt('菜单', 'Menu'), say: txt('请说出或按键。', 'Say it or press a key.'), retries: 3, on_fail: 'bye',
    options: [{ key: '1', next, phrases: { zh: [phrase], en: [phrase] } }],
  });
  const flow = {
    ...lostCardFlow, id: 'speech-test', start: 'first',
    nodes: { first: menu('second', '余额'), second: menu('bye', '挂失'), bye: { type: 'hangup' as const, label: txt('再见', 'Goodbye') } },
  } as unknown as Flow;
  const hear = (text: string): IvrInput => ({ kind: 'speech', text, confidence: 0.9, minConfidence: 0.5 });
  const listening = (c: Caller) => c.last.actions.some((a) => a.type === 'gather' && a.speech !== undefined);

  it('counts speech not understood per menu: a miss at one menu does not make the next one keys only', async () => {
    const c = new Caller(flow, fakeBank().ports, '+8613800000002');
    await c.start();
    await c.send(hear('随便说说'));
    expect(listening(c)).toBe(true); // one miss: the same menu still listens
    await c.press('1');
    await c.send(hear('随便说说'));
    expect(listening(c)).toBe(true); // the second menu's first miss
    await c.send(hear('还是听不懂'));
    expect(listening(c)).toBe(false); // its second: keys only from then on
    await c.press('1');
    expect(c.terminal?.type).toBe('hangup');
  });
});
