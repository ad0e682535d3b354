import type { AssistRuleId, TranscriptLine } from '../types.js';

/** The wrap-up's reason code for each prompt the call raised. */
const REASONS: Record<AssistRuleId, string> = { retention: 'close_account_request', risk_disclosure: 'wealth_enquiry', card_loss: 'card_loss', complaint: 'complaint' };

/** Products named in the call, as the wrap-up's product codes. */
const PRODUCTS: [code: string, words: string[]][] = [
  ['fund', ['基金', 'fund']], ['wealth', ['理财', 'wealth management']], ['insurance', ['保险', 'insurance']],
  ['time_deposit', ['定期', 'time deposit']], ['credit_card', ['信用卡', 'credit card']], ['loan', ['贷款', 'loan', 'mortgage']],
];

/** What an agent says that commits the bank to something later: the actions promised. */
const PROMISE = /我会|我们会|我帮您|为您办理|马上为您|稍后|回电|\b(i will|i'll|we will|we'll|i am going to)\b/i;

export interface WrapupDraft { reasons: string; products: string; notes: string }

/**
 * A draft of the wrap-up from the call's live transcript, for the agent to check: the reasons
 * the prompts stood for, the products named, what the customer first said and what the agent
 * promised. Null when the call had no transcript.
 */
export function draftWrapup(lines: TranscriptLine[], prompts: AssistRuleId[], words: { customer: string; promised: string }): WrapupDraft | null {
  if (lines.length === 0) return null;
  const said = lines.map((l) => l.text.toLowerCase()).join('\n');
  const products = PRODUCTS.filter(([, w]) => w.some((x) => said.includes(x))).map(([code]) => code);
  const opening = lines.find((l) => l.side === 'caller');
  const promised = lines.filter((l) => l.side === 'agent' && PROMISE.test(l.text)).slice(0, 3).map((l) => l.text.slice(0, 200));
  const notes = [
    ...(opening ? [`${words.customer}: ${opening.text.slice(0, 200)}`] : []),
    ...(promised.length ? [`${words.promised}: ${promised.join(' / ')}`] : []),
  ].join('\n');
  return { reasons: prompts.map((p) => REASONS[p]).join(', '), products: products.join(', '), notes };
}
