import { describe, expect, it } from 'vitest';
import { advance, startSession, type IvrPorts } from '../../ivr/engine.js';
import type { Flow } from '../../ivr/flow-schema.js';
import { validateFlow } from '../../ivr/validate.js';

// The IVR's recording notice (issue 21): said in the caller's language, whole, once per call, and
// an event of the timeline; its text is the flow's and is checked like every other text.

const flow = {
  id: 'notice-test', version: 1, description: 'notice', start: 'lang', languages: ['zh', 'en'],
  nodes: {
    lang: { type: 'language', say: { zh: '中文请按1', en: 'For English press 2' }, options: [{ key: '1', lang: 'zh' }, { key: '2', lang: 'en' }], default: 'zh', next: 'notice' },
    notice: { type: 'recording_notice', say: { zh: '您的通话可能会被录音。', en: 'This call may be recorded.' }, next: 'menu' },
    menu: { type: 'menu', say: { zh: '返回请按9', en: 'Press 9 to go back' }, options: [{ key: '9', next: 'notice' }, { key: '0', next: 'bye' }], on_fail: 'bye' },
    bye: { type: 'hangup', say: { zh: '再见', en: 'Goodbye' } },
  },
} as Flow;
const ports = { now: () => new Date('2026-03-04T02:00:00Z') } as unknown as IvrPorts;

describe('recording_notice', () => {
  it('is a valid node, and a missing translation of its text is reported', () => {
    expect(validateFlow(flow)).toEqual({ ok: true, problems: [] });
    const broken = structuredClone(flow);
    (broken.nodes.notice as { say: { zh?: string } }).say = { zh: '您的通话可能会被录音。' };
    expect(validateFlow(broken).problems).toEqual([{ node: 'notice', message: 'missing translation: say.en is empty or absent' }]);
  });

  it('is said in the caller\'s language, whole, once per call, and leaves an event', async () => {
    const first = await advance(flow, startSession(flow, { ani: '+8613800000001', dnis: '+864008895555' }), { kind: 'start' }, ports);
    const chosen = await advance(flow, first.session, { kind: 'digits', digits: '2' }, ports);
    expect(chosen.actions).toContainEqual({ type: 'say', lang: 'en', text: 'This call may be recorded.', whole: true });
    expect(chosen.events).toContainEqual(expect.objectContaining({ type: 'recording_notice', node: 'notice', data: { language: 'en' } }));
    // Back through the node: not said again.
    const again = await advance(flow, chosen.session, { kind: 'digits', digits: '9' }, ports);
    expect(again.actions.some((a) => a.type === 'say' && a.text === 'This call may be recorded.')).toBe(false);
    expect(again.events.some((e) => e.type === 'recording_notice')).toBe(false);
  });
});
