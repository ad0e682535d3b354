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

export function lostCardText(r: { case_no: string; cards_frozen: number }, lang: Lang): string {
  if (lang === 'zh') {
    const frozen = r.cards_frozen > 0 ? `已为您冻结${r.cards_frozen}张银行卡。` : '您名下没有需要冻结的银行卡，我们已记录您的挂失申请。';
    return `${frozen}挂失案件编号为：${spell(r.case_no)}。`;
  }
  const frozen = r.cards_frozen > 0 ? `We have frozen ${r.cards_frozen} card${r.cards_frozen === 1 ? '' : 's'}.` : 'We found no active card to freeze and have recorded your report.';
  return `${frozen} Your case number is ${spell(r.case_no)}.`;
}

export function timeDepositsText(rows: { currency: string; principal: number; rate_pct: number; maturity_date: string }[], lang: Lang): string {
  if (rows.length === 0) return lang === 'zh' ? '您名下暂无定期存款。' : 'You have no time deposits.';
  const items = rows.map((r) => (lang === 'zh'
    ? `本金 ${money(r.principal, r.currency, lang)}，年利率${r.rate_pct}%，到期日${spokenDate(r.maturity_date, lang)}`
    : `principal ${money(r.principal, r.currency, lang)} at ${r.rate_pct}% a year, maturing on ${spokenDate(r.maturity_date, lang)}`));
  return lang === 'zh' ? `您共有${rows.length}笔定期存款：${items.join('；')}。` : `You have ${rows.length} time deposit${rows.length === 1 ? '' : 's'}: ${items.join('; ')}.`;
}
