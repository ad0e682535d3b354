import twilio from 'twilio';
import type { IvrAction, Lang } from '../../../ivr/engine.js';

const { VoiceResponse } = twilio.twiml;

// <Say> takes cmn-CN for Mandarin (not zh-CN, which is a <Gather> speech code); Polly voices
// exist for both languages on every Twilio account.
const SAY: Record<Lang, { language: 'cmn-CN' | 'en-US'; voice: 'Polly.Zhiyu' | 'Polly.Joanna' }> = {
  zh: { language: 'cmn-CN', voice: 'Polly.Zhiyu' },
  en: { language: 'en-US', voice: 'Polly.Joanna' },
};

export interface WebhookUrls {
  /** `secret`: the keys are a secret (a PIN): the URL says so, so whoever records webhooks (the simulator) keeps no copy of them. */
  gather: (step: number, secret: boolean) => string;
  queueWait: string;
  queueExit: (step: number) => string;
  queueKey: string;
  conferenceExit: (entryId: string, step: number) => string;
  conferenceStatus: (entryId: string) => string;
}

type Sayable = { say: (attrs: object, text: string) => unknown; play: (attrs: object, url: string) => unknown; pause: (attrs: object) => unknown };

function speak(target: Sayable, a: Extract<IvrAction, { type: 'say' | 'play' | 'pause' }>): void {
  if (a.type === 'say') target.say(SAY[a.lang], a.text);
  else if (a.type === 'play') target.play({}, a.url);
  else target.pause({ length: a.seconds });
}

/**
 * Renders the IVR's neutral actions as TwiML. The prompts before a gather go inside it, so a
 * caller who knows the menu can key ahead; an empty gather posts back (actionOnEmptyResult) so
 * the IVR itself decides what a timeout means.
 */
export function renderTurn(actions: IvrAction[], step: number, urls: WebhookUrls): string {
  const response = new VoiceResponse();
  let prompts: Extract<IvrAction, { type: 'say' | 'play' | 'pause' }>[] = [];
  for (const a of actions) {
    switch (a.type) {
      case 'say': case 'play': case 'pause':
        prompts.push(a);
        break;
      case 'gather': {
        const gather = response.gather({
          input: ['dtmf'], action: urls.gather(step, a.secret), method: 'POST', timeout: a.timeoutSeconds, actionOnEmptyResult: true,
          ...(a.numDigits ? { numDigits: a.numDigits } : {}), finishOnKey: a.finishOnKey ?? '',
        });
        for (const p of prompts) speak(gather, p);
        prompts = [];
        break;
      }
      default:
        for (const p of prompts) speak(response, p);
        prompts = [];
        if (a.type === 'enqueue') response.enqueue({ waitUrl: urls.queueWait, waitUrlMethod: 'POST', action: urls.queueExit(step), method: 'POST' }, a.skill);
        else if (a.type === 'dial') response.dial({ timeout: 30 }, a.number);
        else response.hangup();
    }
  }
  for (const p of prompts) speak(response, p);
  return response.toString();
}

const WAITING: Record<Lang, (position: number, minutes: number | null) => string> = {
  zh: (p, m) => `您前面还有${Math.max(0, p - 1)}位客户，${m === null ? '客服代表将尽快为您服务' : `预计等待约${m}分钟`}。如需预约回电，请按1，我们会保留您的排队位置。`,
  en: (p, m) => `You are number ${p} in line; ${m === null ? 'an agent will be with you as soon as possible' : `the estimated wait is about ${m} minute${m === 1 ? '' : 's'}`}. To have us call you back without losing your place, press 1.`,
};

/**
 * The waitUrl document: position, estimated wait (null when no agent is staffed to estimate
 * from) and the callback offer, then hold music; Twilio loops it, so callers hear it at each round.
 */
export function renderWaiting(lang: Lang, position: number, estimatedSeconds: number | null, urls: WebhookUrls, holdMusicUrl: string): string {
  const response = new VoiceResponse();
  const gather = response.gather({ input: ['dtmf'], numDigits: 1, timeout: 1, action: urls.queueKey, method: 'POST' });
  gather.say(SAY[lang], WAITING[lang](position, estimatedSeconds === null ? null : Math.max(1, Math.ceil(estimatedSeconds / 60))));
  response.play({}, holdMusicUrl);
  return response.toString();
}

const CONNECTING: Record<Lang, string> = { zh: '正在为您接通客服代表。', en: 'Connecting you to an agent.' };

/**
 * The caller joins the call's own conference (a supervisor or the RM can join it later). The
 * caller's leaving ends it; the <Dial> action then lets the IVR go on (the survey).
 */
export function renderConnect(lang: Lang, conference: string, urls: { exit: string; status: string }, holdMusicUrl: string): string {
  const response = new VoiceResponse();
  response.say(SAY[lang], CONNECTING[lang]);
  const dial = response.dial({ action: urls.exit, method: 'POST' });
  dial.conference({
    startConferenceOnEnter: true, endConferenceOnExit: true, beep: 'false', waitUrl: holdMusicUrl, waitMethod: 'GET',
    statusCallback: urls.status, statusCallbackMethod: 'POST', statusCallbackEvent: ['start', 'end', 'join', 'leave'],
  }, conference);
  return response.toString();
}

/** A person answered a campaign call and no agent is free yet: a second's silence, then ask again. */
export function renderCampaignWait(again: string): string {
  const response = new VoiceResponse();
  response.pause({ length: 1 });
  response.redirect({ method: 'POST' }, again);
  return response.toString();
}

/** A message, then hang up: a campaign's voicemail, or who called to a person left without an agent. */
export function renderSayHangup(lang: Lang, text: string): string {
  const response = new VoiceResponse();
  response.say(SAY[lang], text);
  response.hangup();
  return response.toString();
}

export const renderLeave = () => { const r = new VoiceResponse(); r.leave(); return r.toString(); };
export const renderHangup = () => { const r = new VoiceResponse(); r.hangup(); return r.toString(); };
export const renderEmpty = () => new VoiceResponse().toString();
