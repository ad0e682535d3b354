import type { FlowNode, NodeType, Text } from './flow-schema.js';

/** The flow as a graph: edges and texts of each node, shared by the validator and anything that draws flows. */

const TARGET_FIELDS = ['next', 'on_fail', 'on_unknown', 'on_identified', 'on_verified', 'on_locked', 'on_no_pin', 'on_unidentified',
  'on_unverified', 'default', 'on_bridged', 'on_leave', 'on_error', 'on_unavailable', 'on_unreachable', 'on_not_found'] as const;
const TEXT_FIELDS = ['say', 'invalid', 'no_input', 'last4_say', 'wrong', 'thanks'] as const;

/** Nodes that wait for the caller (a gather). */
export const INPUT_TYPES: ReadonlySet<NodeType> = new Set(['language', 'menu', 'collect', 'identify', 'verify', 'survey']);
/** Nodes where the IVR part of a call can end: hung up, or handed to a person or another number. */
export const EXIT_TYPES: ReadonlySet<NodeType> = new Set(['enqueue', 'transfer', 'callback', 'survey', 'hangup']);

/** [field, target] for every edge leaving the node. */
export function targetsOf(node: FlowNode): [string, string][] {
  const out: [string, string][] = [];
  const fields = node as unknown as Record<string, unknown>;
  for (const f of TARGET_FIELDS) {
    const v = fields[f];
    // `default` is a language on language nodes, not a target.
    if (typeof v === 'string' && !(node.type === 'language' && f === 'default')) out.push([f, v]);
  }
  if (node.type === 'menu') node.options.forEach((o, i) => out.push([`options[${i}] (key ${o.key})`, o.next]));
  if (node.type === 'branch') for (const [k, v] of Object.entries(node.cases)) out.push([`cases.${k}`, v]);
  return out;
}

export function textsOf(node: FlowNode): [string, Text][] {
  const fields = node as unknown as Record<string, unknown>;
  return TEXT_FIELDS.flatMap((f) => (fields[f] !== undefined ? [[f, fields[f] as Text] as [string, Text]] : []));
}
