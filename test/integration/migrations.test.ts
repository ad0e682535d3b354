import { describe, expect, it } from 'vitest';
import { createDb } from '../../server/db/knex.js';
import { dropDatabase, urlFor, withAdmin } from '../helpers/databases.js';

describe('migrations', () => {
  it('every migration has a working down: latest -> rollback all -> latest on an empty PostgreSQL', async () => {
    const name = `sb_test_migrations_${process.pid}`;
    await withAdmin((admin) => admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).then(() => admin.raw(`CREATE DATABASE ${name}`)));
    const db = createDb({ DATABASE_URL: urlFor(name), DATA_DIR: '' });
    try {
      const [, applied] = await db.migrate.latest();
      expect(applied.length).toBeGreaterThan(0);
      await db.migrate.rollback(undefined, true);
      const { rows } = await db.raw(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name NOT LIKE 'knex_%'`);
      expect(rows).toEqual([]);
      const [, again] = await db.migrate.latest();
      expect(again).toEqual(applied);
    } finally {
      await db.destroy();
      await dropDatabase(name);
    }
  });
});
