import type { Config } from '../config.js';
import { loadTierModel } from '../modules/tiers/tier-model.js';
import { createTiersService } from '../modules/tiers/tiers-service.js';
import type { Db } from './knex.js';
import { seedSyntheticBank } from './synthetic-bank.js';
import { generateHistory } from './synthetic-history.js';
import { listFromSegment } from '../modules/campaigns/call-list.js';
import type { CampaignRow } from '../modules/campaigns/campaigns-repository.js';

/**
 * The embedded database is the demo: give it a bank the first time. A real PostgreSQL is never
 * filled with synthetic customers behind anyone's back (use `npm run db:seed` for that).
 */
export async function ensureDemoBank(db: Db, config: Config, log: (message: string) => void): Promise<void> {
  if (config.DATABASE_URL || config.SEED_CUSTOMERS === 0) return;
  const row = await db('customers').count('* as n').first();
  if (Number(row?.n ?? 0) > 0) return;
  log(`Seeding a synthetic bank of ${config.SEED_CUSTOMERS} customers (first start only)…`);
  await seedSyntheticBank(db, { customers: config.SEED_CUSTOMERS, tiers: createTiersService(loadTierModel(config.TIER_MODEL_FILE)), log });
  if (config.SEED_HISTORY_DAYS > 0) {
    log(`Adding ${config.SEED_HISTORY_DAYS} days of hotline history for the reports…`);
    await generateHistory(db, { days: config.SEED_HISTORY_DAYS, log });
  }
  await seedDemoCampaign(db);
}

/**
 * A draft care campaign with its list built, for a supervisor to start: GOLD and DIAMOND card
 * holders flagged as likely to leave, called by the agents with the cards skill.
 */
async function seedDemoCampaign(db: Db): Promise<void> {
  const [campaign] = await db('campaigns').insert({
    name: '信用卡客户关怀回访', purpose: 'care', dialing_mode: 'progressive', caller_id: '+864008895555', skill: 'cards',
    script: '您好，我是示范银行信用卡中心的客户经理助理。\n1. 核对客户身份（姓名、卡号后四位）\n2. 询问近期用卡体验，有无不便\n3. 介绍年费减免：首年免年费，次年刷卡满6次免年费\n4. 客户同意则记为“感兴趣”，需要时间考虑则约定回电时间',
    offer: JSON.stringify({ code: 'CC_FEE_WAIVER', title: '信用卡年费减免', terms: '首年免年费，次年刷卡满6次免年费' }),
    window_start: '08:00', window_end: '21:00', max_attempts: 3, calls_per_second: 1,
    retry_delays: JSON.stringify({ busy: 900, no_answer: 3600, machine: 14400, failed: 1800, abandoned: 86400 }),
  }).returning('*');
  await listFromSegment(db, campaign as CampaignRow, { tiers: ['GOLD', 'DIAMOND'], holds: ['credit_card'], churn_risk: true, limit: 200 }, { recentDays: 1, now: new Date() });
}
