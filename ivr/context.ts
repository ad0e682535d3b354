import type { Candidate, IvrAction, IvrEvent, IvrInput, IvrPorts, IvrSession, Lang } from './engine.js';
import type { Flow, NodeOf, NodeType, Text } from './flow-schema.js';

/** One advance() in progress: the session being changed and what the caller will hear. */
export interface Ctx {
  flow: Flow;
  session: IvrSession;
  ports: IvrPorts;
  actions: IvrAction[];
  events: IvrEvent[];
  nodeId: string;
}

/** goto: carry on at that node; wait: a terminal action was emitted, the turn is over. */
export type Step = { goto: string } | { wait: true };
export const WAIT: Step = { wait: true };

export interface Handler<T extends NodeType> {
  enter(ctx: Ctx, node: NodeOf<T>): Step | Promise<Step>;
  /** Input nodes only: what the caller did while this node was waiting. */
  input?(ctx: Ctx, node: NodeOf<T>, input: IvrInput): Step | Promise<Step>;
}

/** Vars the identify/verify nodes own: a `set` node may not forge them. */
export const RESERVED_VARS = ['customer_id', 'identified_by', 'verified', 'tier', 'has_rm', 'name_zh', 'name_en', 'salutation_zh', 'salutation_en', 'greet_full', 'customer_language'] as const;
const SECRET_VARS = '_secret_vars';

export const customerId = (s: IvrSession): number | null => (typeof s.vars.customer_id === 'number' ? s.vars.customer_id : null);
export const isVerified = (s: IvrSession) => customerId(s) !== null && s.vars.verified === true;

export function secretVars(s: IvrSession): string[] {
  const list = s.vars[SECRET_VARS];
  return Array.isArray(list) ? list.filter((v): v is string => typeof v === 'string') : [];
}

export function markSecret(s: IvrSession, name: string): void {
  s.vars[SECRET_VARS] = [...new Set([...secretVars(s), name])];
}

/** The first non-empty string among the session vars named, in order. */
function firstVar(s: IvrSession, names: string[]): string | null {
  for (const n of names) {
    const v = s.vars[n];
    if (typeof v === 'string' && v) return v;
  }
  return null;
}

/**
 * Fills {{name}} and {{var}} (non-secret session vars). {{name}} is the caller's full name only once
 * their PIN is checked (or for tiers the bank greets by name): before that, title and surname, so
 * whoever holds the phone does not hear the customer's full name.
 */
export function render(text: string, s: IvrSession, lang: Lang): string {
  const secrets = secretVars(s);
  return text.replace(/\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}/g, (_m, name: string) => {
    if (name === 'name') {
      const full = s.vars.verified === true || s.vars.greet_full === true;
      const order = full
        ? (lang === 'zh' ? ['name_zh', 'name_en'] : ['name_en', 'name_zh'])
        : (lang === 'zh' ? ['salutation_zh', 'salutation_en'] : ['salutation_en', 'salutation_zh']);
      return firstVar(s, order) ?? (lang === 'zh' ? '尊敬的客户' : 'valued customer');
    }
    if (name.startsWith('_') || secrets.includes(name)) return '';
    const value = s.vars[name];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  });
}

export function say(ctx: Ctx, text: Text | string | undefined, lang: Lang = ctx.session.lang, opts: { whole?: true } = {}): void {
  if (text === undefined) return;
  const raw = typeof text === 'string' ? text : text[lang] ?? '';
  const rendered = render(raw, ctx.session, lang).trim();
  if (rendered) ctx.actions.push({ type: 'say', text: rendered, lang, ...opts });
}

export function emit(ctx: Ctx, type: string, data: Record<string, unknown> = {}): void {
  ctx.events.push({ type, node: ctx.nodeId, data });
}

export function gather(ctx: Ctx, g: { numDigits?: number; finishOnKey?: string; timeoutSeconds?: number; secret?: boolean; hints?: string[] }): Step {
  // Secrets are keyed, never spoken: a recogniser (and whoever hears the caller) would get them.
  const speech = g.hints && g.hints.length > 0 && !g.secret ? { speech: { lang: ctx.session.lang, hints: g.hints } } : {};
  ctx.actions.push({
    type: 'gather', timeoutSeconds: g.timeoutSeconds ?? 5, secret: g.secret ?? false, ...speech,
    ...(g.numDigits !== undefined ? { numDigits: g.numDigits } : {}), ...(g.finishOnKey !== undefined ? { finishOnKey: g.finishOnKey } : {}),
  });
  ctx.session.node = ctx.nodeId;
  return WAIT;
}

export function hangup(ctx: Ctx): Step {
  emit(ctx, 'hangup');
  ctx.actions.push({ type: 'hangup' });
  ctx.session.node = null;
  return WAIT;
}

/** The queue the caller last asked for: a callback booked later (or instead) is for that queue, at that priority. */
export function wantQueue(ctx: Ctx, skill: string, priority: number): void {
  Object.assign(ctx.session.vars, { _queue_skill: skill, _queue_priority: priority });
}

export function wantedQueue(s: IvrSession): { skill: string | null; priority: number } {
  return { skill: typeof s.vars._queue_skill === 'string' ? s.vars._queue_skill : null, priority: typeof s.vars._queue_priority === 'number' ? s.vars._queue_priority : 0 };
}

export function enqueue(ctx: Ctx, skill: string, priority: number, awaitExit: boolean): Step {
  const s = ctx.session;
  const tier = typeof s.vars.tier === 'string' ? s.vars.tier : null;
  wantQueue(ctx, skill, priority);
  emit(ctx, 'queued', { skill, priority, tier });
  ctx.actions.push({ type: 'enqueue', skill, tier, priority, lang: s.lang, customerId: customerId(s) });
  s.node = awaitExit ? ctx.nodeId : null;
  return WAIT;
}

export function setCustomer(ctx: Ctx, c: Candidate, method: string): void {
  const v = ctx.session.vars;
  // A new identity never inherits the previous one's verification.
  Object.assign(v, {
    customer_id: c.customer_id, tier: c.tier, has_rm: c.has_rm, name_zh: c.name_zh, name_en: c.name_en,
    salutation_zh: c.salutation_zh, salutation_en: c.salutation_en, greet_full: c.greet_full, customer_language: c.language, identified_by: method, verified: false,
  });
  emit(ctx, 'identified', { customer_id: c.customer_id, tier: c.tier, method });
}

export const DEFAULT_TEXT = {
  invalid: { zh: '对不起，您的输入有误。', en: 'Sorry, that is not a valid choice.' },
  no_input: { zh: '对不起，没有收到您的输入。', en: 'Sorry, we did not receive your input.' },
  wrong_pin: { zh: '密码错误，请重新输入。', en: 'That PIN is not correct. Please try again.' },
  pin_throttled: { zh: '对不起，本来电号码暂时不能再验证电话银行密码，正在为您转接人工服务。', en: 'Sorry, PINs cannot be checked from this number for a while. Connecting you to an agent.' },
  last4: { zh: '请输入您的银行卡卡号后四位。', en: 'Please enter the last four digits of your card number.' },
  apology: { zh: '对不起，系统暂时无法处理您的请求，正在为您转接人工服务。', en: 'Sorry, we cannot complete your request right now. Connecting you to an agent.' },
  queue_error: { zh: '对不起，目前线路繁忙，请稍后再拨。', en: 'Sorry, all our lines are busy. Please call again later.' },
  unavailable: { zh: '对不起，目前没有客服代表可以为您服务，请稍后再拨。', en: 'Sorry, no agent can take your call right now. Please call again later.' },
  no_callback: { zh: '对不起，您的来电号码未显示，我们无法为您回电。请稍后再拨。', en: 'Sorry, your number is withheld, so we cannot call you back. Please call again later.' },
} satisfies Record<string, Text>;

/**
 * A failed attempt at an input node: re-prompt (with the invalid / no-input text) until `retries`
 * failures, then go to the fail target, or hang up when the node has none.
 */
export function retry(ctx: Ctx, limit: number | undefined, notice: Text, ask: () => Step, onFail: string | null): Step {
  ctx.session.retries += 1;
  if (ctx.session.retries >= (limit ?? 3)) {
    emit(ctx, 'input_failed', { attempts: ctx.session.retries });
    return onFail === null ? hangup(ctx) : { goto: onFail };
  }
  say(ctx, notice);
  return ask();
}
