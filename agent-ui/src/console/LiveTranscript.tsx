import { useI18n } from '../i18n.js';
import type { AssistRuleId, TranscriptLine } from '../types.js';

// This panel's own words: who spoke, and what each prompt asks of the agent.
// A prompt is worded with what the console knows of the customer: their risk rating, for suitability.
const LABELS: Record<'en' | 'zh', { title: string; caller: string; agent: string; agentOf: string; prompts: Record<AssistRuleId, (risk: number | null) => string> }> = {
  en: {
    title: 'Live transcript', caller: 'Customer', agent: 'You', agentOf: 'Agent',
    prompts: {
      retention: () => 'Retention: the customer wants to close an account or card. Ask why, and offer what keeps them (fee waiver, a better card) before closing anything.',
      risk_disclosure: (risk) => `Compliance: a wealth product came up. Read the risk disclosure first, and recommend only products at or below the customer's risk rating${risk === null ? ' (none on file: assess it before any sale)' : ` (R${risk})`}.`,
      card_loss: () => 'Card loss: block the card the customer names first, then arrange the replacement.',
      complaint: () => 'Complaint: open a complaint case on this call (Cases) so it is tracked to its deadline.',
    },
  },
  zh: {
    title: '实时通话文字', caller: '客户', agent: '您', agentOf: '坐席',
    prompts: {
      retention: () => '客户挽留：客户要求销户或注销卡片。请先了解原因，并介绍可挽留的方案（免年费、更合适的卡片），再办理注销。',
      risk_disclosure: (risk) => `合规提示：通话涉及理财产品。请先宣读风险揭示，只推荐不高于客户风险评级的产品${risk === null ? '（客户尚无评级：销售前须先完成评估）' : `（R${risk}）`}。`,
      card_loss: () => '挂失指引：请先冻结客户所说的卡片，再安排补卡。',
      complaint: () => '投诉处理：请在本通话中创建投诉工单，以便按时限跟进。',
    },
  },
};

/**
 * The call's words as they are said (secrets already cut out by the server), newest last, and
 * the prompts they raised above them: what the agent should do now. On a supervisor's monitor
 * (`heading`: the agent's name) the agent's lines are the agent's, not "you".
 */
export function LiveTranscript({ lines, prompts, riskTolerance, heading }: { lines: TranscriptLine[]; prompts: AssistRuleId[]; riskTolerance: number | null; heading?: string }) {
  const { lang } = useI18n();
  const w = LABELS[lang];
  if (lines.length === 0 && prompts.length === 0) return null;
  return (
    <section class="card transcript" aria-label={heading ? `${w.title}: ${heading}` : w.title} data-testid="transcript">
      {prompts.length > 0 && (
        <ul class="prompts" data-testid="prompts">
          {prompts.map((p) => <li key={p} class="prompt" role="alert" data-rule={p}>{w.prompts[p](riskTolerance)}</li>)}
        </ul>
      )}
      <h3>{heading ? `${w.title}: ${heading}` : w.title}</h3>
      <ol class="lines" aria-live="polite">
        {lines.map((l, i) => <li key={i} class={`line ${l.side}`}><b>{l.side === 'caller' ? w.caller : heading ? `${w.agentOf} ${heading}` : w.agent}</b> {l.text}</li>)}
      </ol>
    </section>
  );
}
