import type { Knex } from 'knex';
import { computeMinScores, scoreCustomer, tierFor, type TierMinScores } from './scoring.js';
import { TIERS, type Tier, type TierModel } from './tier-model.js';
import {
  allScores, insertTierChanges, latestMinScores, loadScoreInputs, saveMinScores, tierTotals, writeScores,
  type ScoreUpdate, type TierChange,
} from './tiers-repository.js';

export type TierChangeReason = 'holdings_update' | 'bulk_recompute' | 'seed';

export interface CustomerTierResult {
  customer_id: number;
  score: number;
  tier: Tier;
  previous_tier: string;
  changed: boolean;
}

export interface BulkResult {
  customers: number;
  changed: number;
  min_scores: TierMinScores;
}

export interface TierReportLine {
  tier: Tier;
  customers: number;
  share_of_customers: number;
  share_of_contribution: number;
}

const finiteOr = (v: number | null | undefined) => (typeof v === 'number' ? v : Number.POSITIVE_INFINITY);

export function createTiersService(model: TierModel) {
  /** Cut-offs of the last bulk run; before any, the current distribution of stored scores. */
  async function currentMinScores(db: Knex): Promise<TierMinScores> {
    const saved = await latestMinScores(db, model.version);
    if (saved) return { PRIVATE: finiteOr(saved.PRIVATE), DIAMOND: finiteOr(saved.DIAMOND), GOLD: finiteOr(saved.GOLD) };
    const scores = await allScores(db);
    return computeMinScores(scores.map(Number), model);
  }

  function changesOf(before: { id: number; tier: string; assessed: boolean }[], after: ScoreUpdate[], reason: TierChangeReason): TierChange[] {
    const changes: TierChange[] = [];
    before.forEach((b, i) => {
      const a = after[i]!;
      if (!b.assessed || b.tier !== a.tier) {
        changes.push({ customer_id: b.id, from_tier: b.assessed ? b.tier : null, to_tier: a.tier, score: a.score, model_version: model.version, reason });
      }
    });
    return changes;
  }

  /** Rescore these customers against the current tier edges, in a few statements however many (a feed's batch). */
  async function recomputeCustomers(trx: Knex, customerIds: number[], reason: TierChangeReason): Promise<CustomerTierResult[]> {
    if (customerIds.length === 0) return [];
    const current = await loadScoreInputs(trx, customerIds);
    if (current.length === 0) return [];
    const minScores = await currentMinScores(trx);
    const updates = current.map((c) => {
      const { score, breakdown } = scoreCustomer(c.inputs, model);
      return { id: c.id, score, tier: tierFor(score, minScores), breakdown };
    });
    await writeScores(trx, updates);
    await insertTierChanges(trx, changesOf(current, updates, reason));
    return current.map((c, i) => {
      const { score, tier } = updates[i]!;
      return { customer_id: c.id, score, tier, previous_tier: c.tier, changed: c.tier !== tier };
    });
  }

  return {
    model,
    recomputeCustomers,

    /** Rescore one customer after its holdings changed; call inside the transaction that changed them. */
    async recomputeCustomer(trx: Knex, customerId: number, reason: TierChangeReason): Promise<CustomerTierResult | undefined> {
      return (await recomputeCustomers(trx, [customerId], reason))[0];
    },

    /** Rescore everyone, fix new tier edges from the distribution, record every tier change. */
    async recomputeAll(db: Knex, reason: TierChangeReason): Promise<BulkResult> {
      return db.transaction(async (trx) => {
        const all = await loadScoreInputs(trx);
        const scored = all.map((c) => ({ id: c.id, ...scoreCustomer(c.inputs, model) }));
        const minScores = computeMinScores(scored.map((s) => s.score), model);
        const updates: ScoreUpdate[] = scored.map((s) => ({ id: s.id, score: s.score, tier: tierFor(s.score, minScores), breakdown: s.breakdown }));
        for (let i = 0; i < updates.length; i += 5000) await writeScores(trx, updates.slice(i, i + 5000));
        const changes = changesOf(all, updates, reason);
        await insertTierChanges(trx, changes);
        await saveMinScores(trx, model.version, minScores, all.length);
        return { customers: all.length, changed: changes.length, min_scores: minScores };
      });
    },

    /** Per tier: customers, share of customers and share of total contribution (the 4%/80% check). */
    async report(db: Knex): Promise<TierReportLine[]> {
      const rows = await tierTotals(db);
      const customers = rows.reduce((s, r) => s + r.customers, 0);
      const total = rows.reduce((s, r) => s + r.total_score, 0);
      return TIERS.map((tier) => {
        const r = rows.find((x) => x.tier === tier);
        return {
          tier,
          customers: r?.customers ?? 0,
          share_of_customers: customers ? (r?.customers ?? 0) / customers : 0,
          share_of_contribution: total ? (r?.total_score ?? 0) / total : 0,
        };
      });
    },
  };
}

export type TiersService = ReturnType<typeof createTiersService>;
