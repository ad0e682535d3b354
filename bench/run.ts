// npm run bench: every speed and memory figure the README quotes comes from here.
// BENCH_ONLY=ivr reruns one bench on the bank an earlier full run left behind.
import { benchCustomers } from './customers.bench.js';
import { benchIvr } from './ivr.bench.js';
import { benchIvrLoad } from './ivr-load.bench.js';
import { benchRouting } from './routing.bench.js';
import { benchReports } from './reports.bench.js';
import { benchWallboard } from './wallboard.bench.js';
import { benchCampaigns } from './campaigns.bench.js';
import { benchCallbackBacklog } from './callback-backlog.bench.js';
import { benchWaitEstimates } from './wait-estimate.bench.js';
import { benchMediaStreams } from './media-streams.bench.js';
import { benchDataOut } from './data-out.bench.js';

const only = process.env.BENCH_ONLY;
console.log(`Switchboard bench — node ${process.version}, ${new Date().toISOString()}\n`);
if (!only || only === 'customers') await benchCustomers();
if (!only || only === 'ivr') await benchIvr();
if (!only || only === 'ivr-load') await benchIvrLoad();
if (!only || only === 'routing') await benchRouting();
if (!only || only === 'backlog') await benchCallbackBacklog();
if (!only || only === 'wait') await benchWaitEstimates();
if (!only || only === 'reports') await benchReports();
if (!only || only === 'wallboard') await benchWallboard();
if (!only || only === 'campaigns') await benchCampaigns();
if (!only || only === 'media') await benchMediaStreams();
if (!only || only === 'data-out') await benchDataOut();
