import { randomInt } from 'node:crypto';
import type { Knex } from 'knex';
import type { CallbackBooking, Candidate, IvrPorts, Lang, QueueStatus } from '../../../ivr/engine.js';
import { maskAccountNo } from '../../lib/mask.js';
import { salutation } from '../../lib/salutation.js';
import { checkPhonePin, type ForeignLimits } from '../pins/phone-pin-check.js';

/** How long the bank has to act on a lost-card case. */
const LOST_CARD_SLA_HOURS = 24;

export interface CallContext {
  interactionId: string;
  /** The caller's number and the hotline they rang (the number a callback comes from). */
  ani: string;
  dnis: string;
  /** When the caller first joined a queue on this call: a callback keeps that place. */
  queuedAt: () => Date | null;
  /** What the IVR learned so far, for the pop of a callback booked now. */
  findings: () => Promise<Record<string, unknown>>;
}

/** What the IVR asks of routing and callbacks, on the webhook's transaction. */
export interface IvrServices {
  /** `at`: the IVR's clock (hours are judged by the time the caller hears). */
  queueStatus(trx: Knex, q: { skill: string; language: Lang; customer_id: number | null }, at: Date): Promise<QueueStatus>;
  requestCallback(trx: Knex, r: {
    customer_id: number | null; phone: string; from_number: string; reason: string; skill: string; priority: number; language: Lang;
    place_since: Date; interaction_id: string; ivr: Record<string, unknown>;
  }, at: Date): Promise<CallbackBooking>;
  /** Tiers greeted by full name before the PIN is checked (IVR_FULL_NAME_TIERS). */
  greetFullTiers: ReadonlySet<string>;
  /** How wrong PINs after an account number typed from someone else's phone are held back (PIN_FOREIGN_*). */
  pinLimits: ForeignLimits;
}

const candidateColumns = (db: Knex) => [
  'c.id as customer_id', 'c.name_zh', 'c.name_en', 'c.gender', 'c.tier', 'c.language', db.raw('c.rm_id IS NOT NULL AS has_rm'),
];

type CandidateRow = { customer_id: number; name_zh: string | null; name_en: string | null; gender: string; tier: string; language: string; has_rm: boolean };

/**
 * The IVR's view of the bank, on the transaction of the webhook being handled: a retried webhook
 * is answered from the reply store, so nothing here (a PIN failure, a frozen card) happens twice.
 */
export function createIvrPorts(trx: Knex, call: CallContext, services: IvrServices, now: () => Date = () => new Date()): IvrPorts {
  const toCandidate = (r: CandidateRow): Candidate => {
    const polite = salutation(r);
    return {
      customer_id: r.customer_id, name_zh: r.name_zh, name_en: r.name_en, tier: r.tier, language: (r.language === 'en' ? 'en' : 'zh') as Lang, has_rm: r.has_rm,
      salutation_zh: polite.zh, salutation_en: polite.en, greet_full: services.greetFullTiers.has(r.tier),
    };
  };
  return {
    now,

    async identifyByPhone(phone) {
      const rows = await trx('customer_phones as p').join('customers as c', 'c.id', 'p.customer_id')
        .where('p.phone', phone).distinct(candidateColumns(trx)).orderBy('customer_id');
      return rows.map(toCandidate);
    },

    async identifyByAccount(accountNo) {
      const row = await trx('deposit_accounts as a').join('customers as c', 'c.id', 'a.customer_id')
        .where('a.account_no', accountNo).first(candidateColumns(trx));
      return row ? toCandidate(row) : null;
    },

    async narrowByCardLast4(customerIds, last4) {
      return trx('cards').whereIn('customer_id', customerIds).andWhere({ last4 }).distinct('customer_id').pluck('customer_id');
    },

    verifyPin: (customerId, pin, via) => checkPhonePin(trx, { customerId, pin, ani: call.ani, via, limits: services.pinLimits, now: now() }),

    async balances(customerId) {
      const rows = await trx('deposit_accounts').where({ customer_id: customerId }).whereNot('status', 'closed').orderBy('id').select('account_no', 'currency', 'balance');
      return rows.map((r) => ({ account: maskAccountNo(r.account_no as string), currency: r.currency as string, balance: Number(r.balance) }));
    },

    async recentTransactions(customerId, limit) {
      const rows = await trx('transactions').where({ customer_id: customerId }).orderBy('occurred_at', 'desc').limit(limit).select('occurred_at', 'amount', 'currency', 'description');
      return rows.map((r) => ({ occurred_at: new Date(r.occurred_at).toISOString(), amount: Number(r.amount), currency: r.currency as string, description: r.description as string }));
    },

    async reportLostCard(customerId, which) {
      const at = now();
      const q = trx('cards').where({ customer_id: customerId }).whereIn('status', ['active', 'frozen']);
      if ('last4' in which) q.where({ last4: which.last4 });
      const frozen: { last4: string }[] = await q.update({ status: 'lost' }).returning('last4');
      if (frozen.length === 0) return { case_no: null, cards_frozen: 0, last4: [] };
      const caseNo = `LC${at.toISOString().slice(0, 10).replaceAll('-', '')}${String(randomInt(1e6)).padStart(6, '0')}`;
      await trx('complaints').insert({
        customer_id: customerId, case_no: caseNo, kind: 'service_request', category: 'card_loss', severity: 'high', status: 'open', channel: 'ivr', opened_at: at,
        summary: `Lost card reported on the hotline; blocked: ${frozen.map((c) => `****${c.last4}`).join(', ')}`,
        sla_due_at: new Date(at.getTime() + LOST_CARD_SLA_HOURS * 3_600_000),
      });
      return { case_no: caseNo, cards_frozen: frozen.length, last4: frozen.map((c) => c.last4) };
    },

    async timeDeposits(customerId) {
      const rows = await trx('time_deposits').where({ customer_id: customerId, status: 'active' }).orderBy('maturity_date').select('currency', 'principal', 'rate_pct', 'maturity_date');
      return rows.map((r) => ({ currency: r.currency as string, principal: Number(r.principal), rate_pct: Number(r.rate_pct), maturity_date: String(r.maturity_date) }));
    },

    queueStatus: (skill, lang, customerId) => services.queueStatus(trx, { skill, language: lang, customer_id: customerId }, now()),

    async requestCallback(c) {
      return services.requestCallback(trx, {
        customer_id: c.customerId, phone: c.ani, from_number: call.dnis, reason: c.reason, skill: c.skill ?? 'general', priority: c.priority, language: c.lang,
        place_since: call.queuedAt() ?? now(), interaction_id: call.interactionId, ivr: await call.findings(),
      }, now());
    },
  };
}
