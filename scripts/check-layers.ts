// The rules of the house's layers, run by `npm run lint`. dependency-cruiser reads the import graph
// (type-only imports are left out: they vanish at run time); the rules are plain code below, so a
// reader sees exactly what is forbidden. Violations that predate a rule are listed in
// scripts/layers-baseline.json: a new one fails, and so does a listed one that has gone (the list
// only shrinks — delete the line when you mend it).
import { readFileSync, writeFileSync } from 'node:fs';
import { cruise } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const BASELINE = 'scripts/layers-baseline.json';

interface Edge { from: string; to: string }

const tsConfig = extractTSConfig('tsconfig.json');
const result = await cruise(
  ['server', 'simulator'],
  { tsPreCompilationDeps: true, doNotFollow: { path: 'node_modules' }, exclude: { path: '^(node_modules|dist)' } },
  undefined,
  { tsConfig },
);
if (typeof result.output === 'string') throw new Error('dependency-cruiser returned text, not a graph');

const edges: Edge[] = [];
const files: string[] = [];
for (const mod of result.output.modules) {
  if (!/^(server|simulator)\//.test(mod.source)) continue;
  files.push(mod.source);
  for (const dep of mod.dependencies) {
    if (dep.coreModule || dep.couldNotResolve || /node_modules/.test(dep.resolved)) continue;
    if (dep.dependencyTypes.includes('type-only')) continue;
    edges.push({ from: mod.source, to: dep.resolved });
  }
}

const moduleOf = (path: string) => /^server\/modules\/([^/]+)\//.exec(path)?.[1] ?? null;
const violations: string[] = [];

// 1. Layers: lib knows no module or plugin; modules never reach up into plugins, the app or the demo;
//    production code never loads the simulator; the simulator borrows only server/lib.
const layerRules: Array<[name: string, from: RegExp, to: RegExp, unless?: RegExp]> = [
  ['lib-at-the-bottom', /^server\/lib\//, /^server\/(modules|plugins|demo|dev|cli)\//],
  ['modules-below-plugins', /^server\/modules\//, /^server\/(plugins\/|demo\/|dev\/|cli\/|app\.ts|main\.ts|worker\.ts)/],
  ['no-simulator-in-production', /^server\//, /^simulator\//, /^server\/(cli|demo)\//],
  ['simulator-stands-alone', /^simulator\//, /^server\/(?!lib\/)/],
];
for (const { from, to } of edges) {
  for (const [name, f, t, unless] of layerRules) {
    if (f.test(from) && t.test(to) && !unless?.test(from)) violations.push(`${name}: ${from} -> ${to}`);
  }
  // 2. A table belongs to one module: another module goes through its service, never its repository.
  //    The audit log is the one shared journal: every module writes who did what in its own
  //    transaction, so its repository is its interface.
  const [a, b] = [moduleOf(from), moduleOf(to)];
  if (a && b && a !== b && b !== 'audit' && /-repository\.ts$/.test(to)) violations.push(`no-foreign-repository: ${from} -> ${to}`);
}

// 3. No cycles between modules: the module graph (run-time imports) is one-way.
const graph = new Map<string, Set<string>>();
for (const { from, to } of edges) {
  const [a, b] = [moduleOf(from), moduleOf(to)];
  if (a && b && a !== b) graph.set(a, (graph.get(a) ?? new Set()).add(b));
}
const reaches = (start: string, goal: string, seen = new Set<string>()): string[] | null => {
  for (const next of graph.get(start) ?? []) {
    if (next === goal) return [start, next];
    if (seen.has(next)) continue;
    seen.add(next);
    const path = reaches(next, goal, seen);
    if (path) return [start, ...path];
  }
  return null;
};
for (const [a, outs] of graph) {
  for (const b of outs) {
    const back = reaches(b, a);
    if (back) violations.push(`no-module-cycles: ${a} -> ${back.join(' -> ')}`);
  }
}

// 4. SQL lives in repositories and projections (and migrations, seeds and the db wiring).
const SQL_HOME = /(-repository|-projection)\.ts$|^server\/(db|cli)\//;
const SQL_CALL = /\b(?:db|trx|tx|knex)\s*(?:<[^>]*>)?\(\s*['"`]|\.(?:raw|whereRaw|joinRaw|orderByRaw|havingRaw)\s*(?:<[^>]*>)?\(/g;
for (const file of files) {
  if (!file.startsWith('server/') || SQL_HOME.test(file)) continue;
  const count = readFileSync(file, 'utf8').match(SQL_CALL)?.length ?? 0;
  if (count) violations.push(`sql-in-repositories: ${file} (${count} statements)`);
}

const found = [...new Set(violations)].sort();
if (process.argv.includes('--write-baseline')) {
  writeFileSync(BASELINE, JSON.stringify(found, null, 2) + '\n');
  console.log(`wrote ${found.length} known violations to ${BASELINE}`);
  process.exit(0);
}
const known = new Set<string>(JSON.parse(readFileSync(BASELINE, 'utf8')));
const fresh = found.filter((v) => !known.has(v));
const mended = [...known].filter((v) => !found.includes(v));
for (const v of fresh) console.error(`layers: ${v}`);
for (const v of mended) console.error(`layers: mended, remove from ${BASELINE}: ${v}`);
if (fresh.length || mended.length) process.exit(1);
console.log(`layers: ${edges.length} imports checked; ${known.size} known violations left to mend`);
