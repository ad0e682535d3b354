// npm run build: the production build in dist/, laid out like the source tree so every path the
// server resolves from its own location (migrations, IVR flows, the console) works the same:
//   dist/server, dist/migrations, dist/ivr (+ its JSON), dist/simulator  (tsc, tsconfig.build.json)
//   dist/agent-ui/dist                                                     (Vite)
// Run it with the devDependencies installed; production then needs only `npm ci --omit=dev` and
// `node dist/server/main.js`, which never loads TypeScript or the bundler.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}dist`;
const only = process.argv[2]; // 'server' or 'ui': one half

if (only !== 'ui') {
  for (const dir of ['server', 'migrations', 'ivr', 'simulator']) rmSync(`${dist}/${dir}`, { recursive: true, force: true });
  execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.build.json`], { stdio: 'inherit' });
  // What the server reads as files rather than imports.
  mkdirSync(`${dist}/ivr/flows`, { recursive: true });
  cpSync(`${root}ivr/calendars.json`, `${dist}/ivr/calendars.json`);
  for (const f of readdirSync(`${root}ivr/flows`).filter((f) => f.endsWith('.json'))) cpSync(`${root}ivr/flows/${f}`, `${dist}/ivr/flows/${f}`);
  console.log('server: dist/server/main.js, dist/server/worker.js, dist/server/cli/*.js');
}
if (only !== 'server') {
  const { build } = await import('vite');
  await build({ root: `${root}agent-ui`, logLevel: 'warn', build: { outDir: `${dist}/agent-ui/dist`, emptyOutDir: true } });
  console.log('console: dist/agent-ui/dist');
}
