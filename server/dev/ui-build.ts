import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UI_DIST, UI_ROOT } from '../plugins/ui.js';

// Development only (from source): imports the bundler, a devDependency the build never loads.

/** The newest modification time among the console's sources. */
function newestSource(): number {
  const files = readdirSync(join(UI_ROOT, 'src'), { recursive: true, encoding: 'utf8' }).map((f) => join(UI_ROOT, 'src', f));
  return Math.max(...[...files, join(UI_ROOT, 'index.html'), join(UI_ROOT, 'vite.config.ts')].map((f) => statSync(f).mtimeMs));
}

/**
 * Builds agent-ui into agent-ui/dist when there is no build, or its sources changed since (a fresh
 * clone or a pull), so `npm start` and the browser tests never serve a stale console.
 */
export async function ensureUiBuilt(log: (message: string) => void): Promise<void> {
  const index = `${UI_DIST}index.html`;
  if (existsSync(index) && statSync(index).mtimeMs >= newestSource()) return;
  log('Building the agent console…');
  const { build } = await import('vite');
  await build({ root: UI_ROOT, logLevel: 'warn' });
}

