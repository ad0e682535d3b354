import { isOpen } from './calendar.js';
import { DEFAULT_TEXT, RESERVED_VARS, customerId, emit, enqueue, hangup, isVerified, say, wantQueue, wantedQueue, type Ctx, type Handler, type Step } from './context.js';
import type { NodeOf, Service } from './flow-schema.js';
import { balancesText, callbackWhenText, lostCardText, timeDepositsText, transactionsText } from './readouts.js';

/** Nodes that need no input: they speak, decide, call a port, or end the IVR part of the call. */

export const prompt: Handler<'prompt'> = {
  enter(ctx, n) {
    say(ctx, n.say);
    if (n.play) ctx.actions.push({ type: 'play', url: n.play });
    if (n.pause_seconds) ctx.actions.push({ type: 'pause', seconds: n.pause_seconds });
    return { goto: n.next };
  },
};

const RESERVED: ReadonlySet<string> = new Set(RESERVED_VARS);

export const set: Handler<'set'> = {
  enter(ctx, n) {
    for (const [name, value] of Object.entries(n.vars)) if (!RESERVED.has(name)) ctx.session.vars[name] = value;
    return { goto: n.next };
  },
};

/** The value a branch switches on, as the string its `cases` are keyed by. */
function branchValue(ctx: Ctx, n: NodeOf<'branch'>): string | null {
  const { session: s, flow } = ctx;
  switch (n.on) {
    case 'tier': return typeof s.vars.tier === 'string' ? s.vars.tier : null;
    case 'hours': {
      const calendar = flow.calendars?.[n.calendar ?? 'default'];
      return calendar ? (isOpen(calendar, ctx.ports.now()) ? 'open' : 'closed') : null;
    }
    case 'verified': return String(isVerified(s));
    case 'identified': return String(customerId(s) !== null);
    case 'has_rm': return String(s.vars.has_rm === true);
    case 'language': return s.lang;
    case 'dnis': return s.dnis;
    default: {
      const value = n.var === undefined ? undefined : s.vars[n.var];
      return value === undefined || value === null ? null : String(value);
    }
  }
}

export const branch: Handler<'branch'> = {
  enter(ctx, n) {
    const value = branchValue(ctx, n);
    return { goto: (value !== null ? n.cases[value] : undefined) ?? n.default };
  },
};

const TRANSACTIONS_READ = 5;

/** A read-out and what the timeline keeps of it; `found: false` when a lost-card report matched no card. */
async function readOut(ctx: Ctx, service: Service, id: number): Promise<{ text: string; data: Record<string, unknown>; found: boolean }> {
  const { ports, session } = ctx;
  switch (service) {
    case 'balance': {
      const rows = await ports.balances(id);
      return { text: balancesText(rows, session.lang), data: { accounts: rows.length }, found: true };
    }
    case 'transactions': {
      const rows = await ports.recentTransactions(id, TRANSACTIONS_READ);
      return { text: transactionsText(rows, session.lang, ctx.flow.timezone ?? 'Asia/Shanghai'), data: { transactions: rows.length }, found: true };
    }
    case 'lost_card': {
      // The card the caller named by its last 4 digits, or all of them when they confirmed that.
      const last4 = typeof session.vars.lost_last4 === 'string' ? session.vars.lost_last4 : null;
      const r = await ports.reportLostCard(id, last4 ? { last4 } : { all: true });
      delete session.vars.lost_last4;
      if (r.case_no) session.vars.case_no = r.case_no;
      return { text: lostCardText(r, session.lang, last4), data: { case_no: r.case_no, cards_frozen: r.cards_frozen, which: last4 ? 'one' : 'all' }, found: r.cards_frozen > 0 };
    }
    default: {
      const rows = await ports.timeDeposits(id);
      return { text: timeDepositsText(rows, session.lang), data: { deposits: rows.length }, found: true };
    }
  }
}

export const selfService: Handler<'self_service'> = {
  async enter(ctx, n) {
    const id = customerId(ctx.session);
    if (id === null || !isVerified(ctx.session)) return { goto: n.on_unverified };
    const { text, data, found } = await readOut(ctx, n.service, id);
    emit(ctx, 'self_service', { service: n.service, customer_id: id, ...data });
    // Said whole: a key pressed during a balance must not cut it off (nor count as the next choice).
    say(ctx, text, ctx.session.lang, { whole: true });
    return { goto: !found && n.on_not_found ? n.on_not_found : n.next };
  },
};

/**
 * Nobody waits for nobody: a queue that no agent can serve now (closed, or nobody of its skill
 * chain and the caller's language staffed) is not entered; the flow's fallback runs instead.
 */
async function unavailable(ctx: Ctx, skill: string, priority: number): Promise<boolean> {
  const status = await ctx.ports.queueStatus(skill, ctx.session.lang, customerId(ctx.session));
  if (status.servable) return false;
  wantQueue(ctx, skill, priority);
  emit(ctx, 'queue_unavailable', { skill, reason: status.reason, opens_at: status.opens_at });
  return true;
}

export const enqueueNode: Handler<'enqueue'> = {
  async enter(ctx, n) {
    if (await unavailable(ctx, n.skill, n.priority ?? 0)) return { goto: n.on_unavailable };
    say(ctx, n.say);
    return enqueue(ctx, n.skill, n.priority ?? 0, true);
  },
  input(ctx, n, input): Step {
    // Anything but a queue result here is a replayed webhook: put the caller back in the queue.
    if (input.kind !== 'queue_exit') return enqueue(ctx, n.skill, n.priority ?? 0, true);
    switch (input.result) {
      case 'bridged': return n.on_bridged ? { goto: n.on_bridged } : hangup(ctx);
      case 'leave': return n.on_leave ? { goto: n.on_leave } : hangup(ctx);
      // The queue could no longer be served (its agents left, its hours ended): the same fallback as at the door.
      case 'unavailable': return { goto: n.on_unavailable };
      case 'hangup': case 'redirected': return hangup(ctx);
      default: {
        const next = n.on_error ?? n.on_leave;
        if (next) return { goto: next };
        say(ctx, DEFAULT_TEXT.queue_error);
        return hangup(ctx);
      }
    }
  },
};

export const transfer: Handler<'transfer'> = {
  async enter(ctx, n) {
    if (n.number) {
      say(ctx, n.say);
      emit(ctx, 'transferred', { number: n.number });
      ctx.actions.push({ type: 'dial', number: n.number });
      ctx.session.node = null;
      return { wait: true };
    }
    const skill = n.skill ?? 'general';
    if (await unavailable(ctx, skill, n.priority ?? 0)) {
      if (n.on_unavailable) return { goto: n.on_unavailable };
      say(ctx, DEFAULT_TEXT.unavailable);
      return hangup(ctx);
    }
    say(ctx, n.say);
    return enqueue(ctx, skill, n.priority ?? 0, false);
  },
};

/**
 * A callback that keeps the caller's place (or waits for the hours to open). The caller hears when
 * the bank expects to call; a withheld number cannot be called back, so it is never promised one.
 */
export const callback: Handler<'callback'> = {
  async enter(ctx, n) {
    const s = ctx.session;
    const queue = wantedQueue(s);
    const booking = await ctx.ports.requestCallback({ customerId: customerId(s), ani: s.ani, reason: n.reason, skill: queue.skill, priority: queue.priority, lang: s.lang });
    if (!booking.booked) {
      emit(ctx, 'callback_refused', { reason: n.reason, why: booking.why });
      return { goto: n.on_unreachable };
    }
    s.vars.callback_when = callbackWhenText(booking, s.lang, ctx.flow.timezone ?? 'Asia/Shanghai');
    emit(ctx, 'callback_requested', { reason: n.reason, callback_id: booking.id, skill: queue.skill, eta_s: booking.eta_s, opens_at: booking.opens_at });
    say(ctx, n.say, s.lang, { whole: true });
    return hangup(ctx);
  },
};

export const hangupNode: Handler<'hangup'> = {
  enter(ctx, n) {
    say(ctx, n.say);
    return hangup(ctx);
  },
};

/** The recording notice: once per call (a caller sent round the menus again does not hear it twice). */
export const recordingNotice: Handler<'recording_notice'> = {
  enter(ctx, n) {
    if (ctx.session.vars._recording_notice !== true) {
      ctx.session.vars._recording_notice = true;
      say(ctx, n.say, ctx.session.lang, { whole: true });
      emit(ctx, 'recording_notice', { language: ctx.session.lang });
    }
    return { goto: n.next };
  },
};
