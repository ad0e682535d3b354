// npm run bench: every speed and memory figure the README quotes comes from here.
import { benchCustomers } from './customers.bench.js';

console.log(`Switchboard bench — node ${process.version}, ${new Date().toISOString()}\n`);
await benchCustomers();
