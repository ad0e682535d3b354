import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { en, zh, type Dict } from '../../agent-ui/src/words.js';
import { AgentStateName, SKILLS, StateChange, SYSTEM_REASONS, WrapupRequest } from '../../server/modules/agents/agents-schemas.js';
import { CALLBACK_OUTCOMES, CALLBACK_STATES } from '../../server/modules/callbacks/callbacks-schemas.js';
import { CAMPAIGN_STATES, DIALING_MODES, PRODUCT_LINES, PURPOSES } from '../../server/modules/campaigns/campaigns-schemas.js';
import { CASE_CATEGORIES, CASE_KINDS, CASE_STATUSES, SEVERITIES, TASK_KINDS } from '../../server/modules/cases/cases-schemas.js';
import { CARD_KINDS, CHANNELS, CONTACT_WAYS, HOLDING_STATUSES, LOAN_KINDS, PHONE_KINDS } from '../../server/modules/customers/customers-schemas.js';
import { DIRECTIONS, OUTCOMES } from '../../server/modules/interactions/interactions-schemas.js';
import { CallbackPop } from '../../server/modules/routing/routing-schemas.js';
import { Alert } from '../../server/modules/supervision/supervision-schemas.js';
import { TIERS } from '../../server/modules/tiers/tier-model.js';
import { ServiceSchema } from '../../ivr/flow-schema.js';

// Every code the server can put on a screen has words in both languages in agent-ui: the lists come
// from the server's own schemas and constants, and where the server has no list (timeline event
// types, end-of-call reasons) from the code that writes them, so a new value fails here first.

/** The values a TypeBox enum, union of literals or optional one allows. */
function valuesOf(schema: unknown): string[] {
  const s = schema as { enum?: string[]; anyOf?: unknown[]; const?: string };
  if (s.enum) return s.enum;
  if (s.anyOf) return s.anyOf.flatMap(valuesOf);
  if (s.const !== undefined) return [s.const];
  throw new Error(`not an enum: ${JSON.stringify(schema)}`);
}

const ROOT = new URL('../../', import.meta.url).pathname;
function sources(...dirs: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) out.push(readFileSync(p, 'utf8'));
    }
  };
  for (const d of dirs) walk(join(ROOT, d));
  return out;
}
/** The string values an expression can take (`a === 'x' ? 'y' : 'z'` gives y and z: what is compared is not a value). */
const literals = (text: string) => [...text.replace(/[!=]==\s*'[^']*'/g, '').matchAll(/'([a-z][a-z0-9_]*)'/g)].map((m) => m[1]!);

/** Timeline event types: every `{ type, data }` row the server appends, and every IVR `emit(ctx, type)`. */
function eventTypes(): string[] {
  const found = new Set<string>();
  for (const text of sources('server', 'ivr')) {
    for (const m of text.matchAll(/\{\s*type:\s*([^,]*),\s*(?:node:[^,]*,\s*)?data:/g)) for (const l of literals(m[1]!)) found.add(l);
    for (const m of text.matchAll(/emit\(ctx, '([a-z_]+)'/g)) found.add(m[1]!);
  }
  return [...found].sort();
}

/** Why a call left an agent's console: the reasons of every `call:ended` and `call:offer_revoked` the server sends. */
function endReasons(): string[] {
  const found = new Set<string>();
  for (const text of sources('server')) {
    for (const m of text.matchAll(/event: 'call:(?:ended|offer_revoked)', payload: \{[^}]*reason: ([^}]*)\}/g)) for (const l of literals(m[1]!)) found.add(l);
  }
  return [...found].sort();
}

/** Reasons the server gives an agent's state in code (agentStateNotice and transition calls). */
function stateReasons(): string[] {
  const found = new Set<string>();
  for (const text of sources('server')) {
    for (const m of text.matchAll(/agentStateNotice\([^,]+,\s*'[a-z_]+',\s*'([a-z_]+)'/g)) found.add(m[1]!);
    for (const m of text.matchAll(/transition\(trx,[^)]*?reason: '([a-z_]+)'/g)) found.add(m[1]!);
  }
  return [...found].sort();
}

type Words = Record<string, unknown>;
const CASES: [string, readonly string[], (d: Dict) => Words][] = [
  ['agent states', valuesOf(AgentStateName), (d) => d.labels.states],
  ['agent state reasons (chosen)', valuesOf(StateChange.properties.reason), (d) => d.labels.away],
  ['agent state reasons (system)', SYSTEM_REASONS, (d) => d.labels.away],
  ['agent state reasons (in the code)', stateReasons(), (d) => d.labels.away],
  ['timeline event types', eventTypes(), (d) => d.events],
  ['end-of-call reasons', endReasons(), (d) => d.endReasons],
  ['dispositions', valuesOf(WrapupRequest.properties.disposition), (d) => d.labels.dispositions],
  ['case states', CASE_STATUSES, (d) => d.labels.caseStatuses],
  ['case kinds', CASE_KINDS, (d) => d.labels.caseKinds],
  ['case categories', CASE_CATEGORIES, (d) => d.labels.caseCategories],
  ['severities', SEVERITIES, (d) => d.labels.severities],
  ['task kinds', TASK_KINDS, (d) => d.taskKinds],
  ['card and holding states', HOLDING_STATUSES, (d) => d.labels.holdingStatuses],
  ['card kinds', CARD_KINDS, (d) => d.labels.cardKinds],
  ['loan kinds', LOAN_KINDS, (d) => d.labels.loanKinds],
  ['phone kinds', PHONE_KINDS, (d) => d.labels.phoneKinds],
  ['contact ways', CONTACT_WAYS, (d) => d.labels.contactWays],
  ['channels', CHANNELS, (d) => d.labels.channels],
  ['interaction outcomes', OUTCOMES, (d) => d.labels.outcomes],
  ['directions', DIRECTIONS, (d) => d.labels.directions],
  ['alert codes', valuesOf(Alert.properties.kind), (d) => d.alertKinds],
  ['alert sentences', valuesOf(Alert.properties.kind), (d) => d.alertWords],
  ['tiers', TIERS, (d) => d.labels.tiers],
  ['skills', SKILLS, (d) => d.labels.skills],
  ['IVR self-services', valuesOf(ServiceSchema), (d) => d.labels.selfServices],
  ['callback states', CALLBACK_STATES, (d) => d.labels.callbackStates],
  ['callback outcomes', CALLBACK_OUTCOMES, (d) => d.labels.callbackOutcomes],
  ['callback sources', valuesOf(CallbackPop.properties.source), (d) => d.labels.callbackSources],
  ['campaign states', CAMPAIGN_STATES, (d) => d.labels.campaignStates],
  ['dialing modes', DIALING_MODES, (d) => d.labels.dialingModes],
  ['campaign purposes', PURPOSES, (d) => d.labels.purposes],
  ['product lines', PRODUCT_LINES, (d) => d.labels.productLines],
];

describe('every server code has words in zh and en', () => {
  it('finds the codes the server writes without a list (not an empty scan)', () => {
    expect(eventTypes()).toEqual(expect.arrayContaining(['started', 'ivr_step', 'queued', 'offered', 'connected', 'wrapup', 'ended', 'callback_booked']));
    expect(endReasons()).toEqual(expect.arrayContaining(['transferred', 'expired', 'caller_left', 'connect_failed']));
    expect(stateReasons()).toEqual(expect.arrayContaining(['lease_expired', 'missed_offer', 'rejected_offer', 'preview']));
  });

  for (const [what, codes, words] of CASES) {
    it(what, () => {
      expect(codes.length, what).toBeGreaterThan(0);
      for (const [lang, dict] of [['en', en], ['zh', zh]] as const) {
        const labels = words(dict);
        const missing = codes.filter((c) => {
          const w = labels[c];
          return !(typeof w === 'function' || (typeof w === 'string' && w.trim() !== ''));
        });
        expect(missing, `${what} without words in ${lang}`).toEqual([]);
      }
    });
  }

  it('the channels the database documents are all known', () => {
    // The activity migration lists each table's channels in a comment beside the column.
    const migration = readFileSync(join(ROOT, 'migrations/20261122000003_activity.ts'), 'utf8');
    const documented = [...migration.matchAll(/t\.text\('channel'\)[^\n]*\/\/ ([a-z_ |]+)/g)].flatMap((m) => m[1]!.split('|').map((c) => c.trim()));
    expect(documented.length).toBeGreaterThan(5);
    expect(documented.filter((c) => !(CHANNELS as readonly string[]).includes(c))).toEqual([]);
  });

  it('words every alert from its data, with no code or hole left in the sentence', () => {
    const sample: Record<string, Record<string, unknown>> = {
      private_wait: { skill: 'private_banking', threshold_s: 30 },
      service_level: { skill: 'funds_fx', tier: 'GOLD', service_level: 0.5, target: { share: 0.8, seconds: 20 } },
      abandon_rate: { skill: 'general', tier: 'STANDARD', share: 0.2, threshold: 0.1 },
      staffing_gap: { skill: 'private_banking', short: 2, staffed: 1, needed_erlang_a: 3 },
      agent_away: { name: 'Agent One', reason: 'after_call_work', threshold_s: 600 },
      profile_harvest: { username: 'agent1', over_limit: 3, refused: 0 },
      login_burst: { by: 'user', username: 'agent1', tries: 9, addresses: 3, minutes: 15 },
      case_at_risk: { case_no: 'C2026-0001', category: 'card_loss', late: true, sla_due_at: '2026-11-18T02:00:00Z', owner: 'Super Visor' },
      dead_air: { interaction_id: 'a1b2', agent_id: 12, name: 'Agent One', threshold_s: 10 },
    };
    for (const dict of [en, zh]) {
      const name = (kind: 'skill' | 'tier' | 'reason' | 'category', code: unknown) =>
        ({ skill: dict.labels.skills, tier: dict.labels.tiers, reason: dict.labels.away, category: dict.labels.caseCategories }[kind] as Record<string, string>)[String(code)] ?? `?${String(code)}?`;
      for (const kind of valuesOf(Alert.properties.kind)) {
        const text = dict.alertWords[kind as keyof Dict['alertWords']](sample[kind]!, name);
        expect(text, kind).not.toMatch(/undefined|NaN|\?[a-z_]+\?|\b[a-z]+_[a-z_]+\b/);
      }
    }
    expect(en.alertWords.case_at_risk(sample.case_at_risk!, () => 'Lost or stolen card')).toContain('2026-11-18 10:00');
  });
});
