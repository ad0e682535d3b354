import { localTime } from './calendar.js';
import type { Lang } from './engine.js';

/** Spoken forms of self-service results. Built here, not in flows: the numbers need per-language grammar. */

const ZH_CURRENCY: Record<string, string> = { CNY: '元', USD: '美元', HKD: '港元', EUR: '欧元', JPY: '日元', GBP: '英镑', AUD: '澳元', CAD: '加元', SGD: '新加坡元' };

/** 12345.6 -> "12,345.60" (no Intl: the output must not depend on the host's ICU data). */
export function groupDigits(value: number): string {
  const [int = '0', frac = '00'] = Math.abs(value).toFixed(2).split('.');
  return `${value < 0 ? '-' : ''}${int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac}`;
}

/** zh: "12,345.67 元" (or "100.00 美元"); en: "CNY 12,345.67". */
export function money(amount: number, currency: string, lang: Lang): string {
  if (lang === 'en') return `${currency} ${groupDigits(amount)}`;
  const unit = ZH_CURRENCY[currency];
  return unit ? `${groupDigits(amount)} ${unit}` : `${groupDigits(amount)} ${currency}`;
}

const EN_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** "2027-03-01" -> zh "2027年3月1日" / en "1 March 2027". */
export function spokenDate(isoDate: string, lang: Lang): string {
  const [y = '', m = '1', d = '1'] = isoDate.slice(0, 10).split('-');
  return lang === 'zh' ? `${y}年${Number(m)}月${Number(d)}日` : `${Number(d)} ${EN_MONTHS[Number(m) - 1] ?? m} ${y}`;
}

/** Last 4 digits of a masked account ("****1234"): the only part ever read out. */
const tail = (masked: string) => masked.replace(/\D/g, '').slice(-4);

// Case numbers are read character by character, or TTS says them as one huge number.
const spell = (s: string) => s.split('').join(' ');

export function balancesText(rows: { account: string; currency: string; balance: number }[], lang: Lang): string {
  if (rows.length === 0) return lang === 'zh' ? '您名下暂无可查询的账户。' : 'We found no accounts to read out.';
  return rows.map((r) => (lang === 'zh'
    ? `您尾号${tail(r.account)}的账户，余额为 ${money(r.balance, r.currency, lang)}。`
    : `Your account ending ${tail(r.account)} has a balance of ${money(r.balance, r.currency, lang)}.`)).join(' ');
}

export function transactionsText(rows: { occurred_at: string; amount: number; currency: string; description: string }[], lang: Lang, timezone: string): string {
  if (rows.length === 0) return lang === 'zh' ? '您近期没有交易记录。' : 'You have no recent transactions.';
  const items = rows.map((r) => {
    const day = spokenDate(localTime(new Date(r.occurred_at), timezone).date, lang).replace(/^\d+年/, '').replace(/ \d{4}$/, '');
    const amount = money(Math.abs(r.amount), r.currency, lang);
    if (lang === 'zh') return `${day}，${r.amount < 0 ? '支出' : '收入'} ${amount}，${r.description}`;
    return `${day}, ${r.amount < 0 ? 'a debit of' : 'a credit of'} ${amount}, ${r.description}`;
  });
  return lang === 'zh' ? `您最近${rows.length}笔交易：${items.join('；')}。` : `Your last ${rows.length} transactions: ${items.join('; ')}.`;
}

export function lostCardText(r: { case_no: string | null; cards_frozen: number; last4: string[] }, lang: Lang, asked: string | null): string {
  if (r.cards_frozen === 0 || !r.case_no) {
    if (lang === 'zh') return asked ? `没有找到尾号${spell(asked)}的有效银行卡。` : '您名下没有需要冻结的有效银行卡。';
    return asked ? `We found no active card ending ${spell(asked)}.` : 'You have no active card to freeze.';
  }
  const cards = r.last4.map(spell);
  if (lang === 'zh') return `已为您冻结尾号${cards.join('、')}的银行卡。挂失案件编号为：${spell(r.case_no)}。`;
  return `We have frozen your card${cards.length === 1 ? '' : 's'} ending ${cards.join(', ')}. Your case number is ${spell(r.case_no)}.`;
}

/** When the bank will call back, for {{callback_when}}: "in about 4 minutes", or when the hours open ("after 08:00 on 4 December"). */
export function callbackWhenText(b: { eta_s: number | null; opens_at: string | null }, lang: Lang, timezone: string): string {
  if (b.opens_at) {
    const t = localTime(new Date(b.opens_at), timezone);
    const hhmm = `${String(Math.floor(t.minutes / 60)).padStart(2, '0')}:${String(t.minutes % 60).padStart(2, '0')}`;
    const day = spokenDate(t.date, lang);
    return lang === 'zh' ? `在${day}${hhmm}服务开始后` : `after we open at ${hhmm} on ${day}`;
  }
  if (b.eta_s === null) return lang === 'zh' ? '在有客服代表可以服务时尽快' : 'as soon as an agent is free';
  if (b.eta_s < 60) return lang === 'zh' ? '在约1分钟内' : 'within about a minute';
  const minutes = Math.ceil(b.eta_s / 60);
  return lang === 'zh' ? `在约${minutes}分钟内` : `in about ${minutes} minutes`;
}

export function timeDepositsText(rows: { currency: string; principal: number; rate_pct: number; maturity_date: string }[], lang: Lang): string {
  if (rows.length === 0) return lang === 'zh' ? '您名下暂无定期存款。' : 'You have no time deposits.';
  const items = rows.map((r) => (lang === 'zh'
    ? `本金 ${money(r.principal, r.currency, lang)}，年利率${r.rate_pct}%，到期日${spokenDate(r.maturity_date, lang)}`
    : `principal ${money(r.principal, r.currency, lang)} at ${r.rate_pct}% a year, maturing on ${spokenDate(r.maturity_date, lang)}`));
  return lang === 'zh' ? `您共有${rows.length}笔定期存款：${items.join('；')}。` : `You have ${rows.length} time deposit${rows.length === 1 ? '' : 's'}: ${items.join('; ')}.`;
}
