import { DEFAULT_TEXT, customerId, emit, gather, hangup, markSecret, retry, say, setCustomer, type Ctx, type Handler, type Step } from './context.js';
import type { Candidate, IvrInput } from './engine.js';
import type { NodeOf } from './flow-schema.js';

/** Nodes that wait for the caller: each asks (prompt + gather) on entry and handles the answer. */

const digitsOf = (input: IvrInput): string | null => (input.kind === 'digits' ? input.digits : null);

/** An entry that ended on its length, not on the finish key: the key may follow into the next gather (see advance). */
function expectFinishKey(ctx: Ctx, raw: string, maxLength: number, finishKey: string): void {
  if (!raw.endsWith(finishKey) && raw.length >= maxLength) ctx.session.vars._typeahead = finishKey;
}

/** Lower case, no spaces or punctuation: 挂失。 and "Lost card!" match 挂失 and "lost card" (ivr:check compares phrases by it too). */
export const phraseKey = (s: string) => s.toLowerCase().replace(/[\s\p{P}]+/gu, '');

/** Menus whose speech was not understood twice: keys only from then on (the session keeps them). */
const KEYS_ONLY = '_speech_keys_only';
const keysOnly = (ctx: Ctx, id: string) => (Array.isArray(ctx.session.vars[KEYS_ONLY]) ? (ctx.session.vars[KEYS_ONLY] as string[]).includes(id) : false);
/** Speech not understood so far, per menu: a miss at one menu does not count against the next. */
const SPEECH_MISSES = '_speech_misses';
const missesAt = (ctx: Ctx): Record<string, number> => {
  const v = ctx.session.vars[SPEECH_MISSES];
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, number>) : {};
};
function setMisses(ctx: Ctx, n: number): void {
  const { [ctx.nodeId]: _, ...others } = missesAt(ctx);
  const next = n > 0 ? { ...others, [ctx.nodeId]: n } : others;
  if (Object.keys(next).length) ctx.session.vars[SPEECH_MISSES] = next;
  else delete ctx.session.vars[SPEECH_MISSES];
}

/** The phrases of the menu in the caller's language: the recogniser's hints. */
function menuPhrases(ctx: Ctx, n: NodeOf<'menu'>): string[] {
  return n.options.flatMap((o) => o.phrases?.[ctx.session.lang] ?? []);
}

const askMenu = (ctx: Ctx, n: NodeOf<'menu'>): Step => {
  say(ctx, n.say);
  const hints = keysOnly(ctx, ctx.nodeId) ? [] : menuPhrases(ctx, n);
  return gather(ctx, { numDigits: 1, timeoutSeconds: n.timeout_seconds, hints });
};

/** Digit runs in what was heard are masked: a caller may say a card or account number. */
const maskDigits = (text: string) => text.replace(/[0-9０-９零〇一二三四五六七八九十]{3,}/g, (m) => '*'.repeat(m.length));

function spoken(ctx: Ctx, n: NodeOf<'menu'>, input: Extract<IvrInput, { kind: 'speech' }>): Step {
  const heard = phraseKey(input.text);
  const lang = ctx.session.lang;
  // The longest phrase heard wins ("lost card" over "card"); two choices tied at it is ambiguous.
  const scored = heard ? n.options.map((o) => ({ next: o.next, length: Math.max(0, ...(o.phrases?.[lang] ?? []).map(phraseKey).filter((p) => heard.includes(p)).map((p) => p.length)) })) : [];
  const best = Math.max(0, ...scored.map((o) => o.length));
  const targets = best > 0 ? [...new Set(scored.filter((o) => o.length === best).map((o) => o.next))] : [];
  const trusted = input.confidence >= input.minConfidence;
  const [choice] = targets;
  const ok = trusted && targets.length === 1 && choice !== undefined;
  emit(ctx, 'speech_recognised', {
    text: maskDigits(input.text.slice(0, 200)), lang, confidence: Math.round(input.confidence * 100) / 100,
    matched: ok, choice: ok ? choice : null, ...(ok ? {} : { why: !trusted ? 'low_confidence' : targets.length === 0 ? 'no_match' : 'ambiguous' }),
  });
  if (ok) {
    setMisses(ctx, 0);
    return { goto: choice };
  }
  // One more go at speech, then keys only: a caller the recogniser cannot follow is not made to repeat forever.
  const misses = (missesAt(ctx)[ctx.nodeId] ?? 0) + 1;
  setMisses(ctx, misses >= 2 ? 0 : misses);
  if (misses >= 2) {
    const list = Array.isArray(ctx.session.vars[KEYS_ONLY]) ? (ctx.session.vars[KEYS_ONLY] as string[]) : [];
    ctx.session.vars[KEYS_ONLY] = [...new Set([...list, ctx.nodeId])];
  }
  return retry(ctx, n.retries, n.invalid ?? DEFAULT_TEXT.invalid, () => askMenu(ctx, n), n.on_fail);
}

export const menu: Handler<'menu'> = {
  enter: askMenu,
  input(ctx, n, input) {
    if (input.kind === 'speech') return spoken(ctx, n, input);
    const digits = digitsOf(input);
    if (digits === null) {
      emit(ctx, 'ivr_step', { input: 'timeout' });
      return retry(ctx, n.retries, n.no_input ?? DEFAULT_TEXT.no_input, () => askMenu(ctx, n), n.on_fail);
    }
    const key = digits.slice(0, 1);
    const option = n.options.find((o) => o.key !== undefined && o.key === key);
    emit(ctx, 'ivr_step', { input: 'dtmf', digits: key, valid: option !== undefined || key === n.repeat_key });
    if (option) return { goto: option.next };
    if (key !== '' && key === n.repeat_key) return askMenu(ctx, n);
    return retry(ctx, n.retries, n.invalid ?? DEFAULT_TEXT.invalid, () => askMenu(ctx, n), n.on_fail);
  },
};

export const language: Handler<'language'> = {
  enter(ctx, n) {
    // Spoken in both languages: the caller has not chosen yet.
    say(ctx, n.say, 'zh');
    say(ctx, n.say, 'en');
    return gather(ctx, { numDigits: 1, timeoutSeconds: n.timeout_seconds });
  },
  input(ctx, n, input) {
    const digits = digitsOf(input);
    const chosen = digits === null ? undefined : n.options.find((o) => o.key === digits.slice(0, 1));
    emit(ctx, 'ivr_step', digits === null ? { input: 'timeout' } : { input: 'dtmf', digits: digits.slice(0, 1), valid: chosen !== undefined });
    ctx.session.lang = chosen?.lang ?? n.default;
    emit(ctx, 'language_selected', { lang: ctx.session.lang, by: chosen ? 'dtmf' : 'default' });
    return { goto: n.next };
  },
};

const askCollect = (ctx: Ctx, n: NodeOf<'collect'>): Step => {
  say(ctx, n.say);
  return gather(ctx, { numDigits: n.max_length, finishOnKey: n.finish_key ?? '#', timeoutSeconds: n.timeout_seconds ?? 10, secret: n.secret ?? false });
};

export const collect: Handler<'collect'> = {
  enter: askCollect,
  input(ctx, n, input) {
    const raw = digitsOf(input);
    // The collected value never goes into an event: it may be a PIN or a full account number.
    emit(ctx, 'ivr_step', { input: raw === null ? 'timeout' : n.secret ? 'secret' : 'dtmf' });
    if (raw === null) return retry(ctx, n.retries, n.no_input ?? DEFAULT_TEXT.no_input, () => askCollect(ctx, n), n.on_fail);
    const digits = raw.endsWith(n.finish_key ?? '#') ? raw.slice(0, -1) : raw;
    if (!/^\d+$/.test(digits) || digits.length < (n.min_length ?? 1) || digits.length > n.max_length) {
      return retry(ctx, n.retries, n.invalid ?? DEFAULT_TEXT.invalid, () => askCollect(ctx, n), n.on_fail);
    }
    expectFinishKey(ctx, raw, n.max_length, n.finish_key ?? '#');
    ctx.session.vars[n.var] = digits;
    if (n.secret) markSecret(ctx.session, n.var);
    return { goto: n.next };
  },
};

const CANDIDATES = '_candidates';

function candidatesOf(ctx: Ctx): Candidate[] {
  const list = ctx.session.vars[CANDIDATES];
  return Array.isArray(list) ? (list as Candidate[]) : [];
}

const unknown = (ctx: Ctx, n: NodeOf<'identify'>, data: Record<string, unknown>): Step => {
  delete ctx.session.vars[CANDIDATES];
  emit(ctx, 'identify_unknown', data);
  return { goto: n.on_unknown };
};

const askLast4 = (ctx: Ctx, n: NodeOf<'identify'>): Step => {
  say(ctx, n.last4_say ?? DEFAULT_TEXT.last4);
  return gather(ctx, { numDigits: 4, timeoutSeconds: n.timeout_seconds ?? 10, secret: true });
};

/** Caller → customer: by the calling number (narrowed by card last-4 when shared) or by a collected account number. */
export const identify: Handler<'identify'> = {
  async enter(ctx, n) {
    const vars = ctx.session.vars;
    if (n.mode === 'account') {
      const accountNo = n.account_var ? vars[n.account_var] : undefined;
      // The full account number has served its purpose: it is not kept in the stored session.
      if (n.account_var) delete vars[n.account_var];
      const found = typeof accountNo === 'string' ? await ctx.ports.identifyByAccount(accountNo) : null;
      if (!found) return unknown(ctx, n, { method: 'account' });
      setCustomer(ctx, found, 'account');
      return { goto: n.on_identified };
    }
    const candidates = await ctx.ports.identifyByPhone(ctx.session.ani);
    const [only] = candidates;
    if (candidates.length === 0 || !only) return unknown(ctx, n, { method: 'phone' });
    if (candidates.length === 1) {
      setCustomer(ctx, only, 'phone');
      return { goto: n.on_identified };
    }
    emit(ctx, 'identify_ambiguous', { candidates: candidates.length });
    vars[CANDIDATES] = candidates;
    return askLast4(ctx, n);
  },
  async input(ctx, n, input) {
    const digits = digitsOf(input)?.replace(/#$/, '') ?? null;
    emit(ctx, 'ivr_step', { input: digits === null ? 'timeout' : 'secret' });
    if (digits === null || !/^\d{4}$/.test(digits)) {
      const notice = digits === null ? DEFAULT_TEXT.no_input : DEFAULT_TEXT.invalid;
      const step = retry(ctx, n.retries, notice, () => askLast4(ctx, n), n.on_unknown);
      return 'goto' in step ? unknown(ctx, n, { method: 'card_last4', matches: null }) : step;
    }
    const candidates = candidatesOf(ctx);
    const ids = await ctx.ports.narrowByCardLast4(candidates.map((c) => c.customer_id), digits);
    const matches = candidates.filter((c) => ids.includes(c.customer_id));
    const [match] = matches;
    if (matches.length !== 1 || !match) return unknown(ctx, n, { method: 'card_last4', matches: matches.length });
    delete ctx.session.vars[CANDIDATES];
    setCustomer(ctx, match, 'card_last4');
    return { goto: n.on_identified };
  },
};

const askPin = (ctx: Ctx, n: NodeOf<'verify'>): Step => {
  say(ctx, n.say);
  return gather(ctx, { numDigits: n.max_length ?? 6, finishOnKey: '#', timeoutSeconds: n.timeout_seconds ?? 10, secret: true });
};

/** Phone-banking PIN check. The PIN goes from the input straight to the port: never stored, logged or echoed. */
export const verify: Handler<'verify'> = {
  enter(ctx, n) {
    if (customerId(ctx.session) === null) return { goto: n.on_unidentified };
    if (ctx.session.vars.verified === true) return { goto: n.on_verified };
    return askPin(ctx, n);
  },
  async input(ctx, n, input) {
    const id = customerId(ctx.session);
    if (id === null) return { goto: n.on_unidentified };
    const raw = digitsOf(input);
    emit(ctx, 'ivr_step', { input: raw === null ? 'timeout' : 'secret' });
    if (raw === null) return retry(ctx, n.retries, DEFAULT_TEXT.no_input, () => askPin(ctx, n), n.on_fail);
    const pin = raw.replace(/#$/, '');
    expectFinishKey(ctx, raw, n.max_length ?? 6, '#');
    const wrongText = n.wrong ?? DEFAULT_TEXT.wrong_pin;
    // A malformed PIN is not sent to the port, so it does not count towards the lockout.
    if (!/^\d+$/.test(pin) || pin.length < (n.min_length ?? 4) || pin.length > (n.max_length ?? 6)) {
      return retry(ctx, n.retries, wrongText, () => askPin(ctx, n), n.on_fail);
    }
    const via = typeof ctx.session.vars.identified_by === 'string' ? ctx.session.vars.identified_by : null;
    const result = await ctx.ports.verifyPin(id, pin, via);
    switch (result) {
      case 'ok':
        ctx.session.vars.verified = true;
        emit(ctx, 'verified', { customer_id: id });
        return { goto: n.on_verified };
      case 'locked':
        emit(ctx, 'pin_locked', { customer_id: id });
        return { goto: n.on_locked };
      case 'no_pin':
        emit(ctx, 'verify_no_pin', { customer_id: id });
        return { goto: n.on_no_pin };
      case 'throttled':
        // Too many wrong PINs from this number against accounts not its own: no more tries, a person instead.
        emit(ctx, 'pin_throttled', { customer_id: id });
        say(ctx, DEFAULT_TEXT.pin_throttled);
        return { goto: n.on_fail };
      default:
        emit(ctx, 'verify_failed', { customer_id: id, attempt: ctx.session.retries + 1 });
        return retry(ctx, n.retries, wrongText, () => askPin(ctx, n), n.on_fail);
    }
  },
};

const askSurvey = (ctx: Ctx, n: NodeOf<'survey'>): Step => {
  say(ctx, n.say);
  return gather(ctx, { numDigits: 1, timeoutSeconds: n.timeout_seconds ?? 8 });
};

export const survey: Handler<'survey'> = {
  enter: askSurvey,
  input(ctx, n, input) {
    const key = digitsOf(input)?.slice(0, 1) ?? null;
    emit(ctx, 'ivr_step', key === null ? { input: 'timeout' } : { input: 'dtmf', digits: key, valid: /^[1-5]$/.test(key) });
    if (key === null || !/^[1-5]$/.test(key)) {
      return retry(ctx, n.retries ?? 2, key === null ? DEFAULT_TEXT.no_input : DEFAULT_TEXT.invalid, () => askSurvey(ctx, n), null);
    }
    emit(ctx, 'survey_score', { score: Number(key) });
    say(ctx, n.thanks);
    return hangup(ctx);
  },
};
