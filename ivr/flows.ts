import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Value } from 'typebox/value';
import { Type } from 'typebox';
import { CalendarSchema, type Calendar, type Flow } from './flow-schema.js';
import { calendarProblems, labelProblems, validateFlow, type Problem } from './validate.js';

export const FLOWS_DIR = fileURLToPath(new URL('./flows/', import.meta.url));

export interface FileCheck { file: string; flow: Flow | null; problems: Problem[] }

/** Reads and validates one flow file; an unreadable or non-JSON file is a problem, not a throw. */
export function checkFlowFile(file: string): FileCheck {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return { file, flow: null, problems: [{ node: null, message: `cannot read as JSON: ${(e as Error).message}` }] };
  }
  const { ok, problems } = validateFlow(doc);
  // A shipped flow also names every step for people; flows built in tests may leave labels out.
  if (ok) problems.push(...labelProblems(doc as Flow));
  return { file, flow: ok ? (doc as Flow) : null, problems };
}

export const flowFiles = (dir: string | URL = FLOWS_DIR): string[] => {
  const path = dir instanceof URL ? fileURLToPath(dir) : dir;
  return readdirSync(path).filter((f) => f.endsWith('.json')).sort().map((f) => join(path, f));
};

/** Every *.json flow in the folder, by id. Throws listing every problem of every file: a broken flow never goes live. */
export function loadFlows(dir: string | URL = FLOWS_DIR): Map<string, Flow> {
  const flows = new Map<string, Flow>();
  const lines: string[] = [];
  for (const check of flowFiles(dir).map(checkFlowFile)) {
    for (const p of check.problems) lines.push(`${check.file}: ${p.node === null ? '' : `node ${p.node}: `}${p.message}`);
    if (!check.flow) continue;
    if (flows.has(check.flow.id)) lines.push(`${check.file}: flow id '${check.flow.id}' is used by another file too`);
    flows.set(check.flow.id, check.flow);
  }
  if (lines.length > 0) throw new Error(`Invalid IVR flows:\n${lines.join('\n')}`);
  return flows;
}

export const CALENDARS_FILE = fileURLToPath(new URL('./calendars.json', import.meta.url));
const CalendarsSchema = Type.Record(Type.String({ pattern: '^[a-z0-9_-]+$' }), CalendarSchema);

/** Problems with a calendars file (the service hours the server's queues keep); [] when sound. */
export function checkCalendarsFile(file: string = CALENDARS_FILE): { calendars: Record<string, Calendar> | null; problems: string[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return { calendars: null, problems: [`cannot read as JSON: ${(e as Error).message}`] };
  }
  if (!Value.Check(CalendarsSchema, doc)) return { calendars: null, problems: [...Value.Errors(CalendarsSchema, doc)].map((e) => `${e.instancePath || '/'} ${e.message}`) };
  const problems = calendarProblems(doc);
  return { calendars: problems.length === 0 ? doc : null, problems };
}

/** The named calendars of ivr/calendars.json; throws naming every problem. */
export function loadCalendars(file: string = CALENDARS_FILE): Record<string, Calendar> {
  const { calendars, problems } = checkCalendarsFile(file);
  if (!calendars) throw new Error(`Invalid calendars in ${file}:\n${problems.join('\n')}`);
  return calendars;
}
