import type { Knex } from 'knex';

/**
 * A replayed caller's interaction, in the replay's own private database (never the bank's): the
 * row routing's events hang on. The number is a placeholder; nobody is dialled.
 */
export async function openCaller(trx: Knex, c: { id: string; callSid: string; language: string; at: Date }): Promise<void> {
  await trx('interactions').insert({ id: c.id, channel: 'phone', direction: 'inbound', call_sid: c.callSid, ani_masked: 'replay', dnis: 'replay', language: c.language, started_at: c.at });
}
