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
});
