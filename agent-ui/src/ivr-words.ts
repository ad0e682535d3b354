import type { Lang } from './i18n.js';

// The IVR steps in words: every node of the shipped flows carries `label: {zh, en}` (ivr:check
// refuses one without), so the pop and the timeline read them from the flows themselves.
type FlowDoc = { id: string; nodes: Record<string, { label?: Record<Lang, string> }> };
const flows = import.meta.glob<FlowDoc>('../../ivr/flows/*.json', { eager: true, import: 'default' });

const LABELS = new Map<string, Record<Lang, string>>();
for (const flow of Object.values(flows)) {
  // Flows share node ids for the same step (the lost-card line repeats the hotline's): first one wins.
  for (const [id, node] of Object.entries(flow.nodes)) if (node.label && !LABELS.has(id)) LABELS.set(id, node.label);
}

/** A step of the IVR as people read it; a node the flows do not know (an older flow) is written out, not shown as a code. */
export const stepLabel = (node: string, lang: Lang): string => LABELS.get(node)?.[lang] ?? node.replace(/[_-]+/g, ' ');
