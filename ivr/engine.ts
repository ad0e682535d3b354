import { DEFAULT_TEXT, emit, enqueue, say, type Ctx, type Handler, type Step } from './context.js';
import type { Flow, NodeType } from './flow-schema.js';
import { branch, callback, enqueueNode, hangupNode, prompt, recordingNotice, selfService, set, transfer } from './flow-nodes.js';
import { collect, identify, language, menu, survey, verify } from './input-nodes.js';

export type { Flow } from './flow-schema.js';

export type Lang = 'zh' | 'en';

/** JSON-serialisable; `node` = the node awaiting input (null once the IVR has handed the call on or ended it). */
export interface IvrSession {
  flow: string;
  node: string | null;
  lang: Lang;
  ani: string;
  dnis: string;
  vars: Record<string, unknown>;
  retries: number;
  path: string[];
}

export type IvrInput =
  | { kind: 'start' }
  | { kind: 'digits'; digits: string }
  | { kind: 'timeout' }
  /** What the recogniser heard; `minConfidence`: below it the words are not trusted (the deployment's threshold). */
  | { kind: 'speech'; text: string; confidence: number; minConfidence: number }
  | { kind: 'queue_exit'; result: 'bridged' | 'hangup' | 'leave' | 'redirected' | 'error' | 'queue-full' | 'system-error' | 'unavailable' };

export type IvrAction =
  /** `whole`: said in full before anything else listens (a read-out a stray key must not cut off). */
  | { type: 'say'; text: string; lang: Lang; whole?: true }
  | { type: 'play'; url: string }
  | { type: 'pause'; seconds: number }
  /** `speech`: listen for words too, in this language, with these hints (never on a secret gather). */
  | { type: 'gather'; numDigits?: number; finishOnKey?: string; timeoutSeconds: number; secret: boolean; speech?: { lang: Lang; hints: string[] } }
  | { type: 'enqueue'; skill: string; tier: string | null; priority: number; lang: Lang; customerId: number | null }
  | { type: 'dial'; number: string }
  | { type: 'hangup' };

/** Never carries PIN digits or full card/account numbers. */
export interface IvrEvent { type: string; node: string; data: Record<string, unknown> }

export interface Candidate {
  customer_id: number; name_zh: string | null; name_en: string | null; tier: string; language: Lang; has_rm: boolean;
  /** Title and surname (王先生, Mr Wang): how an unverified caller is addressed. */
  salutation_zh: string | null; salutation_en: string | null;
  /** The bank greets this tier by full name even before the PIN is checked. */
  greet_full: boolean;
}

/** Whether the queue (and its overflow chain) can serve a caller now; when not, why and when it opens. */
export interface QueueStatus { servable: boolean; reason: 'open' | 'closed' | 'unstaffed'; opens_at: string | null }

/** A callback booked (with when the bank expects to call), or refused because the number cannot be called back. */
export type CallbackBooking = { booked: true; id: number; eta_s: number | null; opens_at: string | null } | { booked: false; why: 'withheld' };

export interface IvrPorts {
  now(): Date;
  identifyByPhone(phone: string): Promise<Candidate[]>;
  identifyByAccount(accountNo: string): Promise<Candidate | null>;
  narrowByCardLast4(customerIds: number[], last4: string): Promise<number[]>;
  /**
   * The port counts failures and locks after 3. `via`: how the caller was identified; wrong PINs
   * after an account number typed from someone else's phone are held against the calling number
   * (past a limit: `throttled`), never towards the owner's lock.
   */
  verifyPin(customerId: number, pin: string, via: string | null): Promise<'ok' | 'wrong' | 'locked' | 'no_pin' | 'throttled'>;
  balances(customerId: number): Promise<{ account: string; currency: string; balance: number }[]>;
  recentTransactions(customerId: number, limit: number): Promise<{ occurred_at: string; amount: number; currency: string; description: string }[]>;
  /** Blocks the card ending in `last4`, or every active card with `all` (the caller confirmed); no case when nothing matched. */
  reportLostCard(customerId: number, which: { last4: string } | { all: true }): Promise<{ case_no: string | null; cards_frozen: number; last4: string[] }>;
  timeDeposits(customerId: number): Promise<{ currency: string; principal: number; rate_pct: number; maturity_date: string }[]>;
  /** Whether the caller could be served in this queue now (hours of it and its overflow chain, agents staffed). */
  queueStatus(skill: string, lang: Lang, customerId: number | null): Promise<QueueStatus>;
  requestCallback(c: { customerId: number | null; ani: string; reason: string; skill: string | null; priority: number; lang: Lang }): Promise<CallbackBooking>;
}

export interface AdvanceResult { session: IvrSession; actions: IvrAction[]; events: IvrEvent[] }

/** Node entries allowed in one advance: a valid flow needs a handful; more means a loop with no input in it. */
export const MAX_STEPS = 100;
/** Where a caller goes when the flow itself fails: never dropped, always to a person. */
export const FALLBACK_SKILL = 'general';
const PATH_KEEP = 200;

class FlowError extends Error {}

/**
 * An entry of fixed length (a 6-digit PIN) ends on its last digit, yet callers press the '#' they
 * were told to: that key reaches the next gather. It is swallowed there, never read as a choice.
 * Returns the input without it, or null when the '#' was all there was.
 */
function afterTypeahead(s: IvrSession, input: IvrInput): IvrInput | null {
  const ahead = typeof s.vars._typeahead === 'string' ? s.vars._typeahead : null;
  delete s.vars._typeahead;
  if (!ahead || input.kind !== 'digits' || !input.digits.startsWith(ahead)) return input;
  const rest = input.digits.slice(ahead.length);
  return rest ? { kind: 'digits', digits: rest } : null;
}

const HANDLERS: { [K in NodeType]: Handler<K> } = {
  prompt, language, menu, collect, identify, verify, self_service: selfService, branch, set,
  enqueue: enqueueNode, callback, survey, transfer, hangup: hangupNode, recording_notice: recordingNotice,
};

export function startSession(flow: Flow, call: { ani: string; dnis: string; lang?: Lang }): IvrSession {
  return { flow: flow.id, node: null, lang: call.lang ?? flow.languages[0] ?? 'zh', ani: call.ani, dnis: call.dnis, vars: {}, retries: 0, path: [] };
}

function handlerFor(flow: Flow, id: string) {
  const node = flow.nodes[id];
  // The table is keyed by node type, so the pairing is sound; TypeScript cannot correlate the two.
  return node ? { node, handler: HANDLERS[node.type] as unknown as Handler<NodeType> } : null;
}

function fallback(ctx: Ctx, reason: string): void {
  emit(ctx, 'ivr_error', { reason });
  say(ctx, DEFAULT_TEXT.apology);
  enqueue(ctx, FALLBACK_SKILL, 0, false);
}

/**
 * Runs the flow from the node awaiting input (or from `start`) through every node that needs no
 * input, until a terminal action (gather, enqueue, dial, hangup). Deterministic given the ports;
 * the session passed in is not modified.
 */
export async function advance(flow: Flow, session: IvrSession, input: IvrInput, ports: IvrPorts): Promise<AdvanceResult> {
  const ctx: Ctx = { flow, session: structuredClone(session), ports, actions: [], events: [], nodeId: session.node ?? flow.start };
  const s = ctx.session;
  try {
    let step: Step;
    if (input.kind === 'start') {
      step = { goto: flow.start };
    } else if (s.node === null) {
      // The IVR already let go of this call (queued elsewhere, dialled out, ended): nothing left to say.
      ctx.actions.push({ type: 'hangup' });
      return { session: s, actions: ctx.actions, events: ctx.events };
    } else {
      const found = handlerFor(flow, s.node);
      if (!found) throw new FlowError(`awaiting node ${s.node} is not in flow ${flow.id}`);
      const keys = afterTypeahead(s, input);
      // A node that needs no input (e.g. after a flow change) simply runs again; so does one whose
      // only input was the finish key the caller pressed after a full-length entry.
      step = found.handler.input && keys ? await found.handler.input(ctx, found.node, keys) : await found.handler.enter(ctx, found.node);
    }
    for (let steps = 0; 'goto' in step; steps++) {
      if (steps >= MAX_STEPS) throw new FlowError('loop_guard');
      const found = handlerFor(flow, step.goto);
      if (!found) throw new FlowError(`target ${step.goto} is not in flow ${flow.id}`);
      ctx.nodeId = step.goto;
      s.retries = 0;
      s.path.push(step.goto);
      step = await found.handler.enter(ctx, found.node);
    }
  } catch (e) {
    // Port errors and broken flows end the same way; only the reason is logged (a message could carry PII).
    fallback(ctx, e instanceof FlowError ? e.message : 'port_error');
  }
  if (s.path.length > PATH_KEEP) s.path = s.path.slice(-PATH_KEEP);
  return { session: s, actions: ctx.actions, events: ctx.events };
}
