import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, requestIdFrom, scrubText, scrubUrl, workContext } from '../../server/lib/logger.js';

function capture(format: 'json' | 'pretty') {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => { text += d.toString('utf8'); });
  return { log: createLogger({ LOG_LEVEL: 'debug', LOG_FORMAT: format }, { destination: out }), text: () => text };
}
const flush = () => new Promise((r) => setImmediate(r));

describe('the logger', () => {
  it('masks phones, ID and card numbers in text, but not SIDs, UUIDs or dates', () => {
    expect(scrubText('caller +8613800000003 and 110101199003071234')).toBe('caller …0003 and …1234');
    expect(scrubText('card 6222 0212 3456 7890')).toBe('card …7890');
    const sid = 'CAad3319824f6247c5d994b19d059ee5c47';
    expect(scrubText(`call ${sid} at 2026-11-18T02:00:00Z, req 2f7acbff-4655-48a8-9e24-c741fb608281`)).toBe(`call ${sid} at 2026-11-18T02:00:00Z, req 2f7acbff-4655-48a8-9e24-c741fb608281`);
  });

  it('keeps the keys of a query string and drops the values', () => {
    expect(scrubUrl('/api/customers/search?name=%E5%BC%A0%E4%BC%9F&phone=%2B8613800000003')).toBe('/api/customers/search?name=…&phone=…');
    expect(scrubUrl('/api/customers/1/profile')).toBe('/api/customers/1/profile');
  });

  it('scrubs names, phones and secrets by key at any depth, and in the message', async () => {
    const { log, text } = capture('json');
    log.info({ customer: { name_zh: '张伟', phone: '+8613800000003' }, body: { password: 'hunter2-hunter2', Digits: '135790' } }, 'pop for +8613800000003');
    await flush();
    const line = text();
    for (const secret of ['张伟', '+8613800000003', 'hunter2', '135790']) expect(line).not.toContain(secret);
    expect(line).toContain('…0003');
  });

  it('puts the request id of the work in hand on every line, and takes a sane X-Request-Id', async () => {
    const { log, text } = capture('json');
    workContext.run({ reqId: 'req-abc' }, () => log.warn('inside'));
    log.warn('outside');
    await flush();
    const [inside, outside] = text().trim().split('\n').map((l) => JSON.parse(l));
    expect(inside.req_id).toBe('req-abc');
    expect(outside.req_id).toBeUndefined();
    expect(requestIdFrom('lb-1234')).toBe('lb-1234');
    expect(requestIdFrom('bad id\nwith newline')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('pretty: one short human line per entry', async () => {
    const { log, text } = capture('pretty');
    log.warn({ call_sid: 'CA1' }, 'offer expired');
    await flush();
    expect(text()).toMatch(/^\d\d:\d\d:\d\d WARN {2}offer expired {2}call_sid=CA1\n$/);
  });
});
