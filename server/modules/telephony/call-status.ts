import type { FastifyBaseLogger } from 'fastify';
import type { Knex } from 'knex';
import { callsToSettle, lockCall, markSettleChecked, outboundOwnerOf } from '../calls/calls-repository.js';
import { isFinal, type CallsService, type CallStatus } from '../calls/calls-service.js';
import type { OutboundOwner, OutboundPurpose } from '../calls/outbound.js';
import type { Notice } from '../../lib/realtime-notices.js';
import type { TwilioRest } from './twilio-rest.js';

export interface StatusReport { sid: string; from: string; to: string; direction: string; status: CallStatus; seq: number; duration?: number }

/**
 * The one way a call's status is applied, whoever reports it: Twilio's status callback, or the
 * settle sweep reading Twilio's call resource. An outbound call's owner (a campaign, a callback)
 * is told too, by the purpose and reference the call was placed with.
 */
export function createStatusPath(deps: { calls: CallsService; outbound: Record<OutboundPurpose, OutboundOwner> }) {
  return async function applyStatus(trx: Knex, s: StatusReport, notices: Notice[], owner?: { purpose: OutboundPurpose; ref: string }): Promise<'applied' | 'stale'> {
    if (!owner) return deps.calls.status(trx, s, notices);
    const o = deps.outbound[owner.purpose];
    // The call's row first (its owner makes it), then the same ordered status handling as the hotline's calls.
    await o.track(trx, owner.ref, s.sid);
    return deps.calls.status(trx, s, notices, () => o.statusChanged(trx, owner.ref, { callSid: s.sid, status: s.status }, notices));
  };
}
export type ApplyStatus = ReturnType<typeof createStatusPath>;

/** How many open calls one sweep looks up. */
const BATCH = 50;

/**
 * Calls whose final status never arrived (the node that would have taken it died, the callback
 * was lost): each call open longer than `afterSeconds` is looked up in Twilio's call resource, at
 * most once per `afterSeconds`, and one that has ended there is settled from it on the same path
 * as its status callback. Inbound and outbound alike: a campaign's dial attempt or a callback
 * settles with its call.
 */
export function createCallSettler(deps: { db: Knex; rest: () => TwilioRest; applyStatus: ApplyStatus; notify: (n: Notice[]) => void; kick: () => void; log: FastifyBaseLogger; afterSeconds: number; now?: () => Date }) {
  const clock = deps.now ?? (() => new Date());
  return async function settle(): Promise<number> {
    const now = clock();
    const before = new Date(now.getTime() - deps.afterSeconds * 1000);
    const open = await callsToSettle(deps.db, before, BATCH);
    let settled = 0;
    for (const c of open) {
      let found: Awaited<ReturnType<TwilioRest['fetchCall']>>;
      try {
        found = await deps.rest().fetchCall(c.sid);
      } catch (err) {
        const { status, code } = err as { status?: number; code?: string | number };
        deps.log.warn({ call_sid: c.sid, http_status: status ?? null, twilio_code: code ?? null }, 'settle sweep: Twilio lookup failed');
        continue;
      }
      // Twilio has no such call (never placed on this account): nothing will ever report on it.
      const status = (found ? found.status : 'failed') as CallStatus;
      if (!isFinal(status)) {
        await markSettleChecked(deps.db, c.sid, now);
        continue;
      }
      const notices: Notice[] = [];
      const applied = await deps.db.transaction(async (trx) => {
        await lockCall(trx, c.sid);
        const owner = await outboundOwnerOf(trx, c);
        return deps.applyStatus(trx, { sid: c.sid, from: c.from_number, to: c.to_number, direction: c.direction, status, seq: -1, duration: found?.duration ?? undefined }, notices, owner);
      });
      deps.notify(notices);
      if (applied === 'applied') {
        settled++;
        deps.log.info({ call_sid: c.sid, status, found: Boolean(found) }, 'settle sweep: call settled from Twilio\'s call resource');
      }
    }
    if (settled > 0) deps.kick();
    return settled;
  };
}
