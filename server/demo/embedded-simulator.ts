import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import { StartRefused } from '../config.js';
import { createSimulator, type Simulator } from '../../simulator/simulator.js';
import { demoPhoneRoutes } from './demo-phone.js';

/** Where the built-in simulator's REST API is mounted in the demo (TELEPHONY=simulator). */
export const EMBEDDED_SIMULATOR_PREFIX = '/twilio-sim';
// A well-formed but unassigned account SID: the embedded simulator's, never a real account's.
const EMBEDDED_ACCOUNT_SID = `AC${'5b'.repeat(16)}`;

/**
 * The demo's Twilio: the simulator mounted on this server, playing Twilio for the hotline numbers,
 * with the demo phone beside it. The only place the server loads `simulator/`, and only in
 * simulator mode (the telephony plugin imports this module on demand).
 */
export async function mountEmbeddedSimulator(app: FastifyInstance, opts: { hotlines: ReadonlyMap<string, string>; publicUrl: () => string }): Promise<{ simulator: Simulator; accountSid: string; authToken: string; apiBase: () => string }> {
  const { hotlines, publicUrl } = opts;
  const held = await holdTheSimulator(app);
  const authToken = randomBytes(16).toString('hex');
  // No log hook: the simulator's lines include the keys a caller pressed, PINs among them.
  const simulator = createSimulator({ accountSid: EMBEDDED_ACCOUNT_SID, authToken, numbers: {} });
  await app.register(simulator.routes, { prefix: EMBEDDED_SIMULATOR_PREFIX });
  await app.register(demoPhoneRoutes, { prefix: `${EMBEDDED_SIMULATOR_PREFIX}/phone`, sim: simulator, hotlines });
  // The hotline numbers point at this server, whose address is known once it listens.
  app.addHook('onListen', async () => {
    await held?.name(publicUrl());
    for (const number of hotlines.keys()) {
      simulator.setNumber(number, { voiceUrl: `${publicUrl()}/twilio/voice/incoming`, statusCallback: `${publicUrl()}/twilio/voice/status` });
    }
  });
  app.addHook('onClose', async () => simulator.close());
  return { simulator, accountSid: EMBEDDED_ACCOUNT_SID, authToken, apiBase: () => `${publicUrl()}${EMBEDDED_SIMULATOR_PREFIX}` };
}

/** The advisory lock key of "this database's built-in simulator" (any constant: one per database). */
const SIMULATOR_LOCK = [7_740_400, 1] as const;
const HOLDER_PREFIX = 'switchboard simulator';

/**
 * One built-in simulator per database. Its calls live in its process's memory, so a second node
 * in simulator mode on the same PostgreSQL would play Twilio apart from the first: a caller on one
 * node's simulator can never be put through to an agent whose accept runs on the other (the REST
 * request goes to the wrong simulator). The first node holds a session advisory lock on a
 * connection of its own, named after its URL; a second is refused at boot, naming the holder.
 * Embedded PGlite needs none of this: its data-dir lock already lets one process in.
 */
async function holdTheSimulator(app: FastifyInstance): Promise<{ name(url: string): Promise<void> } | null> {
  const db: Knex = app.db;
  if (db.client.config.client !== 'pg') return null;
  const conn = (await db.client.acquireConnection()) as { query(sql: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }> };
  const release = async () => {
    await conn.query('SELECT pg_advisory_unlock($1, $2)', [...SIMULATOR_LOCK]).catch(() => undefined);
    await db.client.releaseConnection(conn);
  };
  const { rows } = await conn.query('SELECT pg_try_advisory_lock($1, $2) AS ok', [...SIMULATOR_LOCK]);
  if (!rows[0]?.ok) {
    const holder = await conn.query(
      `SELECT a.application_name AS name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.objid = $2 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1`,
      [...SIMULATOR_LOCK],
    ).catch(() => ({ rows: [] as Record<string, unknown>[] }));
    await db.client.releaseConnection(conn);
    const name = String(holder.rows[0]?.name ?? '');
    const who = name.startsWith(HOLDER_PREFIX) ? name.slice(HOLDER_PREFIX.length).trim() || 'starting up' : 'another process';
    throw new StartRefused(
      `TELEPHONY=simulator: this database's built-in Twilio simulator already runs in another Switchboard node (${who}). `
      + 'A call lives in the memory of the simulator that took it, so two nodes with a simulator each would strand the callers of one at the agents of the other. '
      + 'Run one node in simulator mode per database, or run several nodes on one Twilio account (TELEPHONY=twilio) or one shared Twilio-compatible simulator (TWILIO_API_BASE).',
    );
  }
  app.addHook('preClose', release);
  await conn.query(`SET application_name = '${HOLDER_PREFIX}'`);
  return {
    // Once listening, the holder's URL names it to a refused second node.
    async name(url) {
      await conn.query(`SELECT set_config('application_name', $1, false)`, [`${HOLDER_PREFIX} ${url}`.slice(0, 63)]);
    },
  };
}
