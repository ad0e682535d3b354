// Pure and free of server dependencies: the supervisor's screen in agent-ui applies updates with
// this same code, so the server's diff and the screen's apply cannot drift apart.
import type { Wallboard, WallboardUpdate } from './supervision-schemas.js';

/** The lists of a wallboard, each row keyed by `key`: an update carries only the rows that changed. */
export const LISTS = ['queues', 'skills', 'agents', 'waiting', 'alerts', 'campaigns', 'callbacks'] as const;

/**
 * What a screen showing `prev` needs to show `next`: per list, the rows that are new or changed and
 * the keys that went. Rows carry instants, not elapsed seconds, so a quiet floor changes nothing
 * and sends nothing; null when there is nothing to send. Order is data (a waiting call's
 * `position`), so a screen sorts what it has and an update never needs to move rows.
 */
export function diffWallboard(prev: Wallboard, next: Wallboard): WallboardUpdate | null {
  const update: WallboardUpdate = { at: next.at, since: prev.at, interval: next.interval };
  let changed = prev.interval.start !== next.interval.start;
  for (const list of LISTS) {
    const before = new Map(((prev[list] ?? []) as { key: string }[]).map((r) => [r.key, JSON.stringify(r)]));
    const rows = (next[list] ?? []) as { key: string }[];
    const put = rows.filter((r) => before.get(r.key) !== JSON.stringify(r));
    const keep = new Set(rows.map((r) => r.key));
    const drop = [...before.keys()].filter((k) => !keep.has(k));
    if (put.length > 0 || drop.length > 0) {
      update[list] = { put, drop };
      changed = true;
    }
  }
  return changed ? update : null;
}

/** Applies an update to a board (what the supervisor's screen does; tests use it to check the stream). */
export function applyUpdate(board: Wallboard, u: WallboardUpdate): Wallboard {
  const out: Wallboard = { ...board, at: u.at, interval: u.interval };
  for (const list of LISTS) {
    const change = u[list];
    if (!change) continue;
    const drop = new Set(change.drop);
    // A board from a node that predates a list has none of it yet (a rolling deploy): start it empty.
    const rows = new Map(((board[list] ?? []) as { key: string }[]).filter((r) => !drop.has(r.key)).map((r) => [r.key, r]));
    for (const r of change.put as { key: string }[]) rows.set(r.key, r);
    (out as unknown as Record<string, unknown>)[list] = [...rows.values()];
  }
  return out;
}
