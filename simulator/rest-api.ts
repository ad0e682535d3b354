import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ensureConference, type LiveCall, type SimContext, type Step } from './context.js';
import { conferenceJson, memberJson, participantJson, queueJson, type SimConference, type SimParticipant, SimQueue } from './resources.js';
import { changeRecording, recordingJson, recordingWav, startRecording, type SimRecording } from './recordings.js';
import { startStream, streamJson, type SimStream } from './media-streams.js';
import { startTranscription, stopTranscription, transcriptionJson, type SimTranscription } from './transcriptions.js';
import type { FaultRequest, FormParams } from './types.js';
import { all, first, formatNumber, parseForm, rfc2822 } from './util.js';

const API = '/2010-04-01';

class TwilioError extends Error {
  constructor(readonly status: number, readonly code: number, message: string) { super(message); }
}

const notFound = (path: string) => new TwilioError(404, 20404, `The requested resource ${path} was not found`);

interface Reply { status: number; body: unknown }
type Handler = (m: string[], params: FormParams, path: string) => Reply;

const ok = (body: unknown): Reply => ({ status: 200, body });
const created = (body: unknown): Reply => ({ status: 201, body });

function required(params: FormParams, key: string, code: number, message: string): string {
  const v = first(params, key);
  if (v === undefined || v === '') throw new TwilioError(400, code, message);
  return v;
}

const FAULT_STATUSES = new Set([429, 500, 502, 503, 504]);
/** Twilio's error codes for the statuses a fault may answer. */
const FAULT_CODES: Record<number, [number, string]> = {
  429: [20429, 'Too Many Requests'], 500: [20500, 'Internal Server Error'], 502: [20500, 'Bad Gateway'], 503: [20503, 'Service Unavailable'], 504: [20504, 'Gateway Timeout'],
};

/** Switches a REST fault on (see Simulator.fail); a bad request is refused with an Error. */
export function setFault(ctx: SimContext, f: FaultRequest): void {
  const status = f.status ?? 503;
  if (!FAULT_STATUSES.has(status)) throw new Error(`simulator: a fault answers one of ${[...FAULT_STATUSES].join(', ')}`);
  if (!Number.isFinite(f.ms) || f.ms <= 0 || f.ms > 600_000) throw new Error('simulator: a fault lasts 1 ms to 10 minutes');
  ctx.fault = { status, until: Date.now() + f.ms, methods: f.methods?.length ? new Set(f.methods.map((m) => m.toUpperCase())) : null };
  ctx.log(`REST fault: ${status} for ${f.ms} ms${f.methods?.length ? ` (${f.methods.join(', ')})` : ''}`);
}

const bool = (v: string | undefined): boolean | undefined => (v === undefined ? undefined : v.toLowerCase() === 'true');

/** Twilio's REST resources for calls, queues and conferences: PascalCase forms in, snake_case JSON out. */
export function createRestRoutes(ctx: SimContext): FastifyPluginAsync {
  const accountBase = `${API}/Accounts/${ctx.accountSid}`;

  function callJson(c: LiveCall) {
    const uri = `${accountBase}/Calls/${c.sid}`;
    const duration = c.duration();
    return {
      sid: c.sid,
      date_created: rfc2822(c.dateCreated),
      date_updated: rfc2822(c.dateUpdated),
      parent_call_sid: c.parentCallSid,
      account_sid: ctx.accountSid,
      to: c.to,
      to_formatted: formatNumber(c.to),
      from: c.from,
      from_formatted: formatNumber(c.from),
      phone_number_sid: null,
      // The REST resource has no 'initiated': Twilio shows such a call as queued.
      status: c.status === 'initiated' ? 'queued' : c.status,
      start_time: c.startTime ? rfc2822(c.startTime) : null,
      end_time: c.endTime ? rfc2822(c.endTime) : null,
      duration: duration === null ? null : String(duration),
      price: null,
      price_unit: 'USD',
      direction: c.direction,
      answered_by: c.answeredBy,
      api_version: '2010-04-01',
      forwarded_from: null,
      group_sid: null,
      caller_name: null,
      queue_time: '0',
      trunk_sid: null,
      uri: `${uri}.json`,
      subresource_uris: {
        notifications: `${uri}/Notifications.json`, recordings: `${uri}/Recordings.json`, payments: `${uri}/Payments.json`,
        events: `${uri}/Events.json`, siprec: `${uri}/Siprec.json`, streams: `${uri}/Streams.json`,
        transcriptions: `${uri}/Transcriptions.json`, user_defined_message_subscriptions: `${uri}/UserDefinedMessageSubscriptions.json`,
        user_defined_messages: `${uri}/UserDefinedMessages.json`,
      },
    };
  }

  /** Twilio's page envelope; Page/PageSize are honoured, PageToken is not needed for these sizes. */
  function page<T>(key: string, path: string, params: FormParams, items: T[]): Reply {
    const pageSize = Math.min(1000, Math.max(1, Number(first(params, 'PageSize') ?? 50) || 50));
    const pageNo = Math.max(0, Number(first(params, 'Page') ?? 0) || 0);
    const slice = items.slice(pageNo * pageSize, (pageNo + 1) * pageSize);
    const uriFor = (n: number) => `${path}?PageSize=${pageSize}&Page=${n}`;
    return ok({
      [key]: slice,
      end: pageNo * pageSize + Math.max(0, slice.length - 1),
      first_page_uri: uriFor(0),
      next_page_uri: (pageNo + 1) * pageSize < items.length ? uriFor(pageNo + 1) : null,
      page: pageNo,
      page_size: pageSize,
      previous_page_uri: pageNo > 0 ? uriFor(pageNo - 1) : null,
      start: pageNo * pageSize,
      uri: uriFor(pageNo),
    });
  }

  const liveCall = (sid: string, path: string): LiveCall => {
    const call = ctx.calls.get(sid);
    if (!call) throw notFound(path);
    return call;
  };
  const queue = (sid: string, path: string): SimQueue => {
    const q = ctx.queues.get(sid);
    if (!q) throw notFound(path);
    return q;
  };
  /** Conferences are addressed by CF sid; creating a participant may also name a room, as on Twilio. */
  const conference = (sidOrName: string, path: string, create = false): SimConference => {
    const bySid = ctx.conferences.get(sidOrName);
    if (bySid) return bySid;
    if (!sidOrName.startsWith('CF')) {
      const byName = [...ctx.conferences.values()].find((c) => c.friendlyName === sidOrName && c.status !== 'completed');
      if (byName) return byName;
      if (create) return ensureConference(ctx, sidOrName);
    }
    throw notFound(path);
  };
  const participant = (conf: SimConference, sidOrLabel: string, path: string): SimParticipant => {
    const p = conf.participants.get(sidOrLabel) ?? [...conf.participants.values()].find((x) => x.label === sidOrLabel);
    if (!p) throw notFound(path);
    return p;
  };

  const docStep = (params: FormParams): Step | undefined => {
    const url = first(params, 'Url');
    const twiml = first(params, 'Twiml');
    if (url) return { kind: 'fetch', url, method: first(params, 'Method') ?? 'POST' };
    if (twiml) return { kind: 'twiml', xml: twiml };
    return undefined;
  };

  const statusCallbackOf = (params: FormParams) => {
    const url = first(params, 'StatusCallback');
    if (!url) return undefined;
    const events = all(params, 'StatusCallbackEvent').flatMap((e) => e.split(/[\s,]+/)).filter(Boolean);
    return { url, method: first(params, 'StatusCallbackMethod') ?? 'POST', events: events.length ? events : ['completed'] };
  };

  const routes: { method: string; pattern: RegExp; handle: Handler }[] = [];
  const route = (method: string, suffix: string, handle: Handler) => {
    const source = suffix.replace(/\./g, '\\.').replace(/:\w+/g, '([^/]+)');
    routes.push({ method, pattern: new RegExp(`^${API}/Accounts/([^/]+)${source}$`), handle });
  };

  // ---- Calls -----------------------------------------------------------------------------------

  route('POST', '/Calls.json', (_m, params) => {
    const to = required(params, 'To', 21201, "No 'To' number is specified");
    const from = required(params, 'From', 21213, "No 'From' number is specified");
    const firstStep = docStep(params);
    if (!firstStep) throw new TwilioError(400, 21205, 'Url parameter is required.');
    const machineDetection = first(params, 'MachineDetection');
    const asyncAmd = first(params, 'AsyncAmd') === 'true'
      ? { url: first(params, 'AsyncAmdStatusCallback'), method: first(params, 'AsyncAmdStatusCallbackMethod') ?? 'POST' }
      : undefined;
    const timeout = first(params, 'Timeout');
    const call = ctx.startOutbound({
      from, to, direction: 'outbound-api', first: firstStep, statusCallback: statusCallbackOf(params), defaultPeer: 'answer',
      ...(timeout ? { timeoutSeconds: Number(timeout) } : {}),
      ...(machineDetection ? { machineDetection } : {}),
      ...(asyncAmd ? { asyncAmd } : {}),
    });
    return created(callJson(call));
  });

  route('GET', '/Calls.json', (_m, params, path) => {
    const filters: [string, (c: LiveCall) => string | null][] = [['To', (c) => c.to], ['From', (c) => c.from], ['ParentCallSid', (c) => c.parentCallSid], ['Status', (c) => c.status]];
    const calls = [...ctx.calls.values()]
      .filter((c) => filters.every(([key, get]) => first(params, key) === undefined || get(c) === first(params, key)))
      .sort((a, b) => b.dateCreated.getTime() - a.dateCreated.getTime());
    return page('calls', path, params, calls.map(callJson));
  });

  route('GET', '/Calls/:Sid.json', (m, _p, path) => ok(callJson(liveCall(m[1] ?? '', path))));

  route('POST', '/Calls/:Sid.json', (m, params, path) => {
    const call = liveCall(m[1] ?? '', path);
    const status = first(params, 'Status');
    const step = docStep(params);
    if (status === 'completed' || status === 'canceled') {
      call.interrupt({ kind: 'end', status });
    } else if (step) {
      if (call.stateIs('ended')) throw new TwilioError(400, 21220, 'Call is not in-progress. Cannot redirect.');
      // A redirected caller leaves any queue it is in (QueueResult=redirected, handled by the player).
      for (const q of ctx.queues.values()) q.remove(call.sid);
      call.interrupt({ kind: 'redirect', to: step });
    }
    return ok(callJson(call));
  });

  // ---- Queues ----------------------------------------------------------------------------------

  route('GET', '/Queues.json', (_m, params, path) => page('queues', path, params, [...ctx.queues.values()].map((q) => queueJson(ctx.accountSid, q))));

  route('POST', '/Queues.json', (_m, params) => {
    const name = required(params, 'FriendlyName', 20001, 'Missing required parameter FriendlyName in the post body');
    const existing = [...ctx.queues.values()].find((q) => q.friendlyName === name);
    if (existing) throw new TwilioError(400, 22003, `A queue with friendly name ${name} already exists`);
    const q = new SimQueue(name, Number(first(params, 'MaxSize') ?? 100));
    ctx.queues.set(q.sid, q);
    return created(queueJson(ctx.accountSid, q));
  });

  route('GET', '/Queues/:QueueSid.json', (m, _p, path) => ok(queueJson(ctx.accountSid, queue(m[1] ?? '', path))));

  route('POST', '/Queues/:QueueSid.json', (m, params, path) => {
    const q = queue(m[1] ?? '', path);
    q.friendlyName = first(params, 'FriendlyName') ?? q.friendlyName;
    q.maxSize = Number(first(params, 'MaxSize') ?? q.maxSize);
    q.dateUpdated = new Date();
    return ok(queueJson(ctx.accountSid, q));
  });

  route('GET', '/Queues/:QueueSid/Members.json', (m, params, path) => {
    const q = queue(m[1] ?? '', path);
    return page('queue_members', path, params, q.members.map((e, i) => memberJson(ctx.accountSid, q, e, i + 1)));
  });

  const member = (q: SimQueue, callSid: string, path: string) => {
    const index = callSid === 'Front' ? 0 : q.members.findIndex((e) => e.member.sid === callSid);
    const entry = q.members[index];
    if (index < 0 || !entry) throw notFound(path);
    return { entry, position: index + 1 };
  };

  route('GET', '/Queues/:QueueSid/Members/:CallSid.json', (m, _p, path) => {
    const q = queue(m[1] ?? '', path);
    const { entry, position } = member(q, m[2] ?? '', path);
    return ok(memberJson(ctx.accountSid, q, entry, position));
  });

  route('POST', '/Queues/:QueueSid/Members/:CallSid.json', (m, params, path) => {
    const q = queue(m[1] ?? '', path);
    const { entry, position } = member(q, m[2] ?? '', path);
    const url = required(params, 'Url', 21205, 'Url parameter is required.');
    const body = memberJson(ctx.accountSid, q, entry, position);
    // Out of the queue at once, so a second dequeue of Front takes the next caller.
    q.remove(entry.member.sid);
    ctx.calls.get(entry.member.sid)?.interrupt({ kind: 'redirect', to: { kind: 'fetch', url, method: first(params, 'Method') ?? 'POST' } });
    return ok(body);
  });

  // ---- Conferences -----------------------------------------------------------------------------

  route('GET', '/Conferences.json', (_m, params, path) => {
    const name = first(params, 'FriendlyName');
    const status = first(params, 'Status');
    const confs = [...ctx.conferences.values()].filter((c) => (!name || c.friendlyName === name) && (!status || c.status === status));
    return page('conferences', path, params, confs.map((c) => conferenceJson(ctx.accountSid, c)));
  });

  route('GET', '/Conferences/:ConferenceSid.json', (m, _p, path) => ok(conferenceJson(ctx.accountSid, conference(m[1] ?? '', path))));

  route('POST', '/Conferences/:ConferenceSid.json', (m, params, path) => {
    const conf = conference(m[1] ?? '', path);
    if (first(params, 'Status') === 'completed' && conf.status !== 'completed') {
      conf.status = 'completed';
      conf.reasonEnded = 'conference-ended-via-api';
      for (const p of [...conf.participants.values()]) p.remove?.('conference ended via API');
    }
    return ok(conferenceJson(ctx.accountSid, conf));
  });

  route('GET', '/Conferences/:ConferenceSid/Participants.json', (m, params, path) => {
    const conf = conference(m[1] ?? '', path);
    const want = (key: string, actual: boolean) => first(params, key) === undefined || bool(first(params, key)) === actual;
    const list = [...conf.participants.values()].filter((p) => want('Muted', p.muted) && want('Hold', p.hold) && want('Coaching', p.coaching));
    return page('participants', path, params, list.map((p) => participantJson(ctx.accountSid, conf, p)));
  });

  route('POST', '/Conferences/:ConferenceSid/Participants.json', (m, params, path) => {
    const conf = conference(m[1] ?? '', path, true);
    const from = required(params, 'From', 21213, "No 'From' number is specified");
    const to = required(params, 'To', 21201, "No 'To' number is specified");
    const p = {
      muted: bool(first(params, 'Muted')) ?? false,
      coaching: bool(first(params, 'Coaching')) ?? false,
      callSidToCoach: first(params, 'CallSidToCoach') ?? null,
      startConferenceOnEnter: bool(first(params, 'StartConferenceOnEnter')) ?? true,
      endConferenceOnExit: bool(first(params, 'EndConferenceOnExit')) ?? false,
    };
    // The new leg runs ordinary TwiML: once answered it <Dial>s into the room, like Twilio's own participant legs.
    const attrs = [
      `muted="${p.muted}"`, `startConferenceOnEnter="${p.startConferenceOnEnter}"`, `endConferenceOnExit="${p.endConferenceOnExit}"`,
      `beep="${escapeXml(first(params, 'Beep') ?? 'true')}"`,
      ...(p.coaching && p.callSidToCoach ? [`coach="${escapeXml(p.callSidToCoach)}"`] : []),
      ...(first(params, 'ConferenceStatusCallback') ? [`statusCallback="${escapeXml(first(params, 'ConferenceStatusCallback') ?? '')}"`] : []),
    ].join(' ');
    const timeout = first(params, 'Timeout');
    const amdUrl = first(params, 'MachineDetection') ? first(params, 'AmdStatusCallback') : undefined;
    const call = ctx.startOutbound({
      from, to, direction: 'outbound-api', defaultPeer: 'answer', statusCallback: statusCallbackOf(params),
      first: { kind: 'twiml', xml: `<Response><Dial><Conference ${attrs}>${escapeXml(conf.friendlyName)}</Conference></Dial></Response>` },
      ...(timeout ? { timeoutSeconds: Number(timeout) } : {}),
      ...(amdUrl ? { amdBeforeJoin: { url: amdUrl, method: first(params, 'AmdStatusCallbackMethod') ?? 'POST' } } : {}),
    });
    const now = new Date();
    const record: SimParticipant = { callSid: call.sid, label: first(params, 'Label') ?? null, hold: false, status: 'queued', dateCreated: now, dateUpdated: now, ...p };
    conf.participants.set(call.sid, record);
    // A leg that is never answered never joins: drop its placeholder when the call ends outside the room.
    void call.done.then(() => { if (record.status === 'queued') conf.participants.delete(call.sid); });
    return created(participantJson(ctx.accountSid, conf, record));
  });

  route('GET', '/Conferences/:ConferenceSid/Participants/:CallSid.json', (m, _p, path) => {
    const conf = conference(m[1] ?? '', path);
    return ok(participantJson(ctx.accountSid, conf, participant(conf, m[2] ?? '', path)));
  });

  route('POST', '/Conferences/:ConferenceSid/Participants/:CallSid.json', (m, params, path) => {
    const conf = conference(m[1] ?? '', path);
    const p = participant(conf, m[2] ?? '', path);
    const changes: string[] = [];
    const flag = (key: string, apply: (v: boolean) => void, label: (v: boolean) => string) => {
      const v = bool(first(params, key));
      if (v === undefined) return;
      apply(v);
      changes.push(label(v));
    };
    flag('Hold', (v) => { p.hold = v; }, (v) => (v ? 'on hold' : 'off hold'));
    flag('Muted', (v) => { p.muted = v; }, (v) => (v ? 'muted' : 'unmuted'));
    flag('Coaching', (v) => { p.coaching = v; }, (v) => (v ? 'coaching' : 'not coaching'));
    const holdUrl = first(params, 'HoldUrl');
    if (holdUrl) p.holdUrl = holdUrl;
    const coach = first(params, 'CallSidToCoach');
    if (coach) { p.callSidToCoach = coach; changes.push(`coaching ${coach}`); }
    if (changes.length) {
      p.dateUpdated = new Date();
      ctx.calls.get(p.callSid)?.annotate(`conference "${conf.friendlyName}": ${changes.join(', ')}`);
    }
    return ok(participantJson(ctx.accountSid, conf, p));
  });

  route('DELETE', '/Conferences/:ConferenceSid/Participants/:CallSid.json', (m, _p, path) => {
    const conf = conference(m[1] ?? '', path);
    const p = participant(conf, m[2] ?? '', path);
    if (p.remove) p.remove('kicked');
    else ctx.calls.get(p.callSid)?.interrupt({ kind: 'end', status: 'canceled' });
    return { status: 204, body: null };
  });

  // ---- Recordings (of calls, started by REST; read, paused, resumed, stopped and deleted through the call, its conference or the account) ----

  const recording = (sid: string, path: string, where: (r: SimRecording) => boolean = () => true): SimRecording => {
    const r = ctx.recordings.get(sid);
    if (!r || !where(r)) throw notFound(path);
    return r;
  };
  const newestFirst = (list: SimRecording[]) => list.sort((a, b) => b.dateCreated.getTime() - a.dateCreated.getTime());

  route('POST', '/Calls/:CallSid/Recordings.json', (m, params, path) => {
    const call = liveCall(m[1] ?? '', path);
    if (call.status !== 'in-progress') throw new TwilioError(400, 21220, 'Requested resource is not eligible for recording');
    const channels = first(params, 'RecordingChannels') === 'dual' ? 2 : 1;
    const track = first(params, 'RecordingTrack');
    const url = first(params, 'RecordingStatusCallback');
    const events = all(params, 'RecordingStatusCallbackEvent').flatMap((e) => e.split(/[\s,]+/)).filter(Boolean);
    const r = startRecording(ctx, call, {
      channels, track: track === 'inbound' || track === 'outbound' ? track : 'both',
      ...(url ? { callback: { url, method: first(params, 'RecordingStatusCallbackMethod') ?? 'POST', events: events.length ? events : ['completed'] } } : {}),
    });
    return created(recordingJson(ctx.accountSid, r, 'call'));
  });

  route('GET', '/Calls/:CallSid/Recordings.json', (m, params, path) => {
    const list = newestFirst([...ctx.recordings.values()].filter((r) => r.callSid === m[1]));
    return page('recordings', path, params, list.map((r) => recordingJson(ctx.accountSid, r, 'call')));
  });

  /** Status=paused | in-progress | stopped on a live recording; Twilio.CURRENT names the call's one recording in progress. */
  const updateRecording = (r: SimRecording, params: FormParams) => {
    const status = required(params, 'Status', 20001, 'Missing required parameter Status in the post body');
    if (status !== 'paused' && status !== 'in-progress' && status !== 'stopped') throw new TwilioError(400, 21220, `Invalid status ${status}`);
    if (r.status !== 'in-progress' && r.status !== 'paused') throw new TwilioError(400, 21220, 'Recording is not in-progress or paused');
    changeRecording(ctx, r, status, first(params, 'PauseBehavior'));
  };
  const byCall = (callSid: string, sid: string, path: string) => {
    if (sid === 'Twilio.CURRENT') {
      const current = newestFirst([...ctx.recordings.values()].filter((r) => r.callSid === callSid && (r.status === 'in-progress' || r.status === 'paused')))[0];
      if (!current) throw notFound(path);
      return current;
    }
    return recording(sid, path, (r) => r.callSid === callSid);
  };

  route('GET', '/Calls/:CallSid/Recordings/:Sid.json', (m, _p, path) => ok(recordingJson(ctx.accountSid, byCall(m[1] ?? '', m[2] ?? '', path), 'call')));
  route('POST', '/Calls/:CallSid/Recordings/:Sid.json', (m, params, path) => {
    const r = byCall(m[1] ?? '', m[2] ?? '', path);
    updateRecording(r, params);
    return ok(recordingJson(ctx.accountSid, r, 'call'));
  });
  route('DELETE', '/Calls/:CallSid/Recordings/:Sid.json', (m, _p, path) => {
    ctx.recordings.delete(byCall(m[1] ?? '', m[2] ?? '', path).sid);
    return { status: 204, body: null };
  });

  route('GET', '/Conferences/:ConferenceSid/Recordings.json', (m, params, path) => {
    const list = newestFirst([...ctx.recordings.values()].filter((r) => r.conferenceSid === m[1]));
    return page('recordings', path, params, list.map((r) => recordingJson(ctx.accountSid, r, 'conference')));
  });
  const byConference = (m: string[], path: string) => recording(m[2] ?? '', path, (r) => r.conferenceSid === m[1]);
  route('GET', '/Conferences/:ConferenceSid/Recordings/:Sid.json', (m, _p, path) => ok(recordingJson(ctx.accountSid, byConference(m, path), 'conference')));
  route('POST', '/Conferences/:ConferenceSid/Recordings/:Sid.json', (m, params, path) => {
    const r = byConference(m, path);
    updateRecording(r, params);
    return ok(recordingJson(ctx.accountSid, r, 'conference'));
  });
  route('DELETE', '/Conferences/:ConferenceSid/Recordings/:Sid.json', (m, _p, path) => {
    ctx.recordings.delete(byConference(m, path).sid);
    return { status: 204, body: null };
  });

  route('GET', '/Recordings.json', (_m, params, path) => {
    const list = newestFirst([...ctx.recordings.values()].filter((r) => (first(params, 'CallSid') ?? r.callSid) === r.callSid && (first(params, 'ConferenceSid') ?? r.conferenceSid) === r.conferenceSid));
    return page('recordings', path, params, list.map((r) => recordingJson(ctx.accountSid, r, 'account')));
  });
  route('GET', '/Recordings/:Sid.json', (m, _p, path) => ok(recordingJson(ctx.accountSid, recording(m[1] ?? '', path), 'account')));
  route('DELETE', '/Recordings/:Sid.json', (m, _p, path) => {
    ctx.recordings.delete(recording(m[1] ?? '', path).sid);
    return { status: 204, body: null };
  });

  // ---- Media streams (started and stopped by REST; the audio goes out over a WebSocket) ----------

  const TRACKS = new Set(['inbound_track', 'outbound_track', 'both_tracks']);
  /** A stream's or a transcription's stop (Status=stopped): it is addressed by its sid, or by the name it runs under. */
  const toStop = <T extends { sid: string; name: string | null; callSid: string; status: string }>(items: Map<string, T>, m: string[], params: FormParams, path: string): T => {
    const [callSid = '', key = ''] = m.slice(1);
    const found = [...items.values()].find((x) => x.callSid === callSid && (x.sid === key || (x.name === key && x.status === 'in-progress')));
    if (!found) throw notFound(path);
    if (required(params, 'Status', 20001, 'Missing required parameter Status in the post body') !== 'stopped') throw new TwilioError(400, 21232, 'Status must be stopped');
    return found;
  };
  route('POST', '/Calls/:CallSid/Streams.json', (m, params, path) => {
    const call = liveCall(m[1] ?? '', path);
    if (call.status !== 'in-progress') throw new TwilioError(400, 21220, 'Call is not in-progress. Cannot start a Stream.');
    const url = required(params, 'Url', 20001, 'Missing required parameter Url in the post body');
    // Twilio takes wss only; the simulator also takes ws, for a server on this machine without TLS.
    if (!/^wss?:\/\//.test(url)) throw new TwilioError(400, 31922, 'Stream URL must use the wss scheme');
    const track = first(params, 'Track') ?? 'inbound_track';
    if (!TRACKS.has(track)) throw new TwilioError(400, 21232, `Invalid Track ${track}`);
    const name = first(params, 'Name') ?? null;
    if (name && [...ctx.streams.values()].some((s) => s.callSid === call.sid && s.name === name && s.status === 'in-progress')) throw new TwilioError(400, 31940, `A Stream named ${name} is already running on this call`);
    const custom: Record<string, string> = {};
    for (let i = 1; i <= 99; i++) {
      const key = first(params, `Parameter${i}.Name`);
      if (key) custom[key] = first(params, `Parameter${i}.Value`) ?? '';
    }
    const s = startStream(ctx, call, { url, name, track: track as SimStream['track'], params: custom, voice: () => call.talkPattern() });
    // 200, not 201: the Streams resource is the one create Twilio's description answers with OK.
    return ok(streamJson(ctx.accountSid, s));
  });
  route('POST', '/Calls/:CallSid/Streams/:Sid.json', (m, params, path) => {
    const s = toStop(ctx.streams, m, params, path);
    s.stop();
    s.status = 'stopped';
    s.dateUpdated = new Date();
    return ok(streamJson(ctx.accountSid, s));
  });

  // ---- Real-time transcriptions (started and stopped by REST; the words come to StatusCallbackUrl) ----

  route('POST', '/Calls/:CallSid/Transcriptions.json', (m, params, path) => {
    const call = liveCall(m[1] ?? '', path);
    if (call.status !== 'in-progress') throw new TwilioError(400, 21220, 'Call is not in-progress. Cannot start a Transcription.');
    const track = first(params, 'Track') ?? 'both_tracks';
    if (!TRACKS.has(track)) throw new TwilioError(400, 21232, `Invalid Track ${track}`);
    const url = first(params, 'StatusCallbackUrl');
    const t = startTranscription(ctx, call, {
      name: first(params, 'Name') ?? null, track: track as SimTranscription['track'], languageCode: first(params, 'LanguageCode') ?? 'en-US',
      partialResults: bool(first(params, 'PartialResults')) ?? false, callback: url ? { url, method: first(params, 'StatusCallbackMethod') ?? 'POST' } : null,
    });
    return ok(transcriptionJson(ctx.accountSid, t));
  });
  route('POST', '/Calls/:CallSid/Transcriptions/:Sid.json', (m, params, path) => {
    const t = toStop(ctx.transcriptions, m, params, path);
    stopTranscription(ctx, t);
    return ok(transcriptionJson(ctx.accountSid, t));
  });

  /** The media file (GET .../Recordings/{Sid}.wav): the account's Basic auth, as with HTTP auth on media enforced. */
  const MEDIA = new RegExp(`^${API}/Accounts/([^/]+)/Recordings/(RE[0-9a-f]{32})\\.wav$`);
  function media(request: FastifyRequest, reply: FastifyReply, path: string): FastifyReply | null {
    const m = MEDIA.exec(path);
    if (!m || request.method !== 'GET') return null;
    try {
      authenticate(request);
    } catch {
      return reply.code(401).send({ code: 20003, message: 'Authenticate', status: 401 });
    }
    const r = m[1] === ctx.accountSid ? ctx.recordings.get(m[2] ?? '') : undefined;
    if (!r || r.status !== 'completed') return reply.code(404).send({ code: 20404, message: `The requested resource ${path} was not found`, status: 404 });
    ctx.log(`REST GET ${path} -> 200 (media)`);
    return reply.type('audio/x-wav').send(recordingWav(r));
  }

  function authenticate(request: FastifyRequest): void {
    const auth = request.headers.authorization ?? '';
    const [user, ...rest] = Buffer.from(auth.replace(/^Basic\s+/i, ''), 'base64').toString('utf8').split(':');
    if (!/^Basic\s+/i.test(auth) || user !== ctx.accountSid || rest.join(':') !== ctx.authToken) {
      throw new TwilioError(401, 20003, 'Authenticate');
    }
  }

  /** The fault switched on, if it applies to this request now. */
  function faultFor(method: string): TwilioError | null {
    const f = ctx.fault;
    if (!f) return null;
    if (Date.now() >= f.until) {
      ctx.fault = null;
      return null;
    }
    if (f.methods && !f.methods.has(method)) return null;
    const [code, message] = FAULT_CODES[f.status]!;
    return new TwilioError(f.status, code, message);
  }

  function dispatch(request: FastifyRequest, path: string, params: FormParams): Reply {
    authenticate(request);
    const fault = faultFor(request.method);
    if (fault) throw fault;
    const candidates = routes.map((r) => ({ r, m: r.pattern.exec(path) })).filter((x) => x.m !== null);
    if (candidates.length === 0) throw notFound(path);
    const hit = candidates.find((x) => x.r.method === request.method);
    if (!hit || !hit.m) throw new TwilioError(405, 20004, 'Method not allowed');
    if (hit.m[1] !== ctx.accountSid) throw notFound(path);
    return hit.r.handle(hit.m.slice(1), params, path);
  }

  return async (app) => {
    // Twilio's form bodies, repeated keys kept as arrays; only in this plugin's scope.
    if (app.hasContentTypeParser('application/x-www-form-urlencoded')) app.removeContentTypeParser('application/x-www-form-urlencoded');
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, parseForm(body as string)));

    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const [rawPath = '', query = ''] = request.url.split('?');
      const path = rawPath.slice(Math.max(0, rawPath.indexOf(`${API}/`)));
      const served = media(request, reply, path);
      if (served) return served;
      const params: FormParams = request.method === 'GET' || request.method === 'DELETE'
        ? parseForm(query)
        : typeof request.body === 'object' && request.body !== null ? (request.body as FormParams) : {};
      let result: Reply;
      try {
        result = dispatch(request, path, params);
      } catch (err) {
        if (!(err instanceof TwilioError)) ctx.log(`REST ${request.method} ${path} failed: ${(err as Error).stack ?? String(err)}`);
        const e = err instanceof TwilioError ? err : new TwilioError(500, 20500, 'Internal Server Error');
        result = { status: e.status, body: { code: e.code, message: e.message, more_info: `https://www.twilio.com/docs/errors/${e.code}`, status: e.status } };
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(request.headers)) if (typeof v === 'string' && k !== 'authorization') headers[k] = v;
      ctx.exchanges.push({ kind: 'rest', method: request.method, url: request.url, path, params, headers, status: result.status, body: result.body });
      ctx.log(`REST ${request.method} ${path} -> ${result.status}`);
      reply.code(result.status);
      if (result.body === null) return reply.send();
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(result.body));
    };
    app.route({ method: ['GET', 'POST', 'DELETE'], url: `${API}/*`, handler });

    // The fault switch, outside Twilio's API: tests (and anyone holding the account's credentials) make the REST API fail for a while.
    const refuse = (reply: FastifyReply, status: number, code: number, message: string) => reply.code(status).send({ code, message, status });
    app.post('/sim/faults', async (request, reply) => {
      try {
        authenticate(request);
      } catch {
        return refuse(reply, 401, 20003, 'Authenticate');
      }
      const body = (request.body ?? {}) as FaultRequest;
      try {
        setFault(ctx, { ms: Number(body.ms), status: body.status, methods: Array.isArray(body.methods) ? body.methods : undefined });
      } catch (err) {
        return refuse(reply, 400, 21000, (err as Error).message);
      }
      return { status: ctx.fault!.status, until: new Date(ctx.fault!.until).toISOString() };
    });
    app.delete('/sim/faults', async (request, reply) => {
      try {
        authenticate(request);
      } catch {
        return refuse(reply, 401, 20003, 'Authenticate');
      }
      ctx.fault = null;
      return reply.code(204).send();
    });
  };
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
