import { Value } from 'typebox/value';
import { toMinutes } from './calendar.js';
import { RESERVED_VARS } from './context.js';
import { FlowShellSchema, NodeSchemas, type Calendar, type Flow, type FlowNode, type NodeOf, type NodeType } from './flow-schema.js';
import { phraseKey } from './input-nodes.js';
import { EXIT_TYPES, INPUT_TYPES, targetsOf, textsOf } from './graph.js';

export interface Problem { node: string | null; message: string }
export interface Validation { ok: boolean; problems: Problem[] }

const isNodeType = (t: string): t is NodeType => Object.hasOwn(NodeSchemas, t);

type SchemaError = { instancePath: string; message: string; params: unknown };

function describe(e: SchemaError): string {
  const p = e.params as { additionalProperties?: string[]; requiredProperties?: string[] };
  // Extra fields are usually typos of real ones: name them.
  if (p.additionalProperties) return `unknown field(s) ${p.additionalProperties.join(', ')}`;
  if (p.requiredProperties) return `missing field(s) ${p.requiredProperties.join(', ')}`;
  return e.message;
}

/** Schema problems, each pinned to its node where it has one. TypeBox also reports a rejected extra field as "schema is false": dropped. */
function schemaProblems(doc: unknown): Problem[] {
  const problems: Problem[] = [];
  for (const e of Value.Errors(FlowShellSchema, doc) as Iterable<SchemaError>) {
    if (e.message === 'schema is false') continue;
    const m = /^\/nodes\/([^/]+)(.*)$/.exec(e.instancePath);
    problems.push({ node: m?.[1] ?? null, message: `schema: ${m ? m[2] || '(node)' : e.instancePath || '(flow)'}: ${describe(e)}` });
  }
  if (problems.length > 0) return problems;
  const nodes = (doc as { nodes: Record<string, { type: string }> }).nodes;
  for (const [id, node] of Object.entries(nodes)) {
    if (!/^[a-z0-9_-]+$/.test(id)) problems.push({ node: id, message: 'schema: node id must be lower case letters, digits, _ or -' });
    if (!isNodeType(node.type)) {
      problems.push({ node: id, message: `schema: unknown node type '${node.type}' (one of ${Object.keys(NodeSchemas).join(', ')})` });
      continue;
    }
    for (const e of Value.Errors(NodeSchemas[node.type], node) as Iterable<SchemaError>) {
      if (e.message !== 'schema is false') problems.push({ node: id, message: `schema: ${e.instancePath || '(node)'}: ${describe(e)}` });
    }
  }
  return problems;
}

/** A menu's spoken phrases: one phrase for two choices would send a caller wherever the list order says. */
function phraseProblems(node: NodeOf<'menu'>): string[] {
  const out: string[] = [];
  node.options.forEach((o, i) => { if (o.key === undefined && !o.phrases) out.push(`options[${i}] has neither key nor phrases: nobody can choose it`); });
  for (const lang of ['zh', 'en'] as const) {
    const seen = new Map<string, string>();
    for (const o of node.options) {
      for (const p of o.phrases?.[lang] ?? []) {
        const k = phraseKey(p);
        const before = seen.get(k);
        if (before !== undefined && before !== o.next) out.push(`phrase '${p}' (${lang}) maps to two choices: ${before} and ${o.next}`);
        seen.set(k, o.next);
      }
    }
  }
  return out;
}

/** Ids reachable from `from` over edges. */
function reach(from: string[], edges: (id: string) => string[]): Set<string> {
  const seen = new Set<string>(from);
  const todo = [...from];
  for (let id = todo.pop(); id !== undefined; id = todo.pop()) {
    for (const t of edges(id)) if (!seen.has(t)) { seen.add(t); todo.push(t); }
  }
  return seen;
}

function nodeProblems(id: string, node: FlowNode, flow: Flow, secretVars: Set<string>): string[] {
  const out: string[] = [];
  for (const [field, target] of targetsOf(node)) if (!flow.nodes[target]) out.push(`dangling target: ${field} -> '${target}' is not a node`);
  for (const [field, text] of textsOf(node)) {
    for (const lang of ['zh', 'en'] as const) if (!text[lang]?.trim()) out.push(`missing translation: ${field}.${lang} is empty or absent`);
    for (const m of `${text.zh ?? ''} ${text.en ?? ''}`.matchAll(/\{\{\s*([a-z_0-9]+)\s*\}\}/g)) {
      if (m[1] && secretVars.has(m[1])) out.push(`${field} reads secret var {{${m[1]}}} aloud`);
    }
  }
  if (node.type === 'menu') out.push(...phraseProblems(node));
  if (node.type === 'menu' || node.type === 'language') {
    const keys = [...node.options.flatMap((o) => (o.key === undefined ? [] : [o.key])), ...(node.type === 'menu' && node.repeat_key ? [node.repeat_key] : [])];
    const dups = [...new Set(keys.filter((k, i) => keys.indexOf(k) !== i))];
    if (dups.length > 0) out.push(`duplicate key(s) ${dups.join(', ')} (options and repeat_key must differ)`);
  }
  if ((node.type === 'collect' || node.type === 'verify') && (node.min_length ?? 1) > (node.max_length ?? 6)) out.push('min_length is greater than max_length');
  if (node.type === 'identify' && node.mode === 'account' && !node.account_var) out.push('mode account needs account_var');
  if (node.type === 'transfer' && Boolean(node.number) === Boolean(node.skill)) out.push('transfer needs exactly one of number, skill');
  // Nobody waits for nobody: a queue that cannot be served now sends the caller somewhere else.
  if (node.type === 'transfer' && node.skill && !node.on_unavailable) out.push('transfer to a skill needs on_unavailable: where callers go when nobody can serve that queue now');
  if (node.type === 'self_service' && node.on_not_found && node.service !== 'lost_card') out.push('on_not_found is for the lost_card service only');
  if (node.type === 'set') {
    const forged = Object.keys(node.vars).filter((k) => (RESERVED_VARS as readonly string[]).includes(k));
    if (forged.length > 0) out.push(`set may not write ${forged.join(', ')}: only identify/verify set them`);
  }
  if (node.type === 'branch') {
    const allowed: Partial<Record<string, string[]>> = { hours: ['open', 'closed'], verified: ['true', 'false'], identified: ['true', 'false'], has_rm: ['true', 'false'], language: ['zh', 'en'] };
    const bad = Object.keys(node.cases).filter((k) => allowed[node.on] && !allowed[node.on]?.includes(k));
    if (bad.length > 0) out.push(`branch on ${node.on}: case(s) ${bad.join(', ')} can never match (${allowed[node.on]?.join('/')})`);
    if (node.on === 'hours' && !flow.calendars?.[node.calendar ?? 'default']) out.push(`branch on hours: calendar '${node.calendar ?? 'default'}' is not in the flow's calendars`);
    if (node.on === 'var' && !node.var) out.push('branch on var needs var');
  }
  return out;
}

/** Zones Intl cannot read and ranges that end before they start, in a set of named calendars. */
export function calendarProblems(calendars: Record<string, Calendar>): string[] {
  const out: string[] = [];
  for (const [name, cal] of Object.entries(calendars)) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: cal.timezone });
    } catch {
      out.push(`calendar ${name}: unknown timezone '${cal.timezone}'`);
    }
    for (const [day, ranges] of Object.entries(cal.weekly)) {
      for (const r of ranges ?? []) {
        const [from = '', to = ''] = r.split('-');
        if (toMinutes(from) >= toMinutes(to)) out.push(`calendar ${name}: ${day} ${r} ends before it starts`);
      }
    }
  }
  return out;
}

/** A node without words for people (the pop and the timeline name steps by their label): each one, as a problem. */
export function labelProblems(flow: Flow): Problem[] {
  return Object.entries(flow.nodes).flatMap(([id, node]) => {
    const label = (node as { label?: { zh?: string; en?: string } }).label;
    return (['zh', 'en'] as const).filter((lang) => !label?.[lang]?.trim()).map((lang) => ({ node: id, message: `missing label: label.${lang} is empty or absent` }));
  });
}

/**
 * Everything that can be wrong with a flow before a caller finds it: schema, dangling targets,
 * unreachable nodes, missing translations, duplicate keys, and parts with no way out.
 */
export function validateFlow(doc: unknown): Validation {
  const schema = schemaProblems(doc);
  if (schema.length > 0) return { ok: false, problems: schema };
  const flow = doc as Flow;
  const problems: Problem[] = calendarProblems(flow.calendars ?? {}).map((message) => ({ node: null, message }));
  const ids = Object.keys(flow.nodes);
  if (!flow.nodes[flow.start]) problems.push({ node: null, message: `start '${flow.start}' is not a node` });
  for (const lang of ['zh', 'en'] as const) if (!flow.languages.includes(lang)) problems.push({ node: null, message: `languages must include ${lang}` });

  const secretVars = new Set(Object.values(flow.nodes).flatMap((n) => (n.type === 'collect' && n.secret ? [n.var] : [])));
  for (const id of ids) {
    const node = flow.nodes[id];
    if (node) for (const message of nodeProblems(id, node, flow, secretVars)) problems.push({ node: id, message });
  }

  const edges = (id: string) => {
    const node = flow.nodes[id];
    return node ? targetsOf(node).map(([, t]) => t).filter((t) => flow.nodes[t]) : [];
  };
  const reachable = flow.nodes[flow.start] ? reach([flow.start], edges) : new Set<string>();
  for (const id of ids) if (!reachable.has(id)) problems.push({ node: id, message: `unreachable: no path from start '${flow.start}' leads here` });

  // Walk backwards from every exit: a node not met this way can never end the call's IVR part.
  const incoming = new Map<string, string[]>();
  for (const id of ids) for (const t of edges(id)) incoming.set(t, [...(incoming.get(t) ?? []), id]);
  const exits = ids.filter((id) => { const n = flow.nodes[id]; return n !== undefined && EXIT_TYPES.has(n.type); });
  const canExit = reach(exits, (id) => incoming.get(id) ?? []);
  for (const id of ids) {
    const node = flow.nodes[id];
    if (!node || canExit.has(id) || !reachable.has(id)) continue;
    problems.push({ node: id, message: INPUT_TYPES.has(node.type)
      ? 'loop without exit: every path from this input node comes back without reaching a hangup, enqueue, transfer, callback or survey'
      : 'no exit: no path from this node reaches a hangup, enqueue, transfer, callback or survey' });
  }

  // prompt/set chains are unconditional: a cycle of them spins forever without asking anything.
  for (const id of ids) {
    const seen = new Set<string>();
    for (let cur: string | undefined = id; cur !== undefined && !seen.has(cur);) {
      seen.add(cur);
      const n: FlowNode | undefined = flow.nodes[cur];
      cur = n && (n.type === 'prompt' || n.type === 'set' || n.type === 'recording_notice') ? n.next : undefined;
      if (cur === id) problems.push({ node: id, message: 'endless loop: prompt/set nodes lead back here without any input' });
    }
  }
  return { ok: problems.length === 0, problems };
}
