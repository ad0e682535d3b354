/**
 * What a live transcript may carry that nobody may keep: card, account and ID numbers, and any
 * run of digits long enough to be a secret (a PIN said aloud, a one-time code). Digits come as
 * figures or as spoken Chinese numerals (六二二二…, 幺 for one), with spaces or dashes between.
 */
const DIGIT = '[0-9０-９零〇一二三四五六七八九幺两]';
const SECRET_RUN = new RegExp(`${DIGIT}(?:[\\s\\-–.]?${DIGIT}){5,}(?:[\\s\\-]?[xX])?`, 'g');
export const REDACTED = '[…]';

export function redact(text: string): string {
  return text.replace(SECRET_RUN, REDACTED);
}

/** A prompt the transcript raises for the agent, once per call: what to do, in the console's words (keyed by `id`). */
export interface AssistRule {
  id: 'retention' | 'risk_disclosure' | 'card_loss' | 'complaint';
  kind: 'retention' | 'compliance' | 'knowledge';
  /** Phrases that raise it, by language: lower-case, matched as they stand in the (redacted) words. */
  phrases: { zh: string[]; en: string[] };
}

/**
 * The rules over the transcript: a customer asking to close an account is a retention case; any
 * talk of wealth products needs the risk disclosure and the customer's risk rating checked before
 * anything is recommended; a lost card is blocked first; a complaint is opened as a case.
 */
export const ASSIST_RULES: readonly AssistRule[] = [
  { id: 'retention', kind: 'retention', phrases: { zh: ['销户', '注销账户', '注销银行卡', '注销信用卡', '不想用了'], en: ['close my account', 'close the account', 'cancel my card', 'cancel my account'] } },
  { id: 'risk_disclosure', kind: 'compliance', phrases: { zh: ['理财', '基金', '投资', '保险产品', '结构性存款'], en: ['wealth management', 'investment', 'invest', 'mutual fund', 'fund'] } },
  { id: 'card_loss', kind: 'knowledge', phrases: { zh: ['挂失', '卡丢了', '卡被偷'], en: ['lost my card', 'card was stolen', 'stolen card', 'lost card'] } },
  { id: 'complaint', kind: 'knowledge', phrases: { zh: ['投诉', '不满意'], en: ['complaint', 'complain'] } },
];

/** The rules the words raise (either language: callers mix them). */
export function rulesFor(text: string): AssistRule[] {
  const said = text.toLowerCase();
  return ASSIST_RULES.filter((r) => [...r.phrases.zh, ...r.phrases.en].some((p) => (/^[a-z ]+$/.test(p) ? new RegExp(`\\b${p}\\b`).test(said) : said.includes(p))));
}
