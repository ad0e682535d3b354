// npm run pin:demo-reset -- --customer-no C  (or --phone +8613800000003)
// Gives one customer the demo PIN again, unlocked and with no failures: for a demo caller who
// locked themselves out. Only with the built-in simulator (a demo), never on a bank's real telephony,
// since it sets a PIN that is printed in the README.
import { parseArgs } from 'node:util';
import { DEMO_PIN } from '../db/synthetic-bank.js';
import { setPhonePin } from '../modules/pins/phone-pins.js';
import { withDatabase } from './run-cli.js';

let values;
try {
  ({ values } = parseArgs({ options: { 'customer-no': { type: 'string' }, phone: { type: 'string' } } }));
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
if (!values['customer-no'] === !values.phone) {
  console.error('usage: npm run pin:demo-reset -- --customer-no C | --phone +8613800000003');
  process.exit(2);
}

await withDatabase(async (db, config) => {
  if (config.TELEPHONY === 'twilio' || (config.TELEPHONY === undefined && config.TWILIO_ACCOUNT_SID)) {
    console.error('pin:demo-reset sets the demo PIN: it runs only on a demo (the built-in simulator), never with Twilio');
    return 1;
  }
  const q = values['customer-no']
    ? db('customers').where({ customer_no: values['customer-no'] }).select('id')
    : db('customer_phones').where({ phone: values.phone }).distinct('customer_id as id');
  const ids = (await q).map((r: { id: number }) => r.id);
  if (ids.length !== 1) {
    console.error(ids.length === 0 ? 'No such customer' : `${ids.length} customers share that phone: name one by --customer-no`);
    return 1;
  }
  await setPhonePin(db, ids[0]!, DEMO_PIN, 'cli');
  console.log(`Customer ${ids[0]} has the demo PIN again, unlocked.`);
});
