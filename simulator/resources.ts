import { newSid, rfc2822 } from './util.js';

/** What a queue or conference needs to know about a call taking part in it. */
export interface Member {
  sid: string;
  /** The call's simulated clock, in ms since it started. */
  now(): number;
}

/** Twilio's default (and the server's expectation) when a queue is created implicitly by <Enqueue>. */
const DEFAULT_MAX_QUEUE_SIZE = 100;

export interface QueueEntry { member: Member; enqueuedAt: number; dateEnqueued: Date }

export class SimQueue {
  readonly sid = newSid('QU');
  readonly dateCreated = new Date();
  dateUpdated = new Date();
  members: QueueEntry[] = [];
  /** Seconds each departed caller waited, for AvgQueueTime / average_wait_time. */
  private waits: number[] = [];

  constructor(public friendlyName: string, public maxSize = DEFAULT_MAX_QUEUE_SIZE) {}

  add(member: Member): QueueEntry {
    const entry = { member, enqueuedAt: member.now(), dateEnqueued: new Date() };
    this.members.push(entry);
    this.dateUpdated = new Date();
    return entry;
  }

  /** Removes the call (if still queued) and returns how long it waited, in whole seconds. */
  remove(sid: string): number | undefined {
    const index = this.members.findIndex((e) => e.member.sid === sid);
    const entry = this.members[index];
    if (!entry) return undefined;
    this.members.splice(index, 1);
    const waited = waitSeconds(entry);
    this.waits.push(waited);
    this.dateUpdated = new Date();
    return waited;
  }

  position(sid: string): number {
    return this.members.findIndex((e) => e.member.sid === sid) + 1;
  }

  averageWait(): number {
    return this.waits.length === 0 ? 0 : Math.round(this.waits.reduce((a, b) => a + b, 0) / this.waits.length);
  }
}

export const waitSeconds = (entry: QueueEntry): number => Math.max(0, Math.floor((entry.member.now() - entry.enqueuedAt) / 1000));

export type ParticipantStatus = 'queued' | 'connecting' | 'ringing' | 'connected' | 'complete' | 'failed';

export interface SimParticipant {
  callSid: string;
  label: string | null;
  muted: boolean;
  hold: boolean;
  holdUrl?: string;
  coaching: boolean;
  callSidToCoach: string | null;
  startConferenceOnEnter: boolean;
  endConferenceOnExit: boolean;
  status: ParticipantStatus;
  dateCreated: Date;
  dateUpdated: Date;
  /** Set while the participant's call is in the room: takes it out (REST kick, conference end). */
  remove?: (reason: string) => void;
}

export class SimConference {
  readonly sid = newSid('CF');
  readonly dateCreated = new Date();
  dateUpdated = new Date();
  status: 'init' | 'in-progress' | 'completed' = 'init';
  participants = new Map<string, SimParticipant>();
  reasonEnded: string | null = null;
  callSidEndingConference: string | null = null;
  statusCallback?: { url: string; method: string; events: string[] };
  sequence = 0;
  /** Conference status callbacks go out one at a time, in order. */
  callbacks: Promise<void> = Promise.resolve();

  constructor(public friendlyName: string) {}
}

const base = (accountSid: string) => `/2010-04-01/Accounts/${accountSid}`;

export function queueJson(accountSid: string, q: SimQueue) {
  return {
    date_updated: rfc2822(q.dateUpdated),
    current_size: q.members.length,
    friendly_name: q.friendlyName,
    uri: `${base(accountSid)}/Queues/${q.sid}.json`,
    account_sid: accountSid,
    average_wait_time: q.averageWait(),
    sid: q.sid,
    date_created: rfc2822(q.dateCreated),
    max_size: q.maxSize,
  };
}

export function memberJson(accountSid: string, q: SimQueue, entry: QueueEntry, position: number) {
  return {
    call_sid: entry.member.sid,
    date_enqueued: rfc2822(entry.dateEnqueued),
    position,
    uri: `${base(accountSid)}/Queues/${q.sid}/Members/${entry.member.sid}.json`,
    wait_time: waitSeconds(entry),
    queue_sid: q.sid,
  };
}

export function conferenceJson(accountSid: string, c: SimConference) {
  const uri = `${base(accountSid)}/Conferences/${c.sid}`;
  return {
    account_sid: accountSid,
    date_created: rfc2822(c.dateCreated),
    date_updated: rfc2822(c.dateUpdated),
    api_version: '2010-04-01',
    friendly_name: c.friendlyName,
    region: 'us1',
    sid: c.sid,
    status: c.status,
    uri: `${uri}.json`,
    subresource_uris: { participants: `${uri}/Participants.json`, recordings: `${uri}/Recordings.json` },
    reason_conference_ended: c.reasonEnded,
    call_sid_ending_conference: c.callSidEndingConference,
  };
}

export function participantJson(accountSid: string, c: SimConference, p: SimParticipant) {
  return {
    account_sid: accountSid,
    call_sid: p.callSid,
    label: p.label,
    call_sid_to_coach: p.callSidToCoach,
    coaching: p.coaching,
    conference_sid: c.sid,
    date_created: rfc2822(p.dateCreated),
    date_updated: rfc2822(p.dateUpdated),
    end_conference_on_exit: p.endConferenceOnExit,
    muted: p.muted,
    hold: p.hold,
    start_conference_on_enter: p.startConferenceOnEnter,
    status: p.status,
    queue_time: null,
    uri: `${base(accountSid)}/Conferences/${c.sid}/Participants/${p.callSid}.json`,
  };
}
