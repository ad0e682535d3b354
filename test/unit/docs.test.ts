import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../server/config.js';
import { ERRORS } from '../../server/errors.js';

// The README and docs/ are the front door: what they document must match what the code does.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** Every file under `dir` (relative to the repository) whose name passes `keep`, skipping dependencies and builds. */
function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(join(root, d))) {
      if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
      const path = join(d, name);
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else if (keep(name)) out.push(path);
    }
  };
  walk(dir);
  return out;
}

const markdown = ['README.md', ...filesUnder('docs', (n) => n.endsWith('.md'))];

/**
 * The socket events the server sends, read from its source: an `.emit('a:b'` call, a notice's
 * `event: 'a:b'`, a `…_EVENT = 'a:b'` constant, and the keys of the typed event maps
 * (`AgentServerEvents`, `SupervisorServerEvents`). Every emit in server/ takes one of these shapes.
 */
function serverEvents(): Set<string> {
  const events = new Set<string>();
  const name = `'([a-z_]+:[a-z_]+)'`;
  const shapes = [new RegExp(`\\.emit\\(${name}`, 'g'), new RegExp(`\\bevent: ${name}`, 'g'), new RegExp(`_EVENT = ${name}`, 'g')];
  for (const file of filesUnder('server', (n) => n.endsWith('.ts'))) {
    const src = read(file);
    for (const re of shapes) for (const m of src.matchAll(re)) events.add(m[1]!);
    for (const block of src.matchAll(/interface \w+ServerEvents \{([^}]*)\}/g)) {
      for (const m of block[1]!.matchAll(new RegExp(`^\\s*${name}:`, 'gm'))) events.add(m[1]!);
    }
  }
  return events;
}

describe('docs', () => {
  it('docs/configuration.md documents every environment variable', () => {
    const doc = read('docs/configuration.md');
    // In the first column of the table (a row may name a pair, e.g. `BANK_NAME_ZH`, `BANK_NAME_EN`).
    const named = new Set([...doc.matchAll(/^\| ([^|]+) \|/gm)].flatMap((m) => [...m[1]!.matchAll(/`([A-Z0-9_]+)`/g)].map((n) => n[1]!)));
    for (const name of Object.keys(ConfigSchema.properties)) expect(named, name).toContain(name);
  });

  it('docs/errors.md documents every error code with its status', () => {
    const doc = read('docs/errors.md');
    for (const [code, { status }] of Object.entries(ERRORS)) expect(doc, code).toContain(`| \`${code}\` | ${status} |`);
  });

  it('docs/api.md documents every socket event the server sends, and no event it does not', () => {
    const events = serverEvents();
    // The collector must find the events we know are there, or a change of shape would pass silently.
    for (const known of ['call:offered', 'agent:restore', 'wallboard:update', 'session:ended', 'supervisor:broadcast']) expect(events, known).toContain(known);
    const doc = read('docs/api.md');
    for (const event of events) expect(doc, event).toContain(`| \`${event}\` |`);
    const serverSections = doc.split(/^### /m).filter((s) => s.startsWith('Server'));
    expect(serverSections.length).toBeGreaterThan(0);
    const documented = serverSections.flatMap((s) => [...s.matchAll(/^\| `([a-z_]+:[a-z_]+)` \|/gm)].map((m) => m[1]!));
    for (const event of documented) expect(events, `${event} is documented but never sent`).toContain(event);
  });

  it('names the two commands: one for the demo, one for the tests', () => {
    const readme = read('README.md');
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });

  it('keeps the README short', () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(250);
  });

  it('links only to files inside the repository that exist', () => {
    for (const file of markdown) {
      for (const m of read(file).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!.split('#')[0]!;
        if (target === '' || /^[a-z]+:/.test(target)) continue;
        const path = resolve(root, dirname(file), target);
        expect(relative(root, path).startsWith('..'), `${file} links outside the repository: ${m[1]}`).toBe(false);
        expect(existsSync(path), `${file} links to a missing file: ${m[1]}`).toBe(true);
      }
    }
  });

  it('nothing points at a folder beside the repository', () => {
    const outside = '..' + '/shared';
    const sources = [...markdown, ...['server', 'agent-ui', 'ivr', 'simulator', 'scripts', 'test', 'migrations', 'bench']
      .flatMap((d) => filesUnder(d, (n) => /\.(ts|tsx|js|json|md|html|css)$/.test(n)))];
    for (const file of sources) expect(read(file).includes(outside), file).toBe(false);
  });
});
