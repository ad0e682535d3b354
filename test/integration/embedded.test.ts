import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { DEMO_PASSWORD, seedSyntheticBank } from '../../server/db/synthetic-bank.js';
import { DEFAULT_TIER_MODEL } from '../../server/modules/tiers/tier-model.js';
import { createTiersService } from '../../server/modules/tiers/tiers-service.js';
import { verifyCompliance } from '../../server/modules/campaigns/compliance.js';

// `npm start` on a bare laptop: no DATABASE_URL, so embedded PGlite with the same migrations and SQL.
describe('embedded mode (PGlite)', () => {
  it('migrates, seeds a bank, logs in and pops a profile with no PostgreSQL server', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sb-embedded-'));
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    const app = await buildApp(config);
    try {
      await seedSyntheticBank(app.db, { customers: 200, tiers: createTiersService(DEFAULT_TIER_MODEL) });
      await app.ready();
      const http = supertest(app.server);
      const login = await http.post('/api/auth/login').send({ username: 'agent1', password: DEMO_PASSWORD }).expect(200);
      const res = await http.get('/api/customers/lookup').query({ phone: '+8613800000001' }).set({ Authorization: `Bearer ${login.body.token}` }).expect(200);
      expect(res.body.profile.value.tier).toBe('PRIVATE');
      expect(res.body.profile.holdings.deposits.length).toBeGreaterThan(0);
      await http.get('/readyz').expect(200);
    } finally {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('runs an outbound campaign with the in-process jobs driver and the built-in simulator', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sb-embedded-'));
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', DIALER_TICK_MS: '100' });
    const app = await buildApp(config);
    try {
      await seedSyntheticBank(app.db, { customers: 200, tiers: createTiersService(DEFAULT_TIER_MODEL) });
      await app.listen({ port: 0, host: '127.0.0.1' });
      expect(app.jobs.driver).toBe('in-process');
      const http = supertest(app.server);
      const login = await http.post('/api/auth/login').send({ username: 'supervisor1', password: DEMO_PASSWORD }).expect(200);
      const auth = { Authorization: `Bearer ${login.body.token}` };
      // Every line is busy (a second on the embedded simulator's real-time clock), so one free agent paces it.
      const phones: { phone: string }[] = await app.db('customer_phones as p').join('customers as c', 'c.id', 'p.customer_id').whereIn('c.tier', ['PRIVATE', 'DIAMOND']).select('p.phone');
      for (const p of phones) app.telephony.simulator!.setPeer(p.phone, 'busy');
      const [agent] = await app.db('users').where({ username: 'agent1' }).select('id');
      await app.db('agents').insert({ user_id: agent.id, skills: JSON.stringify({ outbound: 1 }), state: 'available', lease_until: new Date(Date.now() + 3600_000) }).onConflict('user_id').merge();
      const campaign = (await http.post('/api/campaigns').set(auth).send({
        name: 'Care calls', purpose: 'care', dialing_mode: 'progressive', caller_id: '+864008895500', window_start: '00:00', window_end: '23:59', max_attempts: 1, calls_per_second: 20,
      }).expect(201)).body;
      const list = (await http.post(`/api/campaigns/${campaign.id}/list/segment`).set(auth).send({ tiers: ['PRIVATE', 'DIAMOND'] }).expect(200)).body;
      expect(list.added).toBeGreaterThan(0);
      const callable = list.added - Object.values(list.excluded as Record<string, number>).reduce((a, b) => a + b, 0);
      await http.post(`/api/campaigns/${campaign.id}/start`).set(auth).expect(200);
      const deadline = Date.now() + 60_000;
      while ((await app.db('campaigns').where({ id: campaign.id }).first()).state !== 'completed') {
        if (Date.now() > deadline) throw new Error('campaign did not complete');
        await new Promise((r) => setTimeout(r, 200));
      }
      const progress = (await http.get(`/api/campaigns/${campaign.id}/progress`).set(auth).expect(200)).body;
      expect(progress).toMatchObject({ dialed: callable, remaining: 0 });
      expect((await verifyCompliance(app.db)).ok).toBe(true);
    } finally {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
