// A Twilio stand-in for the media-streams bench, in its own process: N signed WebSockets to the
// endpoint, each `connected`, `start`, then a 20 ms μ-law frame of each track at real time for
// the run (speech on the caller's track half the time, the agent's the other half), then `stop`.
// Prints one JSON line: frames sent per track, and how far behind real time the sender fell.
import twilio from 'twilio';
import WebSocket from 'ws';

interface Job { url: string; authToken: string; accountSid: string; callSids: string[]; seconds: number }
const job = JSON.parse(process.argv[2]!) as Job;

const SAMPLES = 160;
// μ-law 0x9F/0x1F (about ±4,000: speech) and 0xFF (zero: silence), base64 as Twilio sends them.
const TALK = Buffer.from(Array.from({ length: SAMPLES }, (_, i) => (i % 2 ? 0x9f : 0x1f))).toString('base64');
const QUIET = Buffer.alloc(SAMPLES, 0xff).toString('base64');
const signature = twilio.getExpectedTwilioSignature(job.authToken, job.url, {});

const sockets = await Promise.all(job.callSids.map((callSid, i) => new Promise<{ ws: WebSocket; callSid: string; streamSid: string; seq: number }>((resolve, reject) => {
  const ws = new WebSocket(job.url, { headers: { 'X-Twilio-Signature': signature } });
  const streamSid = `MZ${i.toString(16).padStart(32, '0')}`;
  ws.once('open', () => resolve({ ws, callSid, streamSid, seq: 0 }));
  ws.once('error', reject);
})));
for (const s of sockets) {
  s.ws.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
  s.ws.send(JSON.stringify({ event: 'start', sequenceNumber: String(++s.seq), streamSid: s.streamSid, start: { accountSid: job.accountSid, callSid: s.callSid, streamSid: s.streamSid, tracks: ['inbound', 'outbound'], mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } } }));
}

const began = Date.now();
let frames = 0; // per track, per stream
let worstLagMs = 0;
const total = job.seconds * 50;
while (frames < total) {
  const due = Math.min(total, Math.floor((Date.now() - began) / 20));
  worstLagMs = Math.max(worstLagMs, (due - frames) * 20);
  for (; frames < due; frames++) {
    const ts = String(frames * 20);
    const callerTalks = Math.floor(frames / 150) % 2 === 0; // 3 s turns
    for (const s of sockets) {
      s.ws.send(`{"event":"media","sequenceNumber":"${++s.seq}","media":{"track":"inbound","chunk":"${frames + 1}","timestamp":"${ts}","payload":"${callerTalks ? TALK : QUIET}"},"streamSid":"${s.streamSid}"}`);
      s.ws.send(`{"event":"media","sequenceNumber":"${++s.seq}","media":{"track":"outbound","chunk":"${frames + 1}","timestamp":"${ts}","payload":"${callerTalks ? QUIET : TALK}"},"streamSid":"${s.streamSid}"}`);
    }
  }
  await new Promise((r) => setTimeout(r, 5));
}
for (const s of sockets) {
  s.ws.send(JSON.stringify({ event: 'stop', sequenceNumber: String(++s.seq), streamSid: s.streamSid, stop: { accountSid: job.accountSid, callSid: s.callSid } }));
}
await Promise.all(sockets.map((s) => new Promise<void>((r) => { s.ws.once('close', () => r()); setTimeout(r, 2_000); })));
console.log(JSON.stringify({ framesPerTrack: frames, streams: sockets.length, seconds: (Date.now() - began) / 1000, worstLagMs }));
// A receiver that never closes (the bare one) would keep this process alive.
for (const s of sockets) s.ws.terminate();
process.exit(0);
