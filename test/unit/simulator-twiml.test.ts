import { describe, expect, it } from 'vitest';
import { createTwilioSpecValidator } from '../../simulator/openapi-check.js';
import { formatTranscript } from '../../simulator/script.js';
import { collectDigits } from '../../simulator/twiml-player.js';
import { parseTwiml, TwimlError } from '../../simulator/twiml.js';
import { parseForm, rfc2822 } from '../../simulator/util.js';

const ACCOUNT = `AC${'a'.repeat(32)}`;
const spec = () => createTwilioSpecValidator(new URL('../fixtures/twilio_api_v2010.json', import.meta.url).pathname);

describe('simulator TwiML parsing', () => {
  it('keeps verbs in document order with attributes, text and nested verbs', () => {
    const verbs = parseTwiml('<?xml version="1.0"?><Response><Say language="cmn-CN">您好 &amp; 欢迎</Say><Gather numDigits="1"><Say>One</Say><Pause length="2"/></Gather><Enqueue waitUrl="/w?a=1&amp;b=2">general</Enqueue><Hangup/></Response>');
    expect(verbs.map((v) => v.name)).toEqual(['Say', 'Gather', 'Enqueue', 'Hangup']);
    expect(verbs[0]).toMatchObject({ text: '您好 & 欢迎', attrs: { language: 'cmn-CN' } });
    expect(verbs[1]?.children.map((c) => c.name)).toEqual(['Say', 'Pause']);
    expect(verbs[2]).toMatchObject({ text: 'general', attrs: { waitUrl: '/w?a=1&b=2' } });
  });

  it('refuses what Twilio would refuse', () => {
    expect(() => parseTwiml('')).toThrow(TwimlError);
    expect(() => parseTwiml('<Response><Say>unclosed</Response>')).toThrow(TwimlError);
    expect(() => parseTwiml('<html><body>oops</body></html>')).toThrow(TwimlError);
    expect(parseTwiml('<Response/>')).toEqual([]);
  });
});

describe('simulator Gather digit rules', () => {
  it('stops at numDigits and at the finish key, which is not a digit', () => {
    expect(collectDigits('123456', 4, '#')).toEqual({ digits: '1234', finishedOnKey: '', rest: '56' });
    expect(collectDigits('98#7', undefined, '#')).toEqual({ digits: '98', finishedOnKey: '#', rest: '7' });
    expect(collectDigits('12#', undefined, '')).toEqual({ digits: '12#', finishedOnKey: '', rest: '' });
    expect(collectDigits('#', 4, '#')).toEqual({ digits: '', finishedOnKey: '#', rest: '' });
    // A 6-digit PIN and the # the caller was told to press: the # is left for whatever listens next.
    expect(collectDigits('135790#', 6, '#')).toEqual({ digits: '135790', finishedOnKey: '', rest: '#' });
  });
});

describe('simulator helpers', () => {
  it('formats transcripts as printable lines', () => {
    expect(formatTranscript([
      { at: 0, kind: 'say', text: '欢迎致电', language: 'cmn-CN' },
      { at: 1200, kind: 'press', text: '1' },
      { at: 3000, kind: 'enqueued', text: '"general" (position 1)' },
      { at: 4000, kind: 'status', text: 'completed' },
    ])).toEqual([
      '  0.0s  IVR says (cmn-CN): 欢迎致电',
      '  1.2s  caller presses 1',
      '  3.0s  queued in "general" (position 1)',
      '  4.0s  call ended (completed)',
    ]);
  });

  it('parses repeated form keys as arrays and writes RFC 2822 dates', () => {
    expect(parseForm('StatusCallbackEvent=initiated&StatusCallbackEvent=answered&To=%2B1')).toEqual({ StatusCallbackEvent: ['initiated', 'answered'], To: '+1' });
    expect(rfc2822(new Date(Date.UTC(2019, 9, 18, 17, 0, 0)))).toBe('Fri, 18 Oct 2019 17:00:00 +0000');
  });
});

describe('Twilio OpenAPI checker', () => {
  const v = spec();
  const calls = `/2010-04-01/Accounts/${ACCOUNT}/Calls.json`;

  it('accepts a real CreateCall form (strings coerced, repeated keys as arrays)', () => {
    expect(v.validateRequest('POST', calls, { To: '+14155550100', From: '+14155550101', Url: 'https://x.test/a', Timeout: '30', StatusCallbackEvent: ['initiated', 'answered'] })).toEqual([]);
    expect(v.validateRequest('POST', `/twilio-sim${calls}`, { To: '+1', From: '+2', Twiml: '<Response/>', StatusCallbackEvent: 'completed' })).toEqual([]);
  });

  it('reports missing, mistyped and unknown parameters and bad path SIDs', () => {
    const problems = v.validateRequest('POST', calls, { To: '+1', Timeout: 'soon', Bogus: '1' });
    expect(problems.join('\n')).toMatch(/From/);
    expect(problems.join('\n')).toMatch(/Timeout/);
    expect(problems.join('\n')).toMatch(/Bogus/);
    expect(v.validateRequest('GET', `/2010-04-01/Accounts/${ACCOUNT}/Calls/not-a-sid.json`, {}).join('\n')).toMatch(/path/);
  });

  it('reports responses missing listed fields, with wrong types or unknown statuses', () => {
    const problems = v.validateResponse('GET', `/2010-04-01/Accounts/${ACCOUNT}/Queues/QU${'b'.repeat(32)}.json`, 200, { sid: `QU${'b'.repeat(32)}`, current_size: '1' });
    expect(problems.join('\n')).toMatch(/current_size must be integer/);
    expect(problems.join('\n')).toMatch(/max_size/);
    expect(v.validateResponse('POST', calls, 200, {})).toHaveLength(1);
    expect(v.validateResponse('POST', calls, 400, { code: 21201, message: 'No To', more_info: 'https://www.twilio.com/docs/errors/21201', status: 400 })).toEqual([]);
    expect(v.validateResponse('POST', calls, 400, { error: 'nope' })).toHaveLength(1);
  });
});
