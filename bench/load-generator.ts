// The load generator of the ivr-load bench, in its own process (bench/ivr-load.bench.ts spawns it)
// so its CPU is not the server's: autocannon against one target, the result as one JSON line.
// `bare`: a fixed POST. `ivr`: each call is the signed `incoming` webhook with a fresh CallSid,
// then the signed `gather` for the step the reply named, as Twilio would send them.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import twilio from 'twilio';

interface Job { mode: 'bare' | 'ivr'; url: string; connections: number; seconds: number; authToken?: string; accountSid?: string; hotline?: string; phonesFile?: string }
const job = JSON.parse(process.argv[2]!) as Job;
const form = { 'content-type': 'application/x-www-form-urlencoded' };
const origin = new URL(job.url).origin;

function signed(path: string, params: Record<string, string>) {
  const signature = twilio.getExpectedTwilioSignature(job.authToken!, origin + path, params);
  return { headers: { ...form, 'x-twilio-signature': signature }, body: new URLSearchParams(params).toString() };
}

const phones: string[] = job.phonesFile ? (JSON.parse(readFileSync(job.phonesFile, 'utf8')) as string[]) : [];
let n = 0;
type Ctx = { sid?: string; from?: string; step?: string };

const requests: autocannon.Request[] = job.mode === 'bare'
  ? [{ method: 'POST', path: new URL(job.url).pathname, headers: form, body: 'CallSid=CA0&Digits=1' }]
  : [
    {
      method: 'POST',
      setupRequest: (req, context: Ctx) => {
        context.sid = `CA${randomBytes(16).toString('hex')}`;
        context.from = phones[n++ % phones.length]!;
        const path = '/twilio/voice/incoming';
        const params = { CallSid: context.sid, AccountSid: job.accountSid!, From: context.from, To: job.hotline!, Direction: 'inbound', CallStatus: 'ringing', ApiVersion: '2010-04-01' };
        return { ...req, path, ...signed(path, params) };
      },
      onResponse: (_status, body, context: Ctx) => { context.step = /step=(\d+)/.exec(body)?.[1] ?? '1'; },
    },
    {
      method: 'POST',
      setupRequest: (req, context: Ctx) => {
        const path = `/twilio/voice/gather?step=${context.step ?? '1'}`;
        const params = { CallSid: context.sid!, AccountSid: job.accountSid!, From: context.from!, To: job.hotline!, Direction: 'inbound', CallStatus: 'in-progress', ApiVersion: '2010-04-01', Digits: '1' };
        return { ...req, path, ...signed(path, params) };
      },
    },
  ];

const result = await autocannon({ url: origin, connections: job.connections, duration: job.seconds, requests });
process.stdout.write(`${JSON.stringify({
  rps: result.requests.average, total: result.requests.total, p50: result.latency.p50, p99: result.latency.p99,
  non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts,
})}\n`);
