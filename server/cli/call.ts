// npm run call -- --from +8613800000001 [--to +864008895555] [--press 1,2,135790]
// Places a call on the Twilio simulator and prints what the caller heard and what happened.
// With a demo server running (`npm start`, on any port) the call goes to it, over its demo-phone
// API: the server holds the embedded database and nothing else may open it. With none, this
// process starts the embedded demo itself (PGlite in DATA_DIR, the same bank) for the one call.
import { parseArgs } from 'node:util';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../app.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { readHolder, describeHolder, DataDirError } from '../db/data-dir.js';
import { ensureDemoBank } from '../db/demo-bank.js';

const DEMO_PHONE = '/twilio-sim/phone';

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

/** The server to call through: --server, else the one holding the embedded data dir, else the default port. */
async function findServer(): Promise<string | null> {
  if (args.server) return args.server;
  if (!config.DATABASE_URL) {
    const holder = readHolder(config.DATA_DIR);
    if (holder?.url) return holder.url;
    if (holder) fail(`${describeHolder(holder)} holds the demo's database but is not answering yet (still seeding the bank?): try again once it prints its URL`);
  }
  const fallback = `http://127.0.0.1:${config.PORT}`;
  return (await fetch(`${fallback}/healthz`).then((r) => r.ok, () => false)) ? fallback : null;
}

/** A running demo server's own simulator places the call. */
async function viaServer(server: string): Promise<string[]> {
  const res = await fetch(`${server}${DEMO_PHONE}/script`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from, to: args.to, presses }),
  }).catch(() => fail(`no server answers at ${server}`));
  if (res.status === 404) fail(`the server at ${server} runs on Twilio, not the simulator: call its number from a phone`);
  if (!res.ok) fail(`the server refused the call: ${await res.text()}`);
  return ((await res.json()) as { transcript: string[] }).transcript;
}

/** No server: start the embedded demo in this process, listen on a free port, call it the same way. */
async function inProcess(): Promise<string[]> {
  if (config.TELEPHONY !== 'simulator') fail('TELEPHONY is twilio: npm run call plays calls on the built-in simulator only');
  const app = await buildApp({ ...config, LOG_LEVEL: 'warn' }).catch((err: unknown) => fail(err instanceof DataDirError ? err.message : String(err)));
  try {
    await ensureDemoBank(app.db, config, (m) => console.warn(m));
    await app.listen({ port: 0, host: '127.0.0.1' });
    return await viaServer(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
  } finally {
    await app.close();
  }
}

const server = await findServer();
const transcript = server ? await viaServer(server) : await inProcess();
console.log(`Call from ${from}${presses.length ? `, pressing ${presses.join(' then ')}` : ''}:\n`);
for (const line of transcript) console.log(line);
