import type { Knex } from 'knex';
import { appError } from '../../errors.js';
import { maskAccountNo, maskEmail, maskIdNumber } from '../../lib/mask.js';
import { maskPhone, normalizePhone } from '../../lib/phone.js';
import type { TokenClaims } from '../../plugins/auth.js';
import { recordAudit, type AuditPurpose } from '../audit/audit-repository.js';
import { TIERS, type Tier } from '../tiers/tier-model.js';
import type { TiersService } from '../tiers/tiers-service.js';
import * as repo from './customers-repository.js';
import * as views from './views-repository.js';
import type { CandidateSummary, CustomerUpdate, HoldingsUpdate, Profile } from './customers-schemas.js';
import { nextBestOffers } from './offer-rules.js';
import { pinStatusOf } from '../pins/pins-service.js';

export interface Viewer {
  user: TokenClaims;
  ip: string;
}

type Json = Record<string, unknown>;
const iso = (v: unknown) => (v == null ? null : new Date(String(v)).toISOString());
const num = (v: unknown) => Number(v ?? 0);
const sum = (rows: Json[], key: string) => Math.round(rows.reduce((s, r) => s + num(r[key]), 0) * 100) / 100;
const DAY = 86_400_000;

function ageOn(birthDate: unknown, now: Date): number | null {
  if (!birthDate) return null;
  const b = new Date(`${String(birthDate)}T00:00:00Z`);
  let age = now.getUTCFullYear() - b.getUTCFullYear();
  if (now.getUTCMonth() < b.getUTCMonth() || (now.getUTCMonth() === b.getUTCMonth() && now.getUTCDate() < b.getUTCDate())) age--;
  return age;
}

const displayName = (r: Json) =>
  String((r.language === 'en' ? r.name_en ?? r.name_zh : r.name_zh ?? r.name_en) ?? '');

function toCandidate(r: repo.CandidateRow): CandidateSummary {
  return {
    customer_id: r.customer_id,
    customer_no: r.customer_no,
    display_name: String(r.name_zh ?? r.name_en ?? ''),
    name_zh: r.name_zh,
    name_en: r.name_en,
    tier: r.tier as Tier,
    phone_masked: r.phone ? maskPhone(r.phone) : null,
    card_last4: r.card_last4 ?? [],
  };
}

/** Turns the database row into the screen-pop document: masks identity, derives flags and offers. */
function toProfile(r: repo.ProfileRow, now: Date): Profile {
  const deposits = r.deposits as Json[];
  const timeDeposits = r.time_deposits as Json[];
  const loans = r.loans as Json[];
  const cards = r.cards as Json[];
  const investments = r.investments as Json[];
  const ebanking = r.ebanking as Json | null;
  const international = r.international as Json | null;
  const complaints = r.complaints as Json[];
  const history = r.tier_history as Json[];
  const tier = r.tier as Tier;

  const openComplaints = complaints.map((c) => ({
    case_id: String(c.id), case_no: String(c.case_no), kind: String(c.kind), category: String(c.category), severity: String(c.severity), summary: String(c.summary), status: String(c.status),
    owner: c.owner === null || c.owner === undefined ? null : String(c.owner), opened_at: iso(c.opened_at)!, sla_due_at: iso(c.sla_due_at)!,
    due_in_s: Math.round((new Date(String(c.sla_due_at)).getTime() - now.getTime()) / 1000), overdue: new Date(String(c.sla_due_at)) < now, escalated: c.escalated_at !== null && c.escalated_at !== undefined,
  }));
  const loanOverdue = loans.some((l) => num(l.days_overdue) > 0 || l.status === 'overdue');

  // Trend: the direction of the latest tier change, if it happened in the last 90 days.
  const last = history[0];
  const rank = (t: unknown) => TIERS.indexOf(t as Tier);
  const trend = !last ? 'new' : !last.from_tier ? (history.length === 1 ? 'new' : 'steady')
    : now.getTime() - new Date(String(last.changed_at)).getTime() > 90 * DAY ? 'steady'
    : rank(last.to_tier) < rank(last.from_tier) ? 'up' : 'down';

  const minScores = r.min_scores as Record<string, number | null> | null;
  const above = TIERS[TIERS.indexOf(tier) - 1];
  const nextMin = above && minScores ? minScores[above] : null;
  const score = num(r.score);

  const asOfs = [...deposits, ...timeDeposits, ...loans, ...cards, ...investments, ...(ebanking ? [ebanking] : []), ...(international ? [international] : [])]
    .map((x) => String(x.as_of)).sort();
  const lines = new Set([
    ...(deposits.length ? ['deposit'] : []), ...(timeDeposits.length ? ['time_deposit'] : []), ...(loans.length ? ['loan'] : []),
    ...(cards.some((c) => c.kind === 'credit') ? ['credit_card'] : []), ...investments.map((i) => String(i.line)),
    ...(ebanking && (ebanking.mobile_enrolled || ebanking.online_enrolled) ? ['ebanking'] : []),
    ...(international && num(international.fx_volume_12m) + num(international.remittances_12m) + num(international.trade_finance_volume_12m) > 0 ? ['international'] : []),
  ]);
  const transactions = r.transactions as Json[];
  // A customer the scoring has not seen yet (fresh from a feed) has no breakdown: zeros, not a failed profile.
  const breakdown: Profile['value']['breakdown'] = { deposits: 0, loans: 0, fees: 0, ebanking: 0, international: 0, loyalty_multiplier: 1, ...(r.score_breakdown as object) };

  return {
    customer_id: r.id,
    customer_no: String(r.customer_no),
    identity: {
      display_name: displayName(r),
      name_zh: (r.name_zh as string | null) ?? null,
      name_en: (r.name_en as string | null) ?? null,
      gender: String(r.gender),
      age: ageOn(r.birth_date, now),
      customer_type: String(r.customer_type),
      id_type: String(r.id_type),
      id_number_masked: maskIdNumber(String(r.id_number)),
      language: String(r.language),
      preferred_contact: String(r.preferred_contact),
      phones: (r.phones as Json[]).map((p) => ({ phone_masked: maskPhone(String(p.phone)), kind: String(p.kind), is_primary: Boolean(p.is_primary) })),
      email_masked: r.email ? maskEmail(String(r.email)) : null,
      region: String(r.region),
      occupation: (r.occupation as string | null) ?? null,
      income_band: (r.income_band as string | null) ?? null,
      timezone: String(r.timezone),
      customer_since: String(r.customer_since),
      tenure_years: Math.floor(((now.getTime() - new Date(String(r.customer_since)).getTime()) / (365.25 * DAY)) * 10) / 10,
    },
    value: {
      tier,
      score,
      breakdown,
      trend,
      tier_history: history.map((h) => ({ from_tier: (h.from_tier as string | null) ?? null, to_tier: String(h.to_tier), changed_at: iso(h.changed_at)! })),
      next_tier: above && typeof nextMin === 'number' ? { tier: above, min_score: nextMin, gap: Math.max(0, Math.round((nextMin - score) * 100) / 100) } : null,
    },
    relationship_manager: (r.rm as Profile['relationship_manager']) ?? null,
    holdings: {
      deposits: deposits.map((d) => ({ account_no_masked: maskAccountNo(String(d.account_no)), product: String(d.product), currency: String(d.currency), balance: num(d.balance), avg_daily_balance_90d: num(d.avg_daily_balance_90d), status: String(d.status), opened_on: String(d.opened_on) })),
      time_deposits: timeDeposits.map((d) => ({ deposit_no_masked: maskAccountNo(String(d.deposit_no)), currency: String(d.currency), principal: num(d.principal), rate_pct: num(d.rate_pct), term_months: num(d.term_months), maturity_date: String(d.maturity_date), status: String(d.status) })),
      loans: loans.map((l) => ({ loan_no_masked: maskAccountNo(String(l.loan_no)), kind: String(l.kind), principal: num(l.principal), outstanding: num(l.outstanding), rate_pct: num(l.rate_pct), maturity_date: String(l.maturity_date), days_overdue: num(l.days_overdue), status: String(l.status) })),
      cards: cards.map((c) => ({ kind: String(c.kind), product: String(c.product), pan_masked: String(c.pan_masked), last4: String(c.last4), status: String(c.status), credit_limit: c.credit_limit == null ? null : num(c.credit_limit), balance: num(c.balance), expires_on: String(c.expires_on) })),
      investments: investments.map((i) => ({ line: String(i.line), product_code: String(i.product_code), product_name: String(i.product_name), risk_level: num(i.risk_level), market_value: num(i.market_value), purchased_on: String(i.purchased_on) })),
      ebanking: ebanking ? { mobile_enrolled: Boolean(ebanking.mobile_enrolled), online_enrolled: Boolean(ebanking.online_enrolled), logins_90d: num(ebanking.logins_90d), transactions_90d: num(ebanking.transactions_90d), last_login_at: iso(ebanking.last_login_at) } : null,
      international: international ? { fx_volume_12m: num(international.fx_volume_12m), remittances_12m: num(international.remittances_12m), trade_finance_volume_12m: num(international.trade_finance_volume_12m) } : null,
      totals: { deposits: sum(deposits, 'balance'), time_deposits: sum(timeDeposits, 'principal'), investments: sum(investments, 'market_value'), loans_outstanding: sum(loans, 'outstanding'), product_lines: lines.size },
    },
    recent_transactions: transactions.map((t) => ({ occurred_at: iso(t.occurred_at)!, amount: num(t.amount), currency: String(t.currency), channel: String(t.channel), description: String(t.description), account_ref_masked: maskAccountNo(String(t.account_ref)) })),
    recent_interactions: (r.interactions as Json[]).map((i) => ({ id: String(i.id), channel: String(i.channel), direction: String(i.direction), started_at: iso(i.started_at)!, ended_at: iso(i.ended_at), summary: (i.summary as string | null) ?? null, disposition: (i.disposition as string | null) ?? null })),
    open_complaints: openComplaints,
    flags: {
      risk_tolerance: num(r.risk_tolerance),
      credit_rating: (r.credit_rating as string | null) ?? null,
      churn_risk: Boolean(r.churn_risk),
      loan_overdue: loanOverdue,
      card_blocked: cards.some((c) => c.status === 'frozen' || c.status === 'lost'),
      complaint_overdue: openComplaints.some((c) => c.overdue),
    },
    consent: { marketing_consent: Boolean(r.marketing_consent), do_not_call: Boolean(r.do_not_call) },
    phone_pin: pinStatusOf(r.phone_pin as Parameters<typeof pinStatusOf>[0]),
    offers: nextBestOffers({
      risk_tolerance: num(r.risk_tolerance),
      credit_rating: (r.credit_rating as string | null) ?? null,
      churn_risk: Boolean(r.churn_risk),
      loan_overdue: loanOverdue,
      demand_adb_90d: sum(deposits, 'avg_daily_balance_90d'),
      has_wealth_or_fund: investments.some((i) => i.line === 'wealth' || i.line === 'fund'),
      has_credit_card: cards.some((c) => c.kind === 'credit'),
      has_mortgage: loans.some((l) => l.kind === 'mortgage'),
      has_insurance: investments.some((i) => i.line === 'insurance'),
      time_deposit_maturing_30d: timeDeposits.some((d) => new Date(String(d.maturity_date)).getTime() - now.getTime() < 30 * DAY),
      fx_volume_12m: num(international?.fx_volume_12m),
    }),
    data_freshness: {
      holdings_as_of: asOfs.length ? iso(asOfs[0]) : null, // the oldest line: the pop is only as fresh as its stalest part
      last_transaction_at: transactions[0] ? iso(transactions[0].occurred_at) : null,
      score_computed_at: iso(r.score_computed_at),
      generated_at: now.toISOString(),
    },
  };
}

/** How profile reads are held to account (configuration: PROFILE_*). */
export interface ViewLimits {
  /** Profile reads one user may make in a minute, and in an hour, before further ones are refused. */
  perMinute: number;
  perHour: number;
  /** How long after a call ended, a search ran or an interaction was reviewed it still backs a view. */
  purposeMinutes: number;
}

export const DEFAULT_VIEW_LIMITS: ViewLimits = { perMinute: 20, perHour: 300, purposeMinutes: 30 };

export function createCustomersService(deps: { db: Knex; tiers: TiersService; views?: ViewLimits }) {
  const { db, tiers } = deps;
  const limits = deps.views ?? DEFAULT_VIEW_LIMITS;

  // Told when a customer's data changes, so a pop on an agent's screen can follow (profile:updated).
  const listeners: ((customerId: number) => void)[] = [];
  const changed = (customerId: number) => { for (const l of listeners) l(customerId); };

  const purposeOf = (q: { purpose?: AuditPurpose; call_sid?: string }): AuditPurpose => (q.call_sid ? 'call' : q.purpose ?? 'search');

  async function scopeOf(viewer: Viewer): Promise<views.ViewerScope> {
    // The user's row as it is now: a demoted or moved user's token does not carry their old reach.
    return (await views.viewerScope(db, Number(viewer.user.sub))) ?? { role: viewer.user.role, rm_id: viewer.user.rm_id, org_unit: null };
  }

  async function refuse(viewer: Viewer, customerId: number, purpose: AuditPurpose, callSid: string | undefined, reason: 'purpose_unverified' | 'out_of_scope' | 'throttled', detail: Record<string, unknown> = {}): Promise<never> {
    await recordAudit(db, { actor: viewer.user, action: 'customer.view_refused', customer_id: customerId, purpose, call_sid: callSid, ip: viewer.ip, details: { reason, ...detail } });
    if (reason === 'throttled') throw appError('SB_ERR_CUSTOMER_VIEWS_THROTTLED', undefined, detail);
    throw appError(reason === 'out_of_scope' ? 'SB_ERR_CUSTOMER_OUT_OF_SCOPE' : 'SB_ERR_CUSTOMER_PURPOSE_UNVERIFIED');
  }

  /** Counts a profile read against the user's minute and hour; past either limit the read is refused (and audited). */
  async function metered(viewer: Viewer, customerId: number, purpose: AuditPurpose, callSid?: string): Promise<void> {
    const counts = await views.countView(db, Number(viewer.user.sub));
    if (counts.minute > limits.perMinute || counts.hour > limits.perHour) {
      await refuse(viewer, customerId, purpose, callSid, 'throttled', { per_minute: limits.perMinute, per_hour: limits.perHour });
    }
  }

  /**
   * A view's purpose must be one the server can check: the viewer's own live or recent call with
   * this customer (call_sid; without one, their campaign preview of the customer), an audited search or lookup of theirs that found them, an open
   * callback request, an audited review of their interactions (supervisors), or the RM's own book.
   * Outside a call, RMs read only their book and staff of a unit only that unit's customers.
   */
  async function authorizeView(customerId: number, viewer: Viewer, q: { purpose?: AuditPurpose; call_sid?: string }): Promise<AuditPurpose> {
    const purpose = purposeOf(q);
    const customer = await views.customerScope(db, customerId);
    if (!customer) throw appError('SB_ERR_CUSTOMER_NOT_FOUND', `No customer with id ${customerId}`);
    const scope = await scopeOf(viewer);
    const userId = Number(viewer.user.sub);
    const since = new Date(Date.now() - limits.purposeMinutes * 60_000);
    const ownBook = scope.role === 'rm' && scope.rm_id !== null && customer.rm_id === scope.rm_id;
    let backed: boolean;
    switch (purpose) {
      case 'call': backed = q.call_sid ? await views.servedOnCall(db, { userId, customerId, callSid: q.call_sid, since }) : await views.previewedBy(db, { userId, customerId, since }); break;
      case 'search': backed = await views.foundBySearch(db, { userId, customerId, since }); break;
      case 'callback': backed = await views.openCallback(db, customerId); break;
      default: backed = (scope.role === 'supervisor' || scope.role === 'admin') && await views.reviewedInteractions(db, { userId, customerId, since });
    }
    // A real call is its own scope: the customer rang (or was rung), whichever unit or book they are in.
    if (purpose !== 'call') {
      const inUnit = !scope.org_unit || !customer.org_unit || customer.org_unit === scope.org_unit;
      if ((scope.role === 'rm' && !ownBook) || !inUnit) await refuse(viewer, customerId, purpose, q.call_sid, 'out_of_scope');
      if (ownBook) backed = true;
    }
    if (!backed) await refuse(viewer, customerId, purpose, q.call_sid, 'purpose_unverified');
    return purpose;
  }

  async function loadProfile(customerId: number, executor: Knex = db): Promise<Profile | undefined> {
    const row = await repo.findProfileRow(executor, customerId, tiers.model.version);
    return row && toProfile(row, new Date());
  }

  return {
    onChange(listener: (customerId: number) => void): void {
      listeners.push(listener);
    },

    /**
     * The screen-pop prepared ahead of time (routing fetches it while the caller is still in the
     * IVR). Not audited here: whoever shows it to a person records that view.
     */
    prefetchProfile: loadProfile,

    /** The viewer's reach as their user row says now: role, RM book, unit. */
    scopeOf,

    /** Whether this customer is within a viewer's reach: an RM's own book, a unit's own customers (an unknown customer is nobody's). */
    async withinScope(scope: views.ViewerScope, customerId: number): Promise<boolean> {
      const c = await views.customerScope(db, customerId);
      if (!c) return true;
      return !((scope.role === 'rm' && c.rm_id !== scope.rm_id) || (scope.org_unit && c.org_unit && c.org_unit !== scope.org_unit));
    },

    /** What a campaign dial needs of its customer (language, tier, marketing consent). */
    dialFacts: (customerId: number, trx: Knex = db) => repo.dialFacts(trx, customerId),

    /** Who holds this number (the do-not-call register records it), or null. */
    ownerOfPhone: (phone: string, trx: Knex = db) => repo.phoneOwner(trx, phone),

    /** The screen-pop for one customer; every read is audited with who, when and why. */
    async getProfile(customerId: number, viewer: Viewer, q: { purpose?: AuditPurpose; call_sid?: string }): Promise<Profile> {
      const purpose = await authorizeView(customerId, viewer, q);
      await metered(viewer, customerId, purpose, q.call_sid);
      const profile = await loadProfile(customerId);
      if (!profile) throw appError('SB_ERR_CUSTOMER_NOT_FOUND', `No customer with id ${customerId}`);
      await recordAudit(db, { actor: viewer.user, action: 'customer.view', customer_id: customerId, purpose, call_sid: q.call_sid, ip: viewer.ip });
      return profile;
    },

    /** Users whose profile reads since `since` went past a limit or had purposes refused (for the supervisors' alert). */
    viewAnomalies: (since: Date) => views.viewAnomalies(db, { since, perMinute: limits.perMinute, perHour: limits.perHour }),

    /** Forgets read counts whose windows are long over. */
    purgeViewCounts: () => views.purgeViewCounts(db, new Date(Date.now() - 2 * 3_600_000)),

    /** Caller-ID lookup: all customers on the number; the profile only when there is exactly one. */
    async lookupByPhone(rawPhone: string, viewer: Viewer, q: { call_sid?: string }) {
      const phone = normalizePhone(rawPhone);
      const found = await repo.findByPhone(db, phone, await scopeOf(viewer));
      if (found.length === 0) throw appError('SB_ERR_CUSTOMER_NOT_FOUND', `No customer has the number ${maskPhone(phone)}`);
      // A lookup that pops a profile is a profile read: it counts against the same limits.
      if (found.length === 1) await metered(viewer, found[0]!.customer_id, q.call_sid ? 'call' : 'search', q.call_sid);
      const profile = found.length === 1 ? (await loadProfile(found[0]!.customer_id)) ?? null : null;
      const purpose = purposeOf({ ...q, purpose: 'search' });
      await recordAudit(db, found.map((c) => ({
        actor: viewer.user, action: profile ? 'customer.view' as const : 'customer.lookup' as const,
        customer_id: c.customer_id, purpose, call_sid: q.call_sid, ip: viewer.ip, details: { candidates: found.length },
      })));
      return { phone_masked: maskPhone(phone), candidates: found.map(toCandidate), profile };
    },

    async search(q: { phone?: string; name?: string; card_last4?: string; limit: number }, viewer: Viewer) {
      if (!q.phone && !q.name && !q.card_last4) throw appError('SB_ERR_CUSTOMER_SEARCH_EMPTY');
      const phone = q.phone ? normalizePhone(q.phone) : undefined;
      const results = (await repo.search(db, { ...q, phone }, await scopeOf(viewer))).map(toCandidate);
      // What was searched is recorded by kind, not value: the audit log must not become a PII store.
      await recordAudit(db, {
        actor: viewer.user, action: 'customer.search', purpose: 'search', ip: viewer.ip,
        details: { by: Object.keys(q).filter((k) => k !== 'limit' && q[k as keyof typeof q]), results: results.map((r) => r.customer_id) },
      });
      return { results };
    },

    /** The CRM master feed changes attributes (consent, do-not-call, risk profile…); audited by field name. */
    async updateCustomer(customerId: number, update: CustomerUpdate, viewer: Viewer) {
      const updated = Object.keys(update);
      const count = await repo.updateCustomerRow(db, customerId, update);
      if (count === 0) throw appError('SB_ERR_CUSTOMER_NOT_FOUND', `No customer with id ${customerId}`);
      await recordAudit(db, { actor: viewer.user, action: 'customer.update', customer_id: customerId, purpose: 'feed', ip: viewer.ip, details: { fields: updated } });
      changed(customerId);
      return { customer_id: customerId, updated };
    },

    /** A core-banking feed reports holdings; the customer's score and tier follow in the same transaction. */
    async updateHoldings(customerId: number, update: HoldingsUpdate, viewer: Viewer) {
      const result = await db.transaction(async (trx) => {
        if (!(await repo.lockCustomer(trx, customerId))) throw appError('SB_ERR_CUSTOMER_NOT_FOUND', `No customer with id ${customerId}`);
        const lines = await repo.replaceHoldings(trx, customerId, update).catch((err: { code?: string; detail?: string }) => {
          if (err.code === '23505') throw appError('SB_ERR_HOLDINGS_CONFLICT', 'An account, deposit or loan number in the update belongs to another customer');
          throw err;
        });
        const result = (await tiers.recomputeCustomer(trx, customerId, 'holdings_update'))!;
        await recordAudit(trx, { actor: viewer.user, action: 'customer.holdings_update', customer_id: customerId, purpose: 'feed', ip: viewer.ip, details: { lines, tier: result.tier, previous_tier: result.previous_tier } });
        return result;
      });
      changed(customerId);
      return result;
    },
  };
}

export type CustomersService = ReturnType<typeof createCustomersService>;
