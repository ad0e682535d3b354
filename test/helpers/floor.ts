import { afterEach } from 'vitest';
import { connectAgent, type AgentClient } from './agents.js';
import { startHotline, type Hotline } from './hotline.js';

/**
 * A hotline for each test and the agent consoles it opens, all closed when the test ends, passed
 * or failed, so no test's agents take the next test's calls.
 */
export function hotlinePerTest(base: Record<string, string> = {}, baseOpts: Parameters<typeof startHotline>[1] = {}) {
  let current: Hotline | undefined;
  const consoles: AgentClient[] = [];
  afterEach(async () => {
    for (const c of consoles.splice(0)) c.close();
    await current?.close();
    current = undefined;
  });
  const track = (c: AgentClient) => { consoles.push(c); return c; };
  return {
    async start(env: Record<string, string> = {}, opts: Parameters<typeof startHotline>[1] = {}) {
      current = await startHotline({ ...base, ...env }, { ...baseOpts, ...opts });
      return current;
    },
    track,
    /** An agent's console, signed in, in `state`; it sends heartbeats as the console does, so a long wait keeps its presence. */
    async online(h: Hotline, who: { id: number; token: string }, state: 'available' | 'away' = 'available') {
      const c = track(await connectAgent(h.url, who.token, who.id, { heartbeatMs: 2000 }));
      await c.next('agent:restore');
      await c.request('state:set', { state });
      return c;
    },
    /** All consoles opened so far closed now (a test that goes on without them). */
    closeConsoles() { for (const c of consoles.splice(0)) c.close(); },
  };
}

/** A call from `from` to `to` that presses `presses` at successive menus. */
export async function dialAndPress(h: Hotline, from: string, to: string, presses: string[]) {
  const c = h.sim.dial({ from, to });
  for (const keys of presses) {
    await c.waitFor('gathering');
    await c.press(keys);
  }
  return c;
}

/** The same, waiting until the call is queued. */
export async function dialToQueue(h: Hotline, from: string, to: string, presses: string[]) {
  const c = await dialAndPress(h, from, to, presses);
  await c.waitFor('queued');
  return c;
}
