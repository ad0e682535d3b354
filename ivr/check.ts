import { relative } from 'node:path';
import { CALENDARS_FILE, checkCalendarsFile, checkFlowFile, flowFiles } from './flows.js';

/** `npm run ivr:check [files…]`: validates the given flow files, or every flow in ivr/flows. Exit 1 on any problem. */
const files = process.argv.length > 2 ? process.argv.slice(2) : flowFiles();
let failed = false;
for (const check of files.map(checkFlowFile)) {
  const name = relative(process.cwd(), check.file) || check.file;
  if (check.problems.length === 0) process.stdout.write(`ok  ${name}\n`);
  for (const p of check.problems) {
    failed = true;
    console.error(`${name}: ${p.node === null ? '' : `node ${p.node}: `}${p.message}`);
  }
}
if (files.length === 0) console.warn('no flow files found');
// The service hours the queues keep: checked with the flows, since a flow's queues depend on them.
if (process.argv.length <= 2) {
  const calendars = checkCalendarsFile();
  for (const p of calendars.problems) {
    failed = true;
    console.error(`${relative(process.cwd(), CALENDARS_FILE)}: ${p}`);
  }
  if (calendars.problems.length === 0) process.stdout.write(`ok  ${relative(process.cwd(), CALENDARS_FILE)}\n`);
}
process.exitCode = failed ? 1 : 0;
