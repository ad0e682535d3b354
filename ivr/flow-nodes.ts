import { isOpen } from './calendar.js';
import { DEFAULT_TEXT, RESERVED_VARS, customerId, emit, enqueue, hangup, isVerified, say, type Ctx, type Handler, type Step } from './context.js';
import type { NodeOf, Service } from './flow-schema.js';
import { balancesText, lostCardText, timeDepositsText, transactionsText } from './readouts.js';

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

async function readOut(ctx: Ctx, service: Service, id: number): Promise<{ text: string; data: Record<string, unknown> }> {
  const { ports, session } = ctx;
  switch (service) {
    case 'balance': {
      const rows = await ports.balances(id);
      return { text: balancesText(rows, session.lang), data: { accounts: rows.length } };
    }
    case 'transactions': {
      const rows = await ports.recentTransactions(id, TRANSACTIONS_READ);
      return { text: transactionsText(rows, session.lang, ctx.flow.timezone ?? 'Asia/Shanghai'), data: { transactions: rows.length } };
    }
    case 'lost_card': {
      const r = await ports.reportLostCard(id);
      session.vars.case_no = r.case_no;
      return { text: lostCardText(r, session.lang), data: { case_no: r.case_no, cards_frozen: r.cards_frozen } };
    }
    default: {
      const rows = await ports.timeDeposits(id);
      return { text: timeDepositsText(rows, session.lang), data: { deposits: rows.length } };
    }
  }
}

export const selfService: Handler<'self_service'> = {
  async enter(ctx, n) {
    const id = customerId(ctx.session);
    if (id === null || !isVerified(ctx.session)) return { goto: n.on_unverified };
    const { text, data } = await readOut(ctx, n.service, id);
    emit(ctx, 'self_service', { service: n.service, customer_id: id, ...data });
    say(ctx, text);
    return { goto: n.next };
  },
};

export const enqueueNode: Handler<'enqueue'> = {
  enter(ctx, n) {
    say(ctx, n.say);
    return enqueue(ctx, n.skill, n.priority ?? 0, true);
  },
  input(ctx, n, input): Step {
    // Anything but a queue result here is a replayed webhook: put the caller back in the queue.
    if (input.kind !== 'queue_exit') return enqueue(ctx, n.skill, n.priority ?? 0, true);
    switch (input.result) {
      case 'bridged': return n.on_bridged ? { goto: n.on_bridged } : hangup(ctx);
      case 'leave': return n.on_leave ? { goto: n.on_leave } : hangup(ctx);
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
  enter(ctx, n) {
    say(ctx, n.say);
    if (n.number) {
      emit(ctx, 'transferred', { number: n.number });
      ctx.actions.push({ type: 'dial', number: n.number });
      ctx.session.node = null;
      return { wait: true };
    }
    return enqueue(ctx, n.skill ?? 'general', n.priority ?? 0, false);
  },
};

export const callback: Handler<'callback'> = {
  async enter(ctx, n) {
    await ctx.ports.requestCallback(customerId(ctx.session), ctx.session.ani, n.reason);
    emit(ctx, 'callback_requested', { reason: n.reason });
    say(ctx, n.say);
    return hangup(ctx);
  },
};

export const hangupNode: Handler<'hangup'> = {
  enter(ctx, n) {
    say(ctx, n.say);
    return hangup(ctx);
  },
};
