// Entry point: `npm start`. Validates config, builds the app, seeds the demo bank into an empty
// embedded database, listens, and shuts down cleanly on SIGINT/SIGTERM.
import { buildApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { describeDatabase } from './db/knex.js';
import { ensureDemoBank } from './db/demo-bank.js';
import { DEMO_PASSWORD, DEMO_PIN, DEMO_USERS } from './db/synthetic-bank.js';
import { ensureUiBuilt } from './plugins/ui.js';

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(1);
}

// Before the app: it serves the console's build, which a fresh clone does not have yet.
await ensureUiBuilt((m) => console.warn(m));
const app = await buildApp(config);

await ensureDemoBank(app.db, config, (m) => app.log.info(m));

const shutdown = async (signal: string) => {
  app.log.info(`${signal}: closing`);
  await app.close();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));

await app.listen({ port: config.PORT, host: config.HOST });
const url = app.telephony.publicUrl();
const hotlines = [...app.telephony.hotlines].map(([number, flow]) => `${number} (${flow})`).join(', ');
console.warn(`
Switchboard is up at ${url}
  Agent console:   ${url}/${app.telephony.simulator ? `
  Phone simulator: ${url}/simulator` : ''}
  API docs:  ${url}/docs
  Database:  ${describeDatabase(config)}
  Demo logins (password "${DEMO_PASSWORD}"): ${DEMO_USERS.map((u) => `${u.username} (${u.role})`).join(', ')}
  Hotline:   ${hotlines}, ${app.telephony.simulator ? 'played by the built-in Twilio simulator' : 'on Twilio'}
  Demo callers' phone-banking PIN: ${DEMO_PIN}   (try: npm run call -- --from +8613800000003 --press 1,1,1,${DEMO_PIN})
`);
