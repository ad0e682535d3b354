import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isOpen, nextOpen } from '../../ivr/calendar.js';
import type { Calendar } from '../../ivr/flow-schema.js';
import { checkCalendarsFile, checkFlowFile, flowFiles, loadCalendars, loadFlows } from '../../ivr/flows.js';
import { money, spokenDate } from '../../ivr/readouts.js';
import { validateFlow } from '../../ivr/validate.js';

const t = (zh: string, en: string) => ({ zh, en });

/** A small valid flow; each test breaks one thing in a copy. */
function flow(): { start: string; nodes: Record<string, Record<string, unknown>> } & Record<string, unknown> {
  return {
    id: 'tiny', version: 1, description: 'test', start: 'menu', languages: ['zh', 'en'],
    nodes: {
      menu: { type: 'menu', say: t('按1', 'Press 1'), options: [{ key: '1', next: 'bye' }, { key: '0', next: 'agent' }], on_fail: 'agent' },
      agent: { type: 'enqueue', skill: 'general', on_unavailable: 'bye' },
      bye: { type: 'hangup', say: t('再见', 'Goodbye') },
    },
  };
}

const problemsOf = (doc: unknown) => validateFlow(doc).problems;

describe('validateFlow', () => {
  it('accepts a valid flow', () => expect(validateFlow(flow())).toEqual({ ok: true, problems: [] }));

  it('accepts every flow in ivr/flows', () => {
    const files = flowFiles();
    expect(files.map((f) => f.split('/').at(-1))).toEqual(expect.arrayContaining(['hotline.json', 'lost-card.json']));
    for (const file of files) expect(problemsOf(JSON.parse(readFileSync(file, 'utf8'))), file).toEqual([]);
    expect([...loadFlows().keys()].sort()).toEqual(['hotline', 'lost-card']);
  });

  it('names the node and path of schema errors', () => {
    const doc = flow();
    delete doc.nodes.menu?.on_fail;
    (doc.nodes.bye as Record<string, unknown>).sya = t('x', 'y');
    const problems = problemsOf(doc);
    expect(problems).toContainEqual({ node: 'menu', message: expect.stringContaining('missing field(s) on_fail') });
    expect(problems).toContainEqual({ node: 'bye', message: expect.stringContaining('unknown field(s) sya') });
  });

  it('rejects an unknown node type and a non-object', () => {
    const doc = flow();
    doc.nodes.bye = { type: 'teleport' };
    expect(problemsOf(doc)).toContainEqual({ node: 'bye', message: expect.stringContaining("unknown node type 'teleport'") });
    expect(validateFlow('nope').ok).toBe(false);
  });

  it('catches a dangling target', () => {
    const doc = flow();
    doc.nodes.menu = { ...doc.nodes.menu, on_fail: 'nowhere' };
    expect(problemsOf(doc)).toEqual([{ node: 'menu', message: "dangling target: on_fail -> 'nowhere' is not a node" }]);
  });

  it('catches an unreachable node', () => {
    const doc = flow();
    doc.nodes.orphan = { type: 'hangup' };
    expect(problemsOf(doc)).toEqual([{ node: 'orphan', message: expect.stringContaining('unreachable') }]);
  });

  it('catches a missing or empty translation', () => {
    const doc = flow();
    doc.nodes.bye = { type: 'hangup', say: { zh: '再见' } };
    doc.nodes.menu = { ...doc.nodes.menu, invalid: t('错误', '  ') };
    expect(problemsOf(doc)).toEqual([
      { node: 'menu', message: 'missing translation: invalid.en is empty or absent' },
      { node: 'bye', message: 'missing translation: say.en is empty or absent' },
    ]);
  });

  it('catches an input node whose every path loops back without an exit', () => {
    const doc = flow();
    doc.nodes.loop = { type: 'menu', say: t('按1', 'Press 1'), options: [{ key: '1', next: 'again' }], on_fail: 'loop' };
    doc.nodes.again = { type: 'prompt', say: t('再来', 'Again'), next: 'loop' };
    doc.nodes.menu = { ...doc.nodes.menu, options: [{ key: '1', next: 'bye' }, { key: '2', next: 'loop' }] };
    const problems = problemsOf(doc);
    expect(problems).toContainEqual({ node: 'loop', message: expect.stringContaining('loop without exit') });
    expect(problems.map((p) => p.node)).not.toContain('menu');
  });

  it('catches prompts that lead back to themselves', () => {
    const doc = flow();
    doc.nodes.p1 = { type: 'prompt', next: 'p2' };
    doc.nodes.p2 = { type: 'prompt', next: 'p1' };
    doc.nodes.menu = { ...doc.nodes.menu, options: [{ key: '1', next: 'bye' }, { key: '2', next: 'p1' }] };
    expect(problemsOf(doc)).toContainEqual({ node: 'p1', message: expect.stringContaining('endless loop') });
  });

  it('catches duplicate menu keys, including the repeat key', () => {
    const doc = flow();
    doc.nodes.menu = { ...doc.nodes.menu, options: [{ key: '1', next: 'bye' }, { key: '1', next: 'agent' }], repeat_key: '0' };
    expect(problemsOf(doc)).toEqual([{ node: 'menu', message: expect.stringContaining('duplicate key(s) 1') }]);
  });

  it('catches a spoken phrase that maps to two choices, and an option nobody can choose', () => {
    const doc = flow();
    doc.nodes.menu = { ...doc.nodes.menu, options: [{ key: '1', next: 'bye', phrases: { en: ['Lost card'] } }, { key: '2', next: 'agent', phrases: { en: ['lost  card!'], zh: ['挂失'] } }, { next: 'agent' }] };
    const messages = problemsOf(doc).filter((p) => p.node === 'menu').map((p) => p.message);
    expect(messages).toEqual(expect.arrayContaining([expect.stringContaining('maps to two choices'), expect.stringContaining('neither key nor phrases')]));
    doc.nodes.menu = { ...doc.nodes.menu, options: [{ key: '1', next: 'bye', phrases: { en: ['goodbye'] } }, { next: 'agent', phrases: { zh: ['人工'], en: ['agent'] } }] };
    expect(problemsOf(doc).filter((p) => p.node === 'menu')).toEqual([]);
  });

  it('catches a branch on hours without a calendar, and cases that can never match', () => {
    const doc = flow();
    doc.nodes.menu = { ...doc.nodes.menu, on_fail: 'hours' };
    doc.nodes.hours = { type: 'branch', on: 'hours', calendar: 'service', cases: { open: 'agent', shut: 'bye' }, default: 'bye' };
    const messages = problemsOf(doc).map((p) => `${p.node}: ${p.message}`);
    expect(messages).toEqual([
      'hours: branch on hours: case(s) shut can never match (open/closed)',
      "hours: branch on hours: calendar 'service' is not in the flow's calendars",
    ]);
  });

  it('does not let a set node forge verification', () => {
    const doc = flow();
    doc.nodes.menu = { ...doc.nodes.menu, on_fail: 'forge' };
    doc.nodes.forge = { type: 'set', vars: { verified: true }, next: 'agent' };
    expect(problemsOf(doc)).toEqual([{ node: 'forge', message: expect.stringContaining('may not write verified') }]);
  });
});

describe('loadFlows', () => {
  it('throws with every problem of every invalid flow', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ivr-flows-'));
    const bad = flow();
    bad.nodes.menu = { ...bad.nodes.menu, on_fail: 'nowhere' };
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
    writeFileSync(join(dir, 'broken.json'), '{ not json');
    expect(() => loadFlows(dir)).toThrow(/bad\.json: node menu: dangling target[\s\S]*broken\.json: cannot read as JSON/);
  });

  it('refuses a flow file with a step that has no words for people (ivr:check)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ivr-flows-'));
    const doc = flow();
    for (const n of Object.values(doc.nodes)) n.label = t('步骤', 'A step');
    doc.nodes.agent = { ...doc.nodes.agent, label: { zh: '坐席', en: ' ' } };
    delete doc.nodes.bye?.label;
    writeFileSync(join(dir, 'tiny.json'), JSON.stringify(doc));
    expect(checkFlowFile(join(dir, 'tiny.json')).problems).toEqual([
      { node: 'agent', message: 'missing label: label.en is empty or absent' },
      { node: 'bye', message: 'missing label: label.zh is empty or absent' },
      { node: 'bye', message: 'missing label: label.en is empty or absent' },
    ]);
    expect(() => loadFlows(dir)).toThrow(/node bye: missing label/);
  });
});

describe('business hours and read-outs', () => {
  const cal: Calendar = { timezone: 'Asia/Shanghai', weekly: { mon: ['08:00-20:00'], fri: ['08:00-20:00'] }, holidays: ['2026-01-02'], workdays: ['2026-01-04'] };

  it('evaluates the calendar in its own timezone', () => {
    expect(isOpen(cal, new Date('2026-01-05T00:00:00Z'))).toBe(true); // Monday 08:00 Shanghai
    expect(isOpen(cal, new Date('2026-01-04T23:59:00Z'))).toBe(false); // Monday 07:59
    expect(isOpen(cal, new Date('2026-01-05T12:00:00Z'))).toBe(false); // Monday 20:00: closing time
    expect(isOpen(cal, new Date('2026-01-02T03:00:00Z'))).toBe(false); // a Friday holiday
    expect(isOpen(cal, new Date('2026-01-04T03:00:00Z'))).toBe(true); // a Sunday worked
  });

  it('knows when a closed calendar next opens, across weekends, holidays and make-up days', () => {
    // Friday 2026-01-02 is a holiday; Sunday 01-04 is worked (Monday's hours).
    expect(nextOpen(cal, new Date('2026-01-01T13:00:00Z'))?.toISOString()).toBe('2026-01-04T00:00:00.000Z');
    expect(nextOpen(cal, new Date('2026-01-05T01:00:00Z'))?.toISOString()).toBe('2026-01-05T01:00:00.000Z'); // open now: now
    expect(nextOpen(cal, new Date('2026-01-05T13:00:00Z'))?.toISOString()).toBe('2026-01-09T00:00:00.000Z'); // Monday evening: Friday 08:00
    expect(nextOpen({ ...cal, weekly: {} }, new Date('2026-01-05T13:00:00Z'))).toBeNull();
    // A zone with clock changes: London opens at 09:00 local in winter and summer alike.
    const london: Calendar = { timezone: 'Europe/London', weekly: { mon: ['09:00-17:00'] }, holidays: [] };
    expect(nextOpen(london, new Date('2026-03-27T12:00:00Z'))?.toISOString()).toBe('2026-03-30T08:00:00.000Z');
  });

  it('keeps the bank\'s calendars sound: a demo calendar open around the clock, and the bank\'s own hours', () => {
    expect(checkCalendarsFile().problems).toEqual([]);
    const calendars = loadCalendars();
    expect(isOpen(calendars.always!, new Date('2026-10-01T15:00:00Z'))).toBe(true); // National Day, 23:00
    expect(isOpen(calendars.bank!, new Date('2026-10-01T03:00:00Z'))).toBe(false); // National Day, 11:00
    expect(isOpen(calendars.bank!, new Date('2026-10-10T03:00:00Z'))).toBe(true); // a Saturday worked instead
  });

  it('formats money and dates per language', () => {
    expect(money(12345.67, 'CNY', 'zh')).toBe('12,345.67 元');
    expect(money(12345.67, 'CNY', 'en')).toBe('CNY 12,345.67');
    expect(money(1234567.5, 'XAU', 'zh')).toBe('1,234,567.50 XAU');
    expect(spokenDate('2027-03-01', 'zh')).toBe('2027年3月1日');
    expect(spokenDate('2027-03-01', 'en')).toBe('1 March 2027');
  });
});
