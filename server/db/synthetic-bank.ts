import type { Knex } from 'knex';
import { createRng, type Rng } from '../lib/rng.js';
import { setPhonePin } from '../modules/pins/phone-pins.js';
import { scoreCustomer, type ScoreInputs } from '../modules/tiers/scoring.js';
import { TIERS, type Tier } from '../modules/tiers/tier-model.js';
import type { TiersService } from '../modules/tiers/tiers-service.js';
import type { Role } from '../modules/users/users-schemas.js';
import { createUser } from '../modules/users/users-service.js';

/**
 * A deterministic synthetic bank: customers with a power-law spread of wealth, their holdings,
 * recent transactions and complaints, relationship managers and the demo logins.
 *
 * Dates come in two kinds. History (birth dates, customer since, accounts opened, loans started)
 * is anchored on the fixed ANCHOR, so it never changes. Current state (the last 90 days of
 * transactions, logins, complaints, running time deposits, `as_of`) is relative to today (UTC,
 * truncated to the day) so the demo always looks current: the same seed gives byte-identical data
 * on the same day, and the same data shifted in time on another day.
 */

export const DEFAULT_SEED = 20261122;
export const DEMO_PASSWORD = 'switchboard-demo';
/** The phone-banking PIN of every demo persona (customers 1–7); other customers have none enrolled. */
export const DEMO_PIN = '135790';
export const DEMO_USERS: readonly { username: string; role: Role; display_name: string }[] = [
  { username: 'agent1', role: 'agent', display_name: 'Agent One' },
  { username: 'agent2', role: 'agent', display_name: 'Agent Two' },
  { username: 'supervisor1', role: 'supervisor', display_name: 'Supervisor One' },
  { username: 'admin', role: 'admin', display_name: 'Administrator' },
];

export type ProductLine = 'fund' | 'insurance' | 'wealth' | 'card' | 'loan' | 'deposit';
export interface CatalogueProduct {
  code: string;
  name_zh: string;
  name_en: string;
  line: ProductLine;
  risk_level: number; // R1..R5, compared with customers.risk_tolerance
}

// Codes shared with the next-best-offer rules (modules/customers/offer-rules.ts) keep their names there.
const CATALOGUE_ROWS: [string, string, string, ProductLine, number][] = [
  ['FD-MMF-01', '货币市场基金', 'Money Market Fund', 'fund', 1],
  ['FD-BOND-02', '纯债基金', 'Pure Bond Fund', 'fund', 2],
  ['FD-BAL-03', '平衡混合基金', 'Balanced Hybrid Fund', 'fund', 3],
  ['FD-CSI300-04', '沪深300指数基金', 'CSI 300 Index Fund', 'fund', 4],
  ['FD-QDII-05', '全球配置QDII基金', 'Global Allocation QDII Fund', 'fund', 4],
  ['FD-TECH-06', '科技成长股票基金', 'Tech Growth Equity Fund', 'fund', 5],
  ['INS-ANNUITY', '养老年金保险', 'Retirement Annuity', 'insurance', 1],
  ['INS-WHOLELIFE', '增额终身寿险', 'Increasing Whole-life Insurance', 'insurance', 1],
  ['INS-CI', '重大疾病保险', 'Critical Illness Cover', 'insurance', 1],
  ['INS-UL', '万能险', 'Universal Life', 'insurance', 2],
  ['INS-ULINK', '投资连结保险', 'Unit-linked Insurance', 'insurance', 4],
  ['INS-HOME', '家庭财产保险', 'Home Insurance', 'insurance', 1],
  ['WM-CASH-7D', '7天现金管理', 'Cash Management 7-day', 'wealth', 1],
  ['WM-STABLE-180', '稳健理财 180天', 'Steady Wealth 180-day', 'wealth', 2],
  ['WM-BALANCED-365', '平衡理财 365天', 'Balanced Wealth 365-day', 'wealth', 3],
  ['WM-EQUITY-PLUS', '权益增强理财', 'Equity Plus Wealth', 'wealth', 4],
  ['WM-PRIVATE-SN', '私行专享结构性产品', 'Private Banking Structured Note', 'wealth', 5],
  ['CC-PLATINUM', '白金信用卡', 'Platinum Credit Card', 'card', 1],
  ['CD-LARGE-3Y', '大额存单 3年', 'Large-amount CD 3-year', 'deposit', 1],
  ['FX-PREFERRED', '外汇优惠汇率套餐', 'FX Preferred-rate Package', 'deposit', 1],
  ['SVC-FEE-WAIVER', '年费及手续费减免', 'Annual and service fee waiver', 'deposit', 1],
  ['LN-CONSUMER', '个人消费贷款', 'Personal Consumer Loan', 'loan', 1],
];
export const PRODUCT_CATALOGUE: readonly CatalogueProduct[] = CATALOGUE_ROWS.map(([code, name_zh, name_en, line, risk_level]) => ({ code, name_zh, name_en, line, risk_level }));

// What the bank earns a year on each line's market value (commissions, management-fee share).
const FEE_RATE: Partial<Record<ProductLine, number>> = { fund: 0.012, insurance: 0.02, wealth: 0.006 };
const PRIVATE_ONLY = 'WM-PRIVATE-SN'; // sold only above CNY 6m of assets
// Household cover is bought with a mortgage, not as an investment: the generator adds it there.
const INVESTABLE = PRODUCT_CATALOGUE.filter((p) => FEE_RATE[p.line] !== undefined && p.code !== 'INS-HOME');

export interface SeedPersona {
  customer_id: number;
  phone: string;
  name: string;
  language: string;
  expected_tier: Tier;
  tier: string;
  rm_id: number | null;
  story: string;
}

export interface SeedSummary {
  seed: number;
  customers: number;
  tables: Record<string, number>;
  tiers: Record<Tier, number>;
  personas: SeedPersona[];
  demo_users: string[];
  rm_users: string[];
}

export interface SeedOptions {
  customers: number;
  seed?: number;
  tiers: TiersService;
  log?: (msg: string) => void;
  /** 'YYYY-MM-DD' to pin "today" (current-state dates); defaults to the current UTC day. */
  today?: string;
}

// ---------------------------------------------------------------------------------------------
// Tables, as the insert sees them: column -> PostgreSQL type for unnest(); '?' marks nullable.

const COLUMNS = {
  customers: {
    id: 'int', customer_no: 'text', name_zh: 'text?', name_en: 'text?', gender: 'text', birth_date: 'date', id_type: 'text',
    id_number: 'text', language: 'text', region: 'text', occupation: 'text', income_band: 'text', risk_tolerance: 'smallint',
    credit_rating: 'text?', churn_risk: 'bool', marketing_consent: 'bool', do_not_call: 'bool', timezone: 'text',
    preferred_contact: 'text', email: 'text?', customer_since: 'date',
  },
  customer_phones: { id: 'int', customer_id: 'int', phone: 'text', kind: 'text', is_primary: 'bool' },
  deposit_accounts: {
    id: 'int', customer_id: 'int', account_no: 'text', product: 'text', currency: 'text', balance: 'numeric',
    avg_daily_balance_90d: 'numeric', status: 'text', opened_on: 'date', as_of: 'timestamptz',
  },
  time_deposits: {
    id: 'int', customer_id: 'int', deposit_no: 'text', currency: 'text', principal: 'numeric', rate_pct: 'numeric',
    term_months: 'int', start_date: 'date', maturity_date: 'date', status: 'text', as_of: 'timestamptz',
  },
  loans: {
    id: 'int', customer_id: 'int', loan_no: 'text', kind: 'text', principal: 'numeric', outstanding: 'numeric', rate_pct: 'numeric',
    interest_income_12m: 'numeric', start_date: 'date', maturity_date: 'date', days_overdue: 'int', status: 'text', as_of: 'timestamptz',
  },
  cards: {
    id: 'int', customer_id: 'int', kind: 'text', product: 'text', pan_masked: 'text', last4: 'text', status: 'text',
    credit_limit: 'numeric?', balance: 'numeric', spend_12m: 'numeric', fee_income_12m: 'numeric', expires_on: 'date', as_of: 'timestamptz',
  },
  investment_holdings: {
    id: 'int', customer_id: 'int', line: 'text', product_code: 'text', product_name: 'text', risk_level: 'smallint',
    market_value: 'numeric', fee_income_12m: 'numeric', purchased_on: 'date', as_of: 'timestamptz',
  },
  ebanking_activity: {
    customer_id: 'int', mobile_enrolled: 'bool', online_enrolled: 'bool', logins_90d: 'int', transactions_90d: 'int',
    settlement_volume_90d: 'numeric', last_login_at: 'timestamptz?', as_of: 'timestamptz',
  },
  international_business: {
    customer_id: 'int', fx_volume_12m: 'numeric', remittances_12m: 'int', remittance_fees_12m: 'numeric',
    trade_finance_volume_12m: 'numeric', as_of: 'timestamptz',
  },
  transactions: {
    id: 'bigint', customer_id: 'int', account_ref: 'text', occurred_at: 'timestamptz', amount: 'numeric', currency: 'text',
    channel: 'text', description: 'text', counterparty: 'text?',
  },
  complaints: {
    id: 'int', customer_id: 'int', case_no: 'text', category: 'text', summary: 'text', status: 'text', channel: 'text',
    opened_at: 'timestamptz', sla_due_at: 'timestamptz', closed_at: 'timestamptz?',
  },
} as const;

type TableName = keyof typeof COLUMNS;
const TABLE_NAMES = Object.keys(COLUMNS) as TableName[];
type TsOf<S> = S extends `${infer B}?` ? TsBase<B> | null : TsBase<S>;
type TsBase<B> = B extends 'int' | 'bigint' | 'smallint' | 'numeric' ? number : B extends 'bool' ? boolean : string;
type Row<T extends TableName> = { -readonly [C in keyof (typeof COLUMNS)[T]]: TsOf<(typeof COLUMNS)[T][C]> };
// Customers come with their id; other rows are numbered by `commit` as they enter a batch.
type NewRow<T extends TableName> = T extends 'customers' | 'ebanking_activity' | 'international_business' ? Row<T> : Omit<Row<T>, 'id'>;
type Rows = { [T in TableName]: NewRow<T>[] };
type Cell = string | number | boolean | null;

const emptyRows = (): Rows => Object.fromEntries(TABLE_NAMES.map((t) => [t, []])) as unknown as Rows;

// ---------------------------------------------------------------------------------------------
// Generator data, kept compact: "字:pinyin" pairs, cities as name|province|area code|ID prefix|weight.

const pairs = (s: string) => s.split(' ').map((p) => p.split(':') as [string, string]);
const SURNAMES = pairs('王:Wang 李:Li 张:Zhang 刘:Liu 陈:Chen 杨:Yang 黄:Huang 赵:Zhao 吴:Wu 周:Zhou 徐:Xu 孙:Sun 马:Ma 朱:Zhu 胡:Hu 郭:Guo 何:He 林:Lin 高:Gao 罗:Luo 郑:Zheng 梁:Liang 谢:Xie 宋:Song 唐:Tang 韩:Han 冯:Feng 邓:Deng 曹:Cao 彭:Peng 曾:Zeng 田:Tian 董:Dong 潘:Pan 袁:Yuan 蔡:Cai 蒋:Jiang 杜:Du 叶:Ye 程:Cheng 魏:Wei 苏:Su 丁:Ding 任:Ren 沈:Shen 欧阳:Ouyang');
const GIVEN_M = pairs('伟:wei 强:qiang 磊:lei 军:jun 勇:yong 杰:jie 涛:tao 明:ming 超:chao 刚:gang 平:ping 辉:hui 鹏:peng 华:hua 飞:fei 鑫:xin 波:bo 斌:bin 宇:yu 浩:hao 建:jian 国:guo 志:zhi 峰:feng 俊:jun 博:bo 东:dong 成:cheng 德:de 晓:xiao 文:wen 海:hai 天:tian');
const GIVEN_F = pairs('芳:fang 娜:na 敏:min 静:jing 丽:li 艳:yan 娟:juan 霞:xia 秀:xiu 英:ying 婷:ting 雪:xue 琳:lin 慧:hui 颖:ying 佳:jia 玲:ling 梅:mei 欣:xin 怡:yi 晶:jing 淑:shu 珍:zhen 兰:lan 晓:xiao 文:wen 春:chun 云:yun 思:si 雨:yu');
const EN_FIRST_M = 'James Oliver Michael David Daniel Thomas William Robert Henry Andrew Kelvin Ivan Alvin Marcus'.split(' ');
const EN_FIRST_F = 'Emily Sarah Olivia Sophie Grace Hannah Charlotte Emma Laura Rachel Winnie Karen Gigi Joanne'.split(' ');

interface City { name: string; province: string; area: string; idPrefix: string; weight: number }
const CITIES: City[] = ('Shanghai||21|310115|12;Beijing||10|110105|11;Guangzhou|Guangdong|20|440106|7;Shenzhen|Guangdong|755|440305|7;' +
  'Chengdu|Sichuan|28|510107|6;Hangzhou|Zhejiang|571|330106|6;Wuhan|Hubei|27|420106|5;Nanjing|Jiangsu|25|320106|5;' +
  'Chongqing||23|500103|5;Tianjin||22|120101|4;Xi\'an|Shaanxi|29|610113|4;Suzhou|Jiangsu|512|320505|4;Changsha|Hunan|731|430104|3;' +
  'Zhengzhou|Henan|371|410105|3;Qingdao|Shandong|532|370202|3;Shenyang|Liaoning|24|210102|3;Xiamen|Fujian|592|350203|2;' +
  'Kunming|Yunnan|871|530102|2;Harbin|Heilongjiang|451|230103|2;Hefei|Anhui|551|340104|2')
  .split(';').map((s) => {
    const [name = '', province = '', area = '', idPrefix = '', weight = '1'] = s.split('|');
    return { name, province, area, idPrefix, weight: Number(weight) };
  });
const cityNamed = (name: string) => CITIES.find((c) => c.name === name)!;
const regionOf = (c: City) => (c.province ? `${c.name}, ${c.province}` : c.name);

type ForeignCountry = 'GB' | 'US' | 'HK' | 'SG';
interface Foreign { weight: number; surnames: string[]; idType: string }
const FOREIGN: Record<ForeignCountry, Foreign> = {
  GB: { weight: 3, surnames: 'Smith Taylor Brown Wilson Carter Davies Evans Walker Wright Clarke Hughes Green'.split(' '), idType: 'passport' },
  US: { weight: 3, surnames: 'Johnson Miller Davis Anderson Thompson Baker Young Allen Nelson Hill'.split(' '), idType: 'passport' },
  HK: { weight: 2, surnames: 'Chan Wong Leung Cheung Lau Ho Ng Tang Yip Lam'.split(' '), idType: 'hk_macau_permit' },
  SG: { weight: 2, surnames: 'Tan Lim Lee Ong Goh Chua Teo Koh Low Sim'.split(' '), idType: 'passport' },
};
// US 555-01xx numbers are reserved for fiction; the area code picks the time zone.
const US_AREAS: [string, string][] = [['212', 'America/New_York'], ['617', 'America/New_York'], ['312', 'America/Chicago'], ['415', 'America/Los_Angeles'], ['206', 'America/Los_Angeles']];
const MOBILE_PREFIXES = '130 131 132 133 135 136 137 138 139 150 151 152 155 157 158 159 180 182 185 186 187 188 189 191 195 198 199'.split(' ');
const EMAIL_DOMAINS = ['example.com', 'example.net', 'example.org', 'mail.example'];

const COMPANIES: [string, string][] = [['华信科技有限公司', 'Huaxin Technology Co.'], ['东方制造集团', 'Dongfang Manufacturing Group'], ['市第一人民医院', 'No.1 People\'s Hospital'], ['明德实验中学', 'Mingde Experimental School'], ['长江物流股份公司', 'Changjiang Logistics plc'], ['恒通贸易有限公司', 'Hengtong Trading Ltd']];
const MERCHANTS_ZH = ['美团', '京东', '淘宝', '盒马鲜生', '星巴克', '滴滴出行', '中国石化', '万达影城', '屈臣氏', '携程旅行'];
const MERCHANTS_EN = ['Starbucks', 'Apple Store', 'Carrefour', 'IKEA', 'Didi', 'Amazon', 'Marriott Hotels', 'Uniqlo', 'Costa Coffee', 'Trip.com'];

// Recent-transaction kinds: [zh, en, channel, sign, size relative to the customer's typical amount].
type TxKind = readonly [string, string, string, 1 | -1, number, 'merchant' | 'company' | 'person' | null];
const TX_KINDS: readonly (readonly [TxKind, number])[] = [
  [['消费', 'Card purchase', 'pos', -1, 0.6, 'merchant'], 30],
  [['网上支付', 'Online payment', 'online', -1, 0.5, 'merchant'], 22],
  [['转账转出', 'Transfer out', 'mobile', -1, 2, 'person'], 12],
  [['转账转入', 'Transfer in', 'mobile', 1, 2, 'person'], 10],
  [['ATM取款', 'ATM withdrawal', 'atm', -1, 0.8, null], 8],
  [['水电燃气缴费', 'Utility bill payment', 'mobile', -1, 0.3, null], 8],
  [['代发工资', 'Salary credit', 'online', 1, 4, 'company'], 7],
  [['柜台现金存入', 'Cash deposit at counter', 'counter', 1, 3, null], 3],
];

const COMPLAINTS: Record<string, [string, string][]> = {
  service: [['排队等候时间过长，坐席态度冷淡', 'Waited too long on the hotline and the agent was curt'], ['网点预约后仍需长时间等候', 'Long wait at the branch despite an appointment']],
  fees: [['信用卡年费已承诺减免但仍被扣收', 'Charged the credit-card annual fee although it was waived on application'], ['跨行转账手续费与宣传不符', 'Interbank transfer fee differs from what was advertised']],
  card: [['境外消费被误判为盗刷并冻结', 'Card frozen abroad after a purchase was wrongly flagged as fraud'], ['补办新卡迟迟未寄到', 'Replacement card has not arrived']],
  loan: [['提前还款违约金计算有误', 'Early-repayment charge was calculated wrongly'], ['房贷利率调整未及时通知', 'Mortgage rate change was not notified in time']],
  wealth_missale: [['理财经理未充分揭示产品风险', 'The adviser did not explain the product\'s risk'], ['购买的基金风险等级高于本人风险承受能力', 'Sold a fund above my risk tolerance']],
  ebanking: [['手机银行登录反复失败', 'Repeated login failures on the mobile app'], ['网银转账显示成功但对方未到账', 'Online transfer shown as done but never arrived']],
  other: [['对账单邮寄地址未更新', 'Statement still goes to the old address'], ['积分兑换礼品未发放', 'Reward points redemption was never delivered']],
};
const COMPLAINT_WEIGHTS: [string, number][] = [['service', 30], ['fees', 20], ['card', 18], ['ebanking', 14], ['loan', 8], ['wealth_missale', 5], ['other', 5]];

// ---------------------------------------------------------------------------------------------
// Small helpers

const DAY = 86_400_000;
const YEAR = 365.25 * DAY;
const ANCHOR = Date.UTC(2026, 10, 1); // history is dated back from here
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const isoTime = (ms: number) => new Date(ms).toISOString();
const round2 = (n: number) => Math.round(n * 100) / 100;
const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const between = (rng: Rng, lo: number, hi: number) => lo + rng.next() * (hi - lo);
const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function weighted<T>(rng: Rng, items: readonly (readonly [T, number])[]): T {
  let r = rng.next() * items.reduce((sum, [, w]) => sum + w, 0);
  for (const [item, w] of items) {
    r -= w;
    if (r < 0) return item;
  }
  return items[items.length - 1]![0];
}

function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.getTime();
}

/** Last day of the month `months` after `ms`: when cards expire. */
const monthEnd = (ms: number, months: number) => addMonths(Date.UTC(new Date(ms).getUTCFullYear(), new Date(ms).getUTCMonth(), 1), months + 1) - DAY;

function addBusinessDays(ms: number, days: number): number {
  let t = ms;
  for (let left = days; left > 0; ) {
    t += DAY;
    const wd = new Date(t).getUTCDay();
    if (wd !== 0 && wd !== 6) left--;
  }
  return t;
}

/**
 * A bijection on [0, 10^digits): distinct customer numbers give distinct, unordered-looking phone
 * numbers, so generated phones never collide by accident (only the deliberate family lines do).
 */
const scramble = (n: number, digits: number) => pad(Number((BigInt(n) * 7_368_787n + 1_234_567n) % 10n ** BigInt(digits)), digits);

/** Luhn check digit, so account numbers look like what the core system issues. */
function luhn(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

/** GB 11643 check character of an 18-digit resident ID. */
function residentIdCheck(first17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = weights.reduce((s, w, i) => s + w * Number(first17[i]), 0);
  return '10X98765432'[sum % 11]!;
}

// ---------------------------------------------------------------------------------------------
// One customer: first who they are (profile), then what they hold (holdings, driven by wealth).

interface Gen {
  rng: Rng;
  today: number; // UTC midnight of the seeding day
  issuedIds: Set<string>; // ID and passport numbers are unique, as the bank's KYC requires
  foreignSeq: Record<ForeignCountry, number>;
}

interface PhoneSpec { phone: string; kind: string }

/** What a persona pins down; everything left out is drawn at random. */
interface ProfileSpec {
  country?: 'CN' | ForeignCountry;
  gender?: 'F' | 'M';
  age?: number;
  name?: [string | null, string];
  city?: string;
  occupation?: string;
  risk_tolerance?: number;
  credit_rating?: string | null;
  tenure_years?: number;
  phones?: PhoneSpec[];
  email?: string | null;
  preferred_contact?: string;
}

interface Profile {
  customer: NewRow<'customers'>;
  phones: PhoneSpec[];
  age: number;
  city: City;
  foreign: boolean;
  wealthZ: number; // standard-normal wealth position, partly explained by age
}

function chineseName(rng: Rng, gender: 'F' | 'M'): [string, string] {
  const [sz, sp] = rng.pick(SURNAMES);
  const pool = gender === 'M' ? GIVEN_M : GIVEN_F;
  const given = rng.chance(0.3) ? [rng.pick(pool)] : [rng.pick(pool), rng.pick(pool)];
  return [sz + given.map(([z]) => z).join(''), `${sp} ${capitalise(given.map(([, p]) => p).join(''))}`];
}

function uniqueId(gen: Gen, make: (bump: number) => string): string {
  for (let bump = 0; ; bump++) {
    const id = make(bump);
    if (!gen.issuedIds.has(id)) {
      gen.issuedIds.add(id);
      return id;
    }
  }
}

function residentId(gen: Gen, city: City, birth: number, gender: 'F' | 'M'): string {
  // Birthplace is usually, not always, where the customer now lives.
  const prefix = gen.rng.chance(0.75) ? city.idPrefix : weighted(gen.rng, CITIES.map((c) => [c.idPrefix, c.weight] as const));
  const start = gen.rng.int(0, 499);
  return uniqueId(gen, (bump) => {
    const seq = ((start + bump) % 500) * 2 + (gender === 'M' ? 1 : 0); // odd sequence = male
    const first17 = `${prefix}${isoDate(birth).replaceAll('-', '')}${pad(seq, 3)}`;
    return first17 + residentIdCheck(first17);
  });
}

function foreignIdentity(gen: Gen, country: ForeignCountry): { id_number: string; phone: string; timezone: string } {
  const { rng } = gen;
  const k = gen.foreignSeq[country]++;
  const digits = (n: number) => pad(rng.int(0, 10 ** n - 1), n);
  if (country === 'GB') {
    // Ofcom's drama range 07700 900000-900999; 900000-900099 are left to the personas.
    return { id_number: uniqueId(gen, () => `5${digits(8)}`), phone: `+447700${900100 + (k % 900)}`, timezone: 'Europe/London' };
  }
  if (country === 'US') {
    const [area, timezone] = US_AREAS[Math.floor(k / 100) % US_AREAS.length]!;
    return { id_number: uniqueId(gen, () => `6${digits(8)}`), phone: `+1${area}55501${pad(k % 100, 2)}`, timezone };
  }
  if (country === 'HK') {
    return { id_number: uniqueId(gen, () => `H${digits(8)}`), phone: `+852${rng.pick(['5', '6', '9'])}${scramble(k, 7)}`, timezone: 'Asia/Hong_Kong' };
  }
  return { id_number: uniqueId(gen, () => `K${digits(7)}${rng.pick([...'ABCDJKLMNPQRTWXZ'])}`), phone: `+65${rng.pick(['8', '9'])}${scramble(k, 7)}`, timezone: 'Asia/Singapore' };
}

function mobileFor(rng: Rng, id: number): string {
  const prefix = rng.pick(MOBILE_PREFIXES);
  const suffix = scramble(id, 8);
  // +86 138 0000 00xx belongs to the demo personas.
  return `+86${prefix === '138' && suffix.startsWith('000000') ? '139' : prefix}${suffix}`;
}

const landline = (city: City, first: string, id: number) => `+86${city.area}${first}${scramble(id, 7)}`;

function occupationFor(rng: Rng, age: number, wealthZ: number): string {
  if (age < 23 && rng.chance(0.7)) return 'student';
  if (age >= 60 && rng.chance(0.8)) return 'retired';
  if (wealthZ > 2 && rng.chance(0.6)) return rng.pick(['business owner', 'executive', 'investor']);
  return weighted(rng, [['employee', 30], ['engineer', 10], ['teacher', 6], ['civil servant', 6], ['doctor', 4], ['self-employed', 12], ['business owner', 5], ['worker', 12], ['freelancer', 6], ['farmer', 4], ['executive', 3]]);
}

function makeProfile(gen: Gen, id: number, spec: ProfileSpec = {}): Profile {
  const { rng } = gen;
  const country = spec.country ?? (rng.chance(0.015) ? weighted(rng, Object.entries(FOREIGN).map(([c, f]) => [c as ForeignCountry, f.weight] as const)) : 'CN');
  const foreign = country !== 'CN';
  const gender = spec.gender ?? (rng.chance(0.5) ? 'F' : 'M');
  const age = spec.age ?? Math.round(clamp(42 + 14 * rng.normal(), 18, 85));
  const birth = ANCHOR - age * YEAR - rng.int(0, 364) * DAY;
  const city = spec.city ? cityNamed(spec.city) : foreign ? cityNamed(rng.pick(['Shanghai', 'Beijing', 'Shenzhen', 'Guangzhou'])) : weighted(rng, CITIES.map((c) => [c, c.weight] as const));
  // Older customers have had longer to save: age explains a tenth of the wealth variance.
  const wealthZ = 0.95 * rng.normal() + 0.31 * ((age - 42) / 14);
  const tenure = spec.tenure_years ?? Math.min(age - 18, 25) * rng.next();
  const since = ANCHOR - Math.max(60 * DAY, tenure * YEAR);

  let name: [string | null, string];
  let id_number: string;
  let timezone = 'Asia/Shanghai';
  let phones: PhoneSpec[];
  if (foreign) {
    const f = FOREIGN[country];
    const identity = foreignIdentity(gen, country);
    name = spec.name ?? [null, `${rng.pick(gender === 'M' ? EN_FIRST_M : EN_FIRST_F)} ${rng.pick(f.surnames)}`];
    id_number = identity.id_number;
    timezone = identity.timezone;
    phones = spec.phones ?? [{ phone: identity.phone, kind: 'mobile' }];
  } else {
    name = spec.name ?? chineseName(rng, gender);
    id_number = residentId(gen, city, birth, gender);
    phones = spec.phones ?? [{ phone: mobileFor(rng, id), kind: 'mobile' }];
    if (!spec.phones && rng.chance(0.15)) phones.push(rng.chance(0.6) ? { phone: landline(city, rng.pick(['5', '6']), id), kind: 'home' } : { phone: landline(city, '8', id), kind: 'work' });
  }
  const [name_zh, name_en] = name;
  const local = name_en.toLowerCase().split(' ');
  const email = spec.email !== undefined ? spec.email : rng.chance(foreign ? 0.95 : 0.65) ? `${local.slice(1).join('')}.${local[0]}${rng.int(1, 99)}@${rng.pick(EMAIL_DOMAINS)}` : null;
  const customer: NewRow<'customers'> = {
    id,
    customer_no: `C${pad(id, 10)}`,
    name_zh,
    name_en,
    gender,
    birth_date: isoDate(birth),
    id_type: foreign ? FOREIGN[country].idType : 'resident_id',
    id_number,
    language: foreign ? 'en' : 'zh',
    region: regionOf(city),
    occupation: spec.occupation ?? occupationFor(rng, age, wealthZ),
    income_band: '<100k', // set with the holdings, from wealth
    risk_tolerance: spec.risk_tolerance ?? clamp(weighted(rng, [[1, 20], [2, 35], [3, 30], [4, 10], [5, 5]]) + (wealthZ > 1.5 && rng.chance(0.4) ? 1 : 0) - (age > 65 && rng.chance(0.5) ? 1 : 0), 1, 5),
    credit_rating: spec.credit_rating !== undefined ? spec.credit_rating : rng.chance(0.1) ? null : weighted(rng, [['AAA', 8], ['AA', 22], ['A', 35], ['BBB', 22], ['BB', 8], ['B', 4], ['C', 1]]),
    churn_risk: false, // decided with the holdings and complaints
    marketing_consent: rng.chance(0.6),
    do_not_call: rng.chance(0.03),
    timezone,
    preferred_contact: spec.preferred_contact ?? (foreign ? weighted(rng, [['email', 45], ['phone', 40], ['sms', 15]]) : weighted(rng, [['phone', 45], ['wechat', 25], ['sms', 20], ['email', 10]])),
    email,
    customer_since: isoDate(since),
  };
  return { customer, phones, age, city, foreign, wealthZ };
}

// ----- holdings --------------------------------------------------------------------------------

/** What a persona forces; population customers get none of these. */
interface HoldingsSpec {
  investments?: boolean;
  timeDeposit?: boolean;
  international?: boolean;
  lostCard?: boolean;
  churn?: boolean;
  complaint?: { category: string; daysAgo: number };
  last4?: string; // persona cards: the first active card ends in this, the others in 1xxx, 2xxx
  creditCard?: boolean;
}

interface Ctx {
  gen: Gen;
  profile: Profile;
  id: number;
  wealth: number; // CNY of financial assets held with the bank
  rows: Rows;
  spec: HoldingsSpec;
  asOf: string;
}

const MEDIAN_WEALTH = 18_000;
const WEALTH_SIGMA = 2.9;
const WEALTH_KNEE = 3; const WEALTH_TAIL = 0.5;
const rel = (ctx: Ctx, power: number) => (ctx.wealth / MEDIAN_WEALTH) ** power; // scale of amounts with wealth

function accountNo(id: number, k: number, product: string): string {
  const body = `6214${product === 'payroll' ? '02' : product === 'current' ? '01' : '03'}${pad(id, 10)}${k}`;
  return body + luhn(body);
}

function addDeposits(ctx: Ctx, demand: number): void {
  const { rng } = ctx.gen;
  const n = weighted(rng, [[1, 70], [2, 25], [3, 5]]);
  const employed = !['student', 'retired', 'business owner', 'self-employed', 'investor', 'farmer'].includes(ctx.profile.customer.occupation);
  const sinceMs = Date.parse(ctx.profile.customer.customer_since);
  for (let k = 0; k < n; k++) {
    const product = k === 0 ? (employed ? 'payroll' : 'savings') : rng.pick(['savings', 'current']);
    const dormant = k > 0 && rng.chance(0.08);
    const share = k === 0 ? (n === 1 ? 1 : between(rng, 0.6, 0.9)) : between(rng, 0.05, 0.3) / (n - 1);
    const adb = dormant ? between(rng, 0, 500) : demand * share;
    ctx.rows.deposit_accounts.push({
      customer_id: ctx.id,
      account_no: accountNo(ctx.id, k, product),
      product,
      currency: 'CNY',
      balance: round2(adb * rng.logNormal(1, 0.2)),
      avg_daily_balance_90d: round2(adb),
      status: dormant ? 'dormant' : 'active',
      opened_on: isoDate(sinceMs + (k === 0 ? 0 : rng.next() * (ANCHOR - sinceMs))),
      as_of: ctx.asOf,
    });
  }
}

const TD_TERMS: [number, number][] = [[3, 1.05], [6, 1.25], [12, 1.35], [24, 1.45], [36, 1.75], [60, 1.8]]; // months, % a year

function addTimeDeposits(ctx: Ctx, total: number): void {
  const { rng } = ctx.gen;
  const n = total > 500_000 ? rng.int(1, 3) : 1;
  for (let k = 0; k < n; k++) {
    const [term, rate] = rng.pick(TD_TERMS);
    // A running deposit: started within its term, so it matures after today (some within 30 days).
    const start = ctx.gen.today - Math.floor(rng.next() * (addMonths(ctx.gen.today, term) - ctx.gen.today) / DAY) * DAY;
    const principal = Math.max(10_000, Math.round(total / n / 1000) * 1000); // banks take round sums
    ctx.rows.time_deposits.push({
      customer_id: ctx.id, deposit_no: `TD${pad(ctx.id, 10)}${k}`, currency: 'CNY', principal, rate_pct: rate + (principal >= 200_000 ? 0.2 : 0),
      term_months: term, start_date: isoDate(start), maturity_date: isoDate(addMonths(start, term)), status: 'active', as_of: ctx.asOf,
    });
  }
}

// Net interest: the loan's rate less the bank's funding cost, the loan-side twin of the deposit margin.
const FUNDING_COST_PCT = 2.4;

interface LoanSpec { kind: string; principal: number; years: number; rate: number }

function loanSpecs(ctx: Ctx): LoanSpec[] {
  const { rng } = ctx.gen;
  const { age } = ctx.profile;
  const job = ctx.profile.customer.occupation;
  const lnW = Math.log(ctx.wealth);
  const specs: LoanSpec[] = [];
  if (age >= 25 && age <= 62 && rng.chance(0.03 + 0.12 * sigmoid(lnW - Math.log(300_000)))) {
    specs.push({ kind: 'mortgage', principal: clamp(rng.logNormal(600_000, 0.5) * rel(ctx, 0.4), 150_000, 30_000_000), years: rng.pick([20, 25, 30]), rate: between(rng, 3.1, 3.9) });
  }
  if (age <= 60 && rng.chance(0.05)) specs.push({ kind: 'consumer', principal: rng.logNormal(60_000, 0.6), years: rng.int(1, 5), rate: between(rng, 3.6, 8.5) });
  if (age >= 22 && age <= 58 && rng.chance(0.035)) specs.push({ kind: 'auto', principal: rng.logNormal(150_000, 0.4) * rel(ctx, 0.1), years: rng.int(3, 5), rate: between(rng, 3.5, 5.5) });
  const owner = job === 'business owner' ? 0.35 : job === 'self-employed' ? 0.12 : 0.004;
  if (rng.chance(owner)) specs.push({ kind: 'business', principal: clamp(ctx.wealth * between(rng, 0.3, 1.5), 100_000, 80_000_000), years: rng.int(1, 5), rate: between(rng, 3.4, 5.2) });
  return specs;
}

function addLoans(ctx: Ctx): LoanSpec[] {
  const { rng, today } = ctx.gen;
  const sinceMs = Date.parse(ctx.profile.customer.customer_since);
  const specs = loanSpecs(ctx);
  specs.forEach((s, k) => {
    const termMonths = s.years * 12;
    const start = Math.max(sinceMs, addMonths(ANCHOR, -Math.floor(rng.next() * Math.min(termMonths - 1, 180))));
    const elapsed = clamp((today - start) / (addMonths(start, termMonths) - start), 0, 1);
    const outstanding = round2(s.principal * (1 - elapsed ** 1.3));
    const overdue = rng.chance(0.02);
    const rate = round2(s.rate * 100) / 100;
    ctx.rows.loans.push({
      customer_id: ctx.id, loan_no: `LN${new Date(start).getUTCFullYear()}${pad(ctx.id, 10)}${k}`, kind: s.kind, principal: round2(s.principal), outstanding, rate_pct: rate,
      interest_income_12m: round2(outstanding * Math.max(rate - FUNDING_COST_PCT, 0.3) / 100), start_date: isoDate(start),
      maturity_date: isoDate(addMonths(start, termMonths)), days_overdue: overdue ? rng.int(1, 120) : 0, status: overdue ? 'overdue' : 'active', as_of: ctx.asOf,
    });
  });
  if (ctx.rows.loans.some((l) => l.status === 'overdue')) ctx.profile.customer.credit_rating = ctx.gen.rng.pick(['BB', 'B', 'C']);
  return specs;
}

const CREDIT_PRODUCTS: [string, number, number, number][] = [ // product, minimum wealth, limit, annual fee
  ['Diamond Credit', 3_000_000, 500_000, 3600], ['Platinum Credit', 300_000, 120_000, 1200], ['Gold Credit', 50_000, 40_000, 300], ['Standard Credit', 0, 15_000, 100],
];

function addCards(ctx: Ctx): void {
  const { rng } = ctx.gen;
  const persona = ctx.spec.last4;
  let n = 0;
  const last4 = () => (persona ? `${n === 0 ? '0' : String(n)}${persona.slice(1)}` : pad(rng.int(0, 9999), 4));
  const push = (kind: 'debit' | 'credit', product: string, status: string, extra: Partial<NewRow<'cards'>> = {}) => {
    const bin = kind === 'debit' ? '6222 02' : '6225 88';
    const l4 = last4();
    n++;
    ctx.rows.cards.push({
      customer_id: ctx.id, kind, product, pan_masked: `${bin}** **** ${l4}`, last4: l4, status, credit_limit: null, balance: 0, spend_12m: 0, fee_income_12m: 0,
      expires_on: isoDate(monthEnd(ANCHOR, rng.int(3, 60))), as_of: ctx.asOf, ...extra,
    });
  };
  const debitProduct = ctx.wealth > 1_000_000 ? 'Debit Platinum' : ctx.wealth > 100_000 ? 'Debit Gold' : 'Debit Classic';
  if (ctx.spec.lostCard) {
    push('debit', debitProduct, 'active');
    push('debit', debitProduct, 'lost');
  } else if (persona || rng.chance(0.97)) {
    push('debit', debitProduct, persona ? 'active' : weighted(rng, [['active', 985], ['frozen', 7], ['lost', 5], ['closed', 3]]));
  }
  const wantsCredit = ctx.spec.creditCard ?? rng.chance(0.22 + 0.3 * sigmoid(Math.log(ctx.wealth / 100_000)));
  if (!wantsCredit) return;
  const [product, , baseLimit, annualFee] = CREDIT_PRODUCTS.find(([, min]) => ctx.wealth >= min)!;
  const limit = Math.round(baseLimit * between(rng, 0.5, 1.5) / 1000) * 1000;
  const spend = round2(limit * between(rng, 0.3, 4));
  const revolving = rng.chance(0.2);
  const balance = round2(spend / 12 * between(rng, 0.2, 1.2));
  // Interchange on spend, interest on revolving balances, the annual fee unless waived.
  const fees = spend * 0.0045 + (revolving ? balance * 0.12 : 0) + (rng.chance(0.6) ? 0 : annualFee);
  const status = ctx.spec.lostCard ? 'frozen' : persona ? 'active' : weighted(rng, [['active', 970], ['frozen', 20], ['lost', 5], ['closed', 5]]);
  push('credit', product, status, { credit_limit: limit, balance, spend_12m: spend, fee_income_12m: round2(fees) });
}

function pickProduct(ctx: Ctx, tolerance: number): CatalogueProduct {
  const { rng } = ctx.gen;
  // Suitability is the rule; a few holdings above tolerance are the mis-sales complaints come from.
  const ceiling = rng.chance(0.97) ? tolerance : 5;
  const allowed = INVESTABLE.filter((p) => p.risk_level <= ceiling && (p.code !== PRIVATE_ONLY || ctx.wealth >= 6_000_000));
  return rng.pick(allowed);
}

function addInvestments(ctx: Ctx, total: number): void {
  const { rng } = ctx.gen;
  const n = clamp(1 + Math.floor(rng.next() * (1 + Math.log10(Math.max(ctx.wealth, 1e5) / 1e5) * 2)), 1, 6);
  const weights = Array.from({ length: n }, () => rng.next() + 0.2);
  const sum = weights.reduce((a, b) => a + b, 0);
  const sinceMs = Date.parse(ctx.profile.customer.customer_since);
  const zh = ctx.profile.customer.language === 'zh';
  weights.forEach((w) => {
    const p = pickProduct(ctx, ctx.profile.customer.risk_tolerance);
    const value = round2(total * w / sum);
    ctx.rows.investment_holdings.push({
      customer_id: ctx.id, line: p.line, product_code: p.code, product_name: zh ? p.name_zh : p.name_en, risk_level: p.risk_level,
      market_value: value, fee_income_12m: round2(value * FEE_RATE[p.line]! * between(rng, 0.7, 1.3)),
      purchased_on: isoDate(Math.max(sinceMs, ANCHOR - rng.int(10, 1500) * DAY)), as_of: ctx.asOf,
    });
  });
}

function addHomeInsurance(ctx: Ctx): void {
  const p = PRODUCT_CATALOGUE.find((x) => x.code === 'INS-HOME')!;
  const { rng } = ctx.gen;
  // Household cover has no market value; the bank earns a commission on the premium.
  ctx.rows.investment_holdings.push({
    customer_id: ctx.id, line: p.line, product_code: p.code, product_name: ctx.profile.customer.language === 'zh' ? p.name_zh : p.name_en,
    risk_level: p.risk_level, market_value: 0, fee_income_12m: round2(between(rng, 80, 400)), purchased_on: isoDate(ANCHOR - rng.int(30, 900) * DAY), as_of: ctx.asOf,
  });
}

function addEbanking(ctx: Ctx): void {
  const { rng, today } = ctx.gen;
  const age = ctx.profile.age;
  const mobile = rng.chance(age < 60 ? 0.9 : 0.55);
  const online = rng.chance(age < 60 ? 0.45 : 0.2);
  const active = mobile || online;
  const logins = active ? Math.round(rng.logNormal(18, 0.9)) : 0;
  const tx = active ? Math.round(logins * between(rng, 0.3, 1.2)) : 0;
  ctx.rows.ebanking_activity.push({
    customer_id: ctx.id, mobile_enrolled: mobile, online_enrolled: online, logins_90d: logins, transactions_90d: tx,
    settlement_volume_90d: active ? round2(tx * 400 * rel(ctx, 0.5) * rng.logNormal(1, 0.5)) : 0,
    last_login_at: logins > 0 ? isoTime(today - rng.int(60, 30 * 86_400) * 1000) : null, as_of: ctx.asOf,
  });
}

function addInternational(ctx: Ctx): void {
  const { rng } = ctx.gen;
  const active = ctx.spec.international ?? rng.chance(ctx.profile.foreign ? 0.75 : 0.02 + 0.3 * sigmoid(Math.log(ctx.wealth / 2_000_000)));
  if (!active) return;
  const remittances = rng.int(0, ctx.profile.foreign ? 24 : 6);
  const trader = ['business owner', 'executive'].includes(ctx.profile.customer.occupation) && rng.chance(0.3);
  ctx.rows.international_business.push({
    customer_id: ctx.id, fx_volume_12m: round2(ctx.wealth * between(rng, 0.05, 0.5)), remittances_12m: remittances,
    remittance_fees_12m: round2(remittances * between(rng, 50, 200)), trade_finance_volume_12m: trader ? round2(ctx.wealth * between(rng, 0.5, 3)) : 0, as_of: ctx.asOf,
  });
}

function addComplaint(ctx: Ctx, category: string, daysAgo: number): void {
  const { rng, today } = ctx.gen;
  const opened = today - daysAgo * DAY + rng.int(3600, 10 * 3600) * 1000; // 09:00-18:00 Beijing time
  const sla = addBusinessDays(opened, 5);
  // Recent cases are still being worked on; a few older ones have slipped past their SLA.
  const stillOpen = daysAgo < 7 || (daysAgo < 30 && rng.chance(0.15));
  const status = !stillOpen ? (rng.chance(0.3) ? 'resolved' : 'closed') : daysAgo < 3 ? 'open' : rng.pick(['open', 'in_progress']);
  const [zh, en] = rng.pick(COMPLAINTS[category]!);
  ctx.rows.complaints.push({
    customer_id: ctx.id, case_no: '', category, summary: ctx.profile.customer.language === 'zh' ? zh : en, status,
    channel: weighted(rng, [['phone', 60], ['branch', 20], ['mobile', 12], ['email', 8]]), opened_at: isoTime(opened), sla_due_at: isoTime(sla),
    closed_at: stillOpen ? null : isoTime(Math.min(opened + rng.int(1, 12) * DAY, today - DAY)),
  });
}

function addComplaints(ctx: Ctx): void {
  const { rng } = ctx.gen;
  if (ctx.spec.complaint) addComplaint(ctx, ctx.spec.complaint.category, ctx.spec.complaint.daysAgo);
  if (ctx.spec.complaint || !rng.chance(0.04)) return;
  const n = rng.chance(0.12) ? 2 : 1;
  for (let k = 0; k < n; k++) addComplaint(ctx, weighted(rng, COMPLAINT_WEIGHTS), rng.int(0, 364));
}

function addTransactions(ctx: Ctx): void {
  const { rng, today } = ctx.gen;
  const zh = ctx.profile.customer.language === 'zh';
  const account = ctx.rows.deposit_accounts[0]?.account_no;
  const card = ctx.rows.cards.find((c) => c.status === 'active');
  if (!account) return;
  const typical = 120 * rel(ctx, 0.45);
  const n = rng.int(5, 12);
  for (let k = 0; k < n; k++) {
    const [descZh, descEn, channel, sign, size, party] = weighted(rng, TX_KINDS);
    let amount = typical * size * rng.logNormal(1, 0.7);
    if (channel === 'atm') amount = Math.max(100, Math.round(amount / 100) * 100);
    const counterparty =
      party === 'merchant' ? rng.pick(zh ? MERCHANTS_ZH : MERCHANTS_EN)
        : party === 'company' ? rng.pick(COMPANIES)[zh ? 0 : 1]
          : party === 'person' ? (zh ? `${rng.pick(SURNAMES)[0]}*` : `${rng.pick(FOREIGN.GB.surnames)} *`) : null;
    ctx.rows.transactions.push({
      customer_id: ctx.id, account_ref: channel === 'pos' && card ? card.last4 : account, occurred_at: isoTime(today - rng.int(3600, 90 * 86_400) * 1000),
      amount: round2(sign * amount), currency: 'CNY', channel, description: zh ? descZh : descEn, counterparty,
    });
  }
}

const INCOME_BANDS: [number, string][] = [[5_000_000, '>5m'], [1_000_000, '1m-5m'], [300_000, '300k-1m'], [100_000, '100k-300k'], [0, '<100k']];

/** Everything the customer holds, scaled by wealth. Draws only from ctx.gen.rng, in a fixed order. */
function makeHoldings(ctx: Ctx): void {
  const { rng } = ctx.gen;
  const lnRel = Math.log(ctx.wealth / 150_000);
  const hasTd = ctx.spec.timeDeposit ?? rng.chance(0.12 + 0.4 * sigmoid(lnRel));
  const hasInv = ctx.spec.investments ?? rng.chance(0.04 + 0.8 * sigmoid(1.2 * lnRel));
  const tdShare = hasTd ? between(rng, 0.15, 0.4) : 0;
  const invShare = hasInv ? between(rng, 0.25, 0.6) * (1 - tdShare) : 0;
  addDeposits(ctx, ctx.wealth * (1 - tdShare - invShare));
  if (hasTd) addTimeDeposits(ctx, ctx.wealth * tdShare);
  if (hasInv) addInvestments(ctx, ctx.wealth * invShare);
  const loans = addLoans(ctx);
  if (loans.some((l) => l.kind === 'mortgage') && rng.chance(0.4)) addHomeInsurance(ctx);
  addCards(ctx);
  addEbanking(ctx);
  addInternational(ctx);
  addComplaints(ctx);
  addTransactions(ctx);
  const income = ctx.wealth * 0.25 + rng.logNormal(70_000, 0.5);
  const c = ctx.profile.customer;
  c.income_band = INCOME_BANDS.find(([min]) => income >= min)![1];
  const logins = ctx.rows.ebanking_activity[0]?.logins_90d ?? 0;
  c.churn_risk = ctx.spec.churn ?? rng.chance(0.035 + (ctx.rows.complaints.length > 0 ? 0.15 : 0) + (logins === 0 ? 0.03 : 0));
}

/** One customer, complete: the rows of every table, customer_id filled, ids not yet. */
function makeCustomer(gen: Gen, profile: Profile, id: number, wealth: number, spec: HoldingsSpec = {}): Rows {
  const rows = emptyRows();
  const customer = { ...profile.customer };
  const ctx: Ctx = { gen, profile: { ...profile, customer }, id, wealth, rows, spec, asOf: isoTime(gen.today) };
  makeHoldings(ctx);
  rows.customers.push(customer);
  profile.phones.forEach((p, i) => rows.customer_phones.push({ customer_id: id, phone: p.phone, kind: p.kind, is_primary: i === 0 }));
  return rows;
}

/** The model's inputs as tiers-repository will read them back, to place personas before scoring. */
function scoreInputs(rows: Rows, today: number): ScoreInputs {
  const sum = <T>(xs: T[], f: (x: T) => number) => xs.reduce((s, x) => s + f(x), 0);
  const deposits = rows.deposit_accounts.filter((d) => d.status !== 'closed');
  const loans = rows.loans.filter((l) => l.status !== 'closed');
  const cards = rows.cards.filter((c) => c.status !== 'closed');
  const e = rows.ebanking_activity[0];
  const ib = rows.international_business[0];
  const lines = [deposits.length, rows.time_deposits.length, loans.length, cards.filter((c) => c.kind === 'credit').length].filter((n) => n > 0).length
    + new Set(rows.investment_holdings.map((i) => i.line)).size + (e && (e.mobile_enrolled || e.online_enrolled) ? 1 : 0) + (ib ? 1 : 0);
  return {
    deposit_adb_90d: sum(deposits, (d) => d.avg_daily_balance_90d),
    time_deposit_principal: sum(rows.time_deposits, (t) => t.principal),
    loan_interest_income_12m: sum(loans, (l) => l.interest_income_12m),
    fee_income_12m: sum(cards, (c) => c.fee_income_12m) + sum(rows.investment_holdings, (i) => i.fee_income_12m),
    settlement_volume_90d: e?.settlement_volume_90d ?? 0,
    ebanking_transactions_90d: e?.transactions_90d ?? 0,
    fx_volume_12m: ib?.fx_volume_12m ?? 0,
    remittance_fees_12m: ib?.remittance_fees_12m ?? 0,
    trade_finance_volume_12m: ib?.trade_finance_volume_12m ?? 0,
    tenure_years: (today - Date.parse(rows.customers[0]!.customer_since)) / YEAR,
    product_lines: lines,
  };
}

// ---------------------------------------------------------------------------------------------
// The population: households of one, or a married couple sharing a home line.

function makeHousehold(gen: Gen, firstId: number, room: number): Rows[] {
  const { rng } = gen;
  const wealthOf = (z: number) => MEDIAN_WEALTH * Math.exp(WEALTH_SIGMA * (z < WEALTH_KNEE ? z : WEALTH_KNEE + (z - WEALTH_KNEE) * WEALTH_TAIL));
  const head = makeProfile(gen, firstId);
  if (room < 2 || head.foreign || head.age < 25 || !rng.chance(0.0025)) return [makeCustomer(gen, head, firstId, wealthOf(head.wealthZ))];
  // A couple: same city, similar age, correlated wealth, one shared home line on both records.
  const home = { phone: landline(head.city, '7', firstId), kind: 'home' }; // own first digit: no clash with a random home line
  const partner = makeProfile(gen, firstId + 1, {
    gender: head.customer.gender === 'M' ? 'F' : 'M', age: clamp(head.age + rng.int(-5, 5), 20, 85), city: head.city.name, country: 'CN',
  });
  partner.phones.push(home);
  head.phones.push(home);
  partner.wealthZ = 0.7 * head.wealthZ + 0.3 * partner.wealthZ;
  return [makeCustomer(gen, head, firstId, wealthOf(head.wealthZ)), makeCustomer(gen, partner, firstId + 1, wealthOf(partner.wealthZ))];
}

// ---------------------------------------------------------------------------------------------
// Demo personas: fixed ids, phones, names and card endings; their wealth is solved for so that
// each lands in the middle of its tier band of this very population.

interface PersonaDef {
  id: number;
  tier: Tier;
  story: string;
  profile: ProfileSpec;
  holdings: HoldingsSpec;
}

const PERSONA_DEFS: PersonaDef[] = [
  {
    id: 1, tier: 'PRIVATE', story: 'private-banking client with an RM and wealth products',
    profile: { name: ['王建国', 'Wang Jianguo'], gender: 'M', age: 56, city: 'Shanghai', occupation: 'business owner', risk_tolerance: 4, credit_rating: 'AAA', tenure_years: 22, phones: [{ phone: '+8613800000001', kind: 'mobile' }, { phone: '+862138880001', kind: 'work' }], email: 'jianguo.wang@example.com', preferred_contact: 'phone' },
    holdings: { investments: true, timeDeposit: true, creditCard: true, international: true, last4: '0001' },
  },
  {
    id: 2, tier: 'DIAMOND', story: 'wealth client with an RM',
    profile: { name: ['李秀英', 'Li Xiuying'], gender: 'F', age: 48, city: 'Beijing', occupation: 'executive', risk_tolerance: 3, credit_rating: 'AA', tenure_years: 15, phones: [{ phone: '+8613800000002', kind: 'mobile' }], email: 'xiuying.li@example.com', preferred_contact: 'wechat' },
    holdings: { investments: true, timeDeposit: true, creditCard: true, last4: '0002' },
  },
  {
    id: 3, tier: 'GOLD', story: 'gold client with an open fee complaint',
    profile: { name: ['张伟', 'Zhang Wei'], gender: 'M', age: 39, city: 'Shenzhen', occupation: 'engineer', risk_tolerance: 3, credit_rating: 'A', tenure_years: 9, phones: [{ phone: '+8613800000003', kind: 'mobile' }], email: 'wei.zhang@example.com', preferred_contact: 'phone' },
    holdings: { investments: true, creditCard: true, complaint: { category: 'fees', daysAgo: 2 }, last4: '0003' },
  },
  {
    id: 4, tier: 'STANDARD', story: 'standard client, debit card lost and credit card frozen, likely to leave',
    profile: { name: ['刘芳', 'Liu Fang'], gender: 'F', age: 31, city: 'Chengdu', occupation: 'employee', risk_tolerance: 2, credit_rating: 'BBB', tenure_years: 4, phones: [{ phone: '+8613800000004', kind: 'mobile' }], email: null, preferred_contact: 'sms' },
    holdings: { investments: false, timeDeposit: false, international: false, creditCard: true, lostCard: true, churn: true, last4: '0004' },
  },
  {
    id: 5, tier: 'GOLD', story: 'English-speaking client in London with FX and remittances',
    profile: { country: 'GB', name: [null, 'Emily Carter'], gender: 'F', age: 44, city: 'Shanghai', occupation: 'executive', risk_tolerance: 3, credit_rating: 'A', tenure_years: 7, phones: [{ phone: '+447700900005', kind: 'mobile' }], email: 'emily.carter@example.co.uk', preferred_contact: 'email' },
    holdings: { investments: true, international: true, creditCard: false, last4: '0005' },
  },
  {
    id: 6, tier: 'STANDARD', story: 'retired husband; shares one mobile with his wife (customer 7)',
    profile: { name: ['陈志强', 'Chen Zhiqiang'], gender: 'M', age: 72, city: 'Hangzhou', occupation: 'retired', risk_tolerance: 1, credit_rating: 'A', tenure_years: 20, phones: [{ phone: '+8613800000009', kind: 'mobile' }], email: null, preferred_contact: 'phone' },
    holdings: { investments: false, international: false, creditCard: false, last4: '0006' },
  },
  {
    id: 7, tier: 'STANDARD', story: 'retired wife; reachable only on her husband\'s mobile',
    profile: { name: ['周淑珍', 'Zhou Shuzhen'], gender: 'F', age: 70, city: 'Hangzhou', occupation: 'retired', risk_tolerance: 1, credit_rating: 'A', tenure_years: 18, phones: [{ phone: '+8613800000009', kind: 'mobile' }], email: null, preferred_contact: 'phone' },
    holdings: { investments: false, international: false, creditCard: false, last4: '0007' },
  },
];
const PERSONA_COUNT = PERSONA_DEFS.length;

/** Score each persona should reach: the middle of its tier's rank band, read off the population. */
function personaTargets(scores: Float64Array, total: number, cutoffs: { PRIVATE: number; DIAMOND: number; GOLD: number }): Record<Tier, number> {
  const desc = Float64Array.from(scores).sort().reverse();
  const kP = Math.ceil(total * cutoffs.PRIVATE);
  const kD = Math.ceil(total * (cutoffs.PRIVATE + cutoffs.DIAMOND));
  const kG = Math.ceil(total * (cutoffs.PRIVATE + cutoffs.DIAMOND + cutoffs.GOLD));
  // Between the population's r-th and (r+1)-th best; above everyone when r = 0.
  const at = (r: number) => (r <= 0 ? desc[0]! * 1.5 : Math.sqrt(desc[r - 1]! * desc[Math.min(r, desc.length - 1)]!));
  return { PRIVATE: at(Math.floor(kP / 4)), DIAMOND: at(Math.floor((kP + kD) / 2)), GOLD: at(Math.floor((kD + kG) / 2)), STANDARD: at(Math.floor((kG + total) / 2)) };
}

/** Holdings for a persona whose estimated score is close to `target`: rescale wealth a few times. */
function solvePersona(gen: Gen, seed: number, def: PersonaDef, profile: Profile, target: number, score: (rows: Rows) => number): Rows {
  let wealth = 100_000;
  let rows = emptyRows();
  for (let round = 0; round < 12; round++) {
    // The same draws each round, so only the wealth moves the score.
    rows = makeCustomer({ ...gen, rng: createRng(seed + 7919 * def.id) }, profile, def.id, wealth, def.holdings);
    const s = score(rows);
    if (Math.abs(Math.log(s / target)) < 0.05) break;
    wealth *= target / Math.max(s, 1);
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Loading: explicit ids, one multi-row INSERT ... SELECT FROM unnest(...) per table and batch.

type Sequences = Record<TableName, number>;

/** Moves one customer's rows into the batch, numbering them; `seq` counts rows of every table. */
function commit(batch: Rows, rows: Rows, seq: Sequences): void {
  for (const t of TABLE_NAMES) {
    const target = batch[t] as Record<string, Cell>[];
    for (const row of rows[t] as Record<string, Cell>[]) {
      const id = seq[t]++;
      if ('id' in COLUMNS[t] && t !== 'customers') {
        target.push(t === 'complaints' ? { id, ...row, case_no: `CMP-${String(row.opened_at).slice(0, 4)}-${pad(id, 6)}` } : { id, ...row });
      } else {
        target.push(row);
      }
    }
  }
}

async function insertRows(db: Knex, table: TableName, rows: Record<string, Cell>[]): Promise<void> {
  if (rows.length === 0) return;
  const cols = Object.entries(COLUMNS[table]) as [string, string][];
  // Each column is one array parameter, so the statement size is independent of the row count
  // and far from PostgreSQL's 65,535-parameter limit.
  const sql = `INSERT INTO ${table} (${cols.map(([c]) => c).join(', ')}) SELECT * FROM unnest(${cols.map(([, t]) => `?::${t.replace('?', '')}[]`).join(', ')})`;
  // knex's binding type knows arrays of one scalar type only; a column with nulls is still fine for pg.
  await db.raw(sql, cols.map(([c]) => rows.map((r) => r[c] ?? null)) as unknown as Knex.RawBinding[]);
}

async function insertBatch(db: Knex, batch: Rows): Promise<void> {
  await insertRows(db, 'customers', batch.customers as Record<string, Cell>[]);
  // Children only need their customers; on PostgreSQL the pool loads them side by side.
  const results = await Promise.allSettled(TABLE_NAMES.filter((t) => t !== 'customers').map((t) => insertRows(db, t, batch[t] as Record<string, Cell>[])));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason; // only once all have settled, so the pool is idle when the caller gives up
}

const SERIAL_TABLES = ['relationship_managers', ...TABLE_NAMES.filter((t) => 'id' in COLUMNS[t])];

async function resetSequences(db: Knex): Promise<void> {
  for (const t of SERIAL_TABLES) {
    await db.raw(`SELECT setval(pg_get_serial_sequence('${t}', 'id'), coalesce((SELECT max(id) FROM ${t}), 0) + 1, false)`);
  }
}

// ---------------------------------------------------------------------------------------------
// Relationship managers: sized from the tier shares, created before scoring (their logins take
// a while to hash), assigned once the tiers are known.

interface RmRow { id: number; employee_no: string; name: string; phone: string; email: string; branch: string; team: string; languages: string[] }

function makeRms(seed: number, topTier: number, privateShare: number): RmRow[] {
  const rng = createRng(seed + 104_729);
  const total = Math.max(5, Math.round(topTier / 40));
  const privateBankers = clamp(Math.round(total * privateShare), 1, total - 1);
  return Array.from({ length: total }, (_, i) => {
    const team = i < privateBankers ? 'private-banking' : 'wealth';
    const gender = rng.chance(0.5) ? 'F' : 'M';
    const [zh, en] = chineseName(rng, gender);
    const city = CITIES[i % 6]!; // the six largest cities host the wealth centres
    return {
      id: i + 1, employee_no: `RM${pad(i + 1, 4)}`, name: `${zh} ${en}`, phone: `+86${city.area}2${pad(8800 + i, 7)}`,
      email: `${en.toLowerCase().replace(' ', '.')}.rm${i + 1}@bank.example`, branch: `${city.name} ${team === 'private-banking' ? 'Private Banking Centre' : 'Wealth Centre'}`,
      team, languages: i % 3 === 0 ? ['zh', 'en'] : ['zh'],
    };
  });
}

/** Every PRIVATE and DIAMOND customer, and about 30% of GOLD, gets an RM of the right team. */
async function assignRms(db: Knex, seed: number, rms: RmRow[]): Promise<number> {
  const rng = createRng(seed + 1_299_709);
  const rows: { id: number; tier: string; language: string }[] = await db('customers').whereIn('tier', ['PRIVATE', 'DIAMOND', 'GOLD']).orderBy('id').select('id', 'tier', 'language');
  const teams = { 'private-banking': rms.filter((r) => r.team === 'private-banking'), wealth: rms.filter((r) => r.team === 'wealth') };
  const next: Record<string, number> = {};
  const ids: number[] = [];
  const rmIds: number[] = [];
  for (const c of rows) {
    if (c.tier === 'GOLD' && !rng.chance(0.3)) continue;
    const team = c.tier === 'PRIVATE' ? teams['private-banking'] : teams.wealth;
    // English speakers go to the RMs who speak English; round robin keeps the books even.
    const pool = c.language === 'en' ? team.filter((r) => r.languages.includes('en')) : team;
    const key = `${c.tier === 'PRIVATE'}-${c.language === 'en'}`;
    const i = next[key] ?? 0;
    next[key] = i + 1;
    ids.push(c.id);
    rmIds.push(pool[i % pool.length]!.id);
  }
  await db.raw('UPDATE customers c SET rm_id = u.rm_id FROM unnest(?::int[], ?::int[]) AS u(id, rm_id) WHERE c.id = u.id', [ids, rmIds]);
  return ids.length;
}

/** Skills (level 1-5) and languages of the demo agents; every RM takes their own clients' calls and wealth calls. */
const AGENT_PROFILES: Record<string, { skills: Record<string, number>; languages: string[] }> = {
  agent1: { skills: { general: 3, cards: 2, loans: 2, deposits: 2, complaints: 2, security: 1 }, languages: ['zh', 'en'] },
  agent2: { skills: { general: 2, cards: 3, wealth: 2, funds_fx: 2, retention: 2, security: 2 }, languages: ['zh'] },
};
const RM_PROFILE = { skills: { private_banking: 5, wealth: 4, funds_fx: 3, general: 1 }, languages: ['zh', 'en'] };

async function seedAgents(db: Knex): Promise<void> {
  const users: { id: number; username: string; role: string }[] = await db('users').whereIn('role', ['agent', 'rm']).select('id', 'username', 'role');
  const rows = users.map((u) => {
    const p = AGENT_PROFILES[u.username] ?? (u.role === 'rm' ? RM_PROFILE : { skills: { general: 1 }, languages: ['zh'] });
    return { user_id: u.id, skills: JSON.stringify(p.skills), languages: p.languages };
  });
  if (rows.length) await db('agents').insert(rows).onConflict('user_id').ignore();
}

async function createLogins(db: Knex, rms: RmRow[], log: (msg: string) => void): Promise<{ demo: string[]; rm: string[] }> {
  const wanted = [
    ...DEMO_USERS.map((u) => ({ ...u, password: DEMO_PASSWORD })),
    ...rms.map((r) => ({ username: `rm${r.id}`, role: 'rm' as const, display_name: r.name, rm_id: r.id, password: DEMO_PASSWORD })),
  ];
  const existing = new Set<string>(await db('users').whereIn('username', wanted.map((u) => u.username)).pluck('username'));
  for (const name of existing) log(`user ${name} already exists; left as it is`);
  const todo = wanted.filter((u) => !existing.has(u.username));
  // A few at a time: argon2 is memory-hard, and the threadpool has only four threads anyway.
  for (let i = 0; i < todo.length; i += 4) await Promise.all(todo.slice(i, i + 4).map((u) => createUser(db, u)));
  await seedAgents(db);
  return { demo: DEMO_USERS.map((u) => u.username), rm: rms.map((r) => `rm${r.id}`) };
}

// ---------------------------------------------------------------------------------------------

const BATCH_CUSTOMERS = 5000;

async function assertEmpty(db: Knex): Promise<void> {
  for (const t of ['customers', 'relationship_managers']) {
    const row = await db(t).count('* as n').first();
    if (Number(row?.n ?? 0) > 0) throw new Error(`${t} is not empty: the synthetic bank is only loaded into an empty database`);
  }
}

/** Loads customers 8..N in streaming batches; returns every customer's estimated score. */
async function loadPopulation(db: Knex, gen: Gen, total: number, seq: Sequences, estimate: (rows: Rows) => number, log: (msg: string) => void): Promise<Float64Array> {
  const scores = new Float64Array(total - PERSONA_COUNT);
  let id = PERSONA_COUNT + 1;
  let pending: Promise<void> = Promise.resolve();
  while (id <= total) {
    const batch = emptyRows();
    const end = Math.min(total, id + BATCH_CUSTOMERS - 1);
    while (id <= end) {
      for (const rows of makeHousehold(gen, id, total - id + 1)) {
        scores[id - PERSONA_COUNT - 1] = estimate(rows);
        commit(batch, rows, seq);
        id++;
      }
    }
    // Generate the next batch while the database writes this one.
    await pending;
    pending = insertBatch(db, batch);
    log(`customers ${pad(id - 1, String(total).length)}/${total}`);
  }
  await pending;
  return scores;
}

async function loadPersonas(db: Knex, gen: Gen, seed: number, seq: Sequences, targets: Record<Tier, number>, estimate: (rows: Rows) => number): Promise<void> {
  const batch = emptyRows();
  for (const def of PERSONA_DEFS) {
    const profile = makeProfile({ ...gen, rng: createRng(seed + 31 * def.id) }, def.id, def.profile);
    commit(batch, solvePersona(gen, seed, def, profile, targets[def.tier], estimate), seq);
  }
  await insertBatch(db, batch);
}

async function checkPersonas(db: Knex): Promise<SeedPersona[]> {
  const rows: { id: number; name_zh: string | null; name_en: string; language: string; tier: string; rm_id: number | null; phone: string }[] = await db('customers as c')
    .join('customer_phones as p', function () { this.on('p.customer_id', 'c.id').andOn('p.is_primary', db.raw('true')); })
    .whereIn('c.id', PERSONA_DEFS.map((d) => d.id)).orderBy('c.id').select('c.id', 'c.name_zh', 'c.name_en', 'c.language', 'c.tier', 'c.rm_id', 'p.phone');
  const personas = rows.map((r) => {
    const def = PERSONA_DEFS.find((d) => d.id === r.id)!;
    return { customer_id: r.id, phone: r.phone, name: r.name_zh ? `${r.name_zh} ${r.name_en}` : r.name_en, language: r.language, expected_tier: def.tier, tier: r.tier, rm_id: r.rm_id, story: def.story };
  });
  const wrong = personas.filter((p) => p.tier !== p.expected_tier);
  if (wrong.length) throw new Error(`demo personas out of tier: ${wrong.map((p) => `#${p.customer_id} is ${p.tier}, wanted ${p.expected_tier}`).join('; ')}`);
  return personas;
}

export async function seedSyntheticBank(db: Knex, opts: SeedOptions): Promise<SeedSummary> {
  const log = opts.log ?? (() => {});
  const seed = opts.seed ?? DEFAULT_SEED;
  const total = opts.customers;
  // Below a couple of hundred customers the tier bands are too thin to place the personas in.
  if (!Number.isInteger(total) || total < 200) throw new RangeError(`customers must be an integer of at least 200 (got ${total})`);
  await assertEmpty(db);
  const today = opts.today ? Date.parse(`${opts.today}T00:00:00Z`) : Math.floor(Date.now() / DAY) * DAY;
  const { model } = opts.tiers;

  // RMs and every login first: the hashing runs in the threadpool while the bank loads.
  const { PRIVATE, DIAMOND } = model.cutoffs;
  const rms = makeRms(seed, Math.ceil(total * (PRIVATE + DIAMOND)), PRIVATE / (PRIVATE + DIAMOND));
  await db('relationship_managers').insert(rms);
  const logins = createLogins(db, rms, log);
  try {
    return await loadAndScore(db, opts, { seed, total, today, rms, logins, log });
  } finally {
    await logins.catch(() => {}); // a failed load still lets the logins finish before the pool closes
  }
}

interface LoadPlan { seed: number; total: number; today: number; rms: RmRow[]; logins: ReturnType<typeof createLogins>; log: (msg: string) => void }

async function loadAndScore(db: Knex, opts: SeedOptions, { seed, total, today, rms, logins, log }: LoadPlan): Promise<SeedSummary> {
  const { model } = opts.tiers;
  const estimate = (rows: Rows) => scoreCustomer(scoreInputs(rows, today), model).score;

  const gen: Gen = { rng: createRng(seed), today, issuedIds: new Set(), foreignSeq: { GB: 0, US: 0, HK: 0, SG: 0 } };
  const seq = Object.fromEntries(TABLE_NAMES.map((t) => [t, 1])) as Sequences;
  const scores = await loadPopulation(db, gen, total, seq, estimate, log);
  await loadPersonas(db, gen, seed, seq, personaTargets(scores, total, model.cutoffs), estimate);
  await resetSequences(db);

  log('scoring');
  await opts.tiers.recomputeAll(db, 'seed');
  const assigned = await assignRms(db, seed, rms);
  log(`${rms.length} relationship managers, ${assigned} customers assigned`);
  const personas = await checkPersonas(db);
  for (const p of personas) await setPhonePin(db, p.customer_id, DEMO_PIN);
  const users = await logins;

  const report = await opts.tiers.report(db);
  return {
    seed,
    customers: total,
    tables: { relationship_managers: rms.length, ...Object.fromEntries(TABLE_NAMES.map((t) => [t, seq[t] - 1])) },
    tiers: Object.fromEntries(TIERS.map((t) => [t, report.find((r) => r.tier === t)?.customers ?? 0])) as Record<Tier, number>,
    personas,
    demo_users: users.demo,
    rm_users: users.rm,
  };
}

/** Who the phone simulator offers to call as: each demo persona's number and story (synthetic people). */
export const DEMO_CALLERS = PERSONA_DEFS.map((p) => ({
  customer_id: p.id,
  phone: p.profile.phones![0]!.phone,
  name: p.profile.name![0] ?? p.profile.name![1],
  tier: p.tier,
  story: p.story,
}));
