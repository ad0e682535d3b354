import { describe, expect, it } from 'vitest';
import type { Wallboard, WallboardCampaign } from '../../server/modules/supervision/supervision-schemas.js';
import { applyUpdate, diffWallboard } from '../../server/modules/supervision/wallboard-diff.js';

const interval = { start: '2026-12-01T10:00:00.000Z', end: '2026-12-01T10:15:00.000Z' };
const board = (at: string, campaigns: WallboardCampaign[]): Wallboard => ({ at, interval, queues: [], skills: [], agents: [], waiting: [], alerts: [], campaigns, callbacks: [] });
const progress = (id: number, over: Partial<WallboardCampaign> = {}): WallboardCampaign => ({
  key: String(id), name: `Campaign ${id}`, campaign_id: id, state: 'running', list_size: 10, excluded: 0, dialed: 0, blocked: 0, connected: 0, humans: 0, machines: 0,
  abandoned: 0, abandon_rate: null, agent_connected: 0, conversions: 0, remaining: 10, dials_per_minute: 0, eta_s: null, pacing_ratio: 1, ...over,
});

describe('wallboard diff: campaigns', () => {
  it('sends only the campaigns that changed, drops finished ones, and applies back to the same board', () => {
    const a = board('2026-12-01T10:00:01.000Z', [progress(1), progress(2)]);
    const b = board('2026-12-01T10:00:02.000Z', [progress(1, { dialed: 1, remaining: 9 }), progress(3, { state: 'paused' })]);
    const u = diffWallboard(a, b)!;
    expect(u.campaigns).toEqual({ put: [b.campaigns[0], b.campaigns[1]], drop: ['2'] });
    expect(u.queues).toBeUndefined();
    const applied = applyUpdate(a, u);
    expect([...applied.campaigns].sort((x, y) => x.campaign_id - y.campaign_id)).toEqual(b.campaigns);
    expect(diffWallboard(b, board('2026-12-01T10:00:03.000Z', b.campaigns))).toBeNull();
  });

  it('starts the list on a board from a node that had none (a rolling deploy)', () => {
    const old = { ...board('2026-12-01T10:00:01.000Z', []), campaigns: undefined } as unknown as Wallboard;
    const next = board('2026-12-01T10:00:02.000Z', [progress(1)]);
    const u = diffWallboard(old, next)!;
    expect(u.campaigns).toEqual({ put: next.campaigns, drop: [] });
    expect(applyUpdate(old, u).campaigns).toEqual(next.campaigns);
  });
});
