// npm run call -- --from +8613800000001 [--to +864008895555] [--press 1,2,135790]
// Places a call on the Twilio simulator and prints what the caller heard and what happened.
// With a demo server running (`npm start`) the call goes to it; otherwise this process starts the
// embedded demo itself (PGlite in DATA_DIR, the same bank `npm start` uses) for the one call.
import { parseArgs } from 'node:util';
import { buildApp } from '../app.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { ensureDemoBank } from '../db/demo-bank.js';
import { EMBEDDED_SIMULATOR_PREFIX } from '../plugins/telephony.js';
import { formatTranscript, runScript } from '../../simulator/script.js';

const USAGE = 'usage: npm run call -- --from +E164 [--to +E164] [--press 1,2,135790] [--server http://127.0.0.1:3000]';
const E164 = /^\+[1-9]\d{6,14}$/;

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  fail(err.message);
}

function readArgs() {
  try {
    return parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' }, press: { type: 'string', default: '' }, server: { type: 'string' } }, strict: true }).values;
  } catch (err) {
    fail((err as Error).message);
  }
}
const args = readArgs();
if (!args.from || !E164.test(args.from)) fail('--from must be an E.164 number, e.g. +8613800000001');
if (args.to && !E164.test(args.to)) fail('--to must be an E.164 number (a hotline number)');
const presses = args.press.split(',').map((p) => p.trim()).filter(Boolean);
if (presses.some((p) => !/^[0-9*#]+$/.test(p))) fail('--press takes keys (0-9, *, #) separated by commas, one group per menu');
const from = args.from;

const server = args.server ?? `http://127.0.0.1:${config.PORT}`;

/** A running demo server answers; its own simulator places the call. */
async function viaServer(): Promise<string[] | null> {
  const up = await fetch(`${server}/healthz`).then((r) => r.ok, () => false);
  if (!up) {
    if (args.server) fail(`no server answers at ${server}`);
    return null;
  }
  const res = await fetch(`${server}${EMBEDDED_SIMULATOR_PREFIX}/phone/script`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from, to: args.to, presses }),
  });
  if (res.status === 404) fail(`the server at ${server} runs on Twilio, not the simulator: call its number from a phone`);
  if (!res.ok) fail(`the server refused the call: ${await res.text()}`);
  return ((await res.json()) as { transcript: string[] }).transcript;
}

/** No server: start the embedded demo in this process, listen on a free port, call it. */
async function inProcess(): Promise<string[]> {
  if (config.TWILIO_ACCOUNT_SID) fail('TWILIO_ACCOUNT_SID is set: npm run call plays calls on the built-in simulator only');
  const app = await buildApp({ ...config, LOG_LEVEL: 'warn' });
  try {
    await ensureDemoBank(app.db, config, (m) => console.warn(m));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const to = args.to ?? [...app.telephony.hotlines.keys()][0]!;
    return formatTranscript(await runScript(app.telephony.simulator!, { from, to, presses }));
  } finally {
    await app.close();
  }
}

const transcript = (await viaServer()) ?? (await inProcess());
console.log(`Call from ${from}${presses.length ? `, pressing ${presses.join(' then ')}` : ''}:\n`);
for (const line of transcript) console.log(line);
