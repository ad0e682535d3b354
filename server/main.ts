// Entry point: `npm start` (from source, the demo) and `node dist/server/main.js` (the build, in
// production). Validates config, builds the app, seeds the demo bank into an empty embedded
// database, listens, and on SIGINT/SIGTERM closes gracefully within SHUTDOWN_GRACE_MS.
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, StartRefused, type Config } from './config.js';
import { announceUrl, DataDirError } from './db/data-dir.js';
import { describeDatabase } from './db/knex.js';
import { ensureDemoBank } from './db/demo-bank.js';
import { DEMO_PASSWORD, DEMO_PIN, DEMO_USERS } from './db/synthetic-bank.js';

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(1);
}

// From source (tsx), the console is built on demand, so a fresh clone just works; the build
// (dist/) ships it prebuilt and never loads the bundler (a devDependency).
if (import.meta.url.endsWith('.ts')) {
  const { ensureUiBuilt } = await import('./dev/ui-build.js');
  await ensureUiBuilt((m) => console.warn(m));
}

let app: Awaited<ReturnType<typeof buildApp>>;
try {
  app = await buildApp(config);
} catch (err) {
  if (!(err instanceof DataDirError) && !(err instanceof StartRefused)) throw err;
  console.error(err.message);
  process.exit(1);
}

closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS, logger: { error: (m: unknown) => app.log.error(m) } }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'closing after an uncaught error');
  else app.log.info(`${signal ?? 'exit'}: closing`);
  await app.close();
});

await ensureDemoBank(app.db, config, (m) => app.log.info(m));
await app.listen({ port: config.PORT, host: config.HOST });
const url = app.telephony.publicUrl();
if (!config.DATABASE_URL) announceUrl(url);

const demo = config.TELEPHONY === 'simulator';
const hotlines = [...app.telephony.hotlines].map(([number, flow]) => `${number} (${flow})`).join(', ');
const lines = [
  `Switchboard is up at ${url}`,
  `  Agent console:   ${url}/`,
  ...(demo ? [`  Phone simulator: ${url}/simulator`] : []),
  `  API docs:  ${url}/docs`,
  `  Database:  ${describeDatabase(config)}`,
  `  Hotline:   ${hotlines}, ${demo ? 'played by the built-in Twilio simulator' : 'on Twilio'}`,
];
// Demo mode only: these are the demo bank's, and a real deployment must never advertise a PIN.
if (demo) {
  lines.push(
    `  Demo logins (password "${DEMO_PASSWORD}"): ${DEMO_USERS.map((u) => `${u.username} (${u.role})`).join(', ')}`,
    `  Demo callers' phone-banking PIN: ${DEMO_PIN}   (try: npm run call -- --from +8613800000003 --press 1,1,1,${DEMO_PIN})`,
    `  Another port: PORT=4000 npm start.  A fresh demo: stop it, then npm run demo:reset`,
  );
}
console.warn(`\n${lines.join('\n')}\n`);
