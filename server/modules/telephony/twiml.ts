import twilio from 'twilio';
import type { IvrAction, Lang } from '../../../ivr/engine.js';

const { VoiceResponse } = twilio.twiml;

// <Say> takes cmn-CN for Mandarin (not zh-CN, which is a <Gather> speech code); Polly voices
// exist for both languages on every Twilio account.
const SAY: Record<Lang, { language: 'cmn-CN' | 'en-US'; voice: 'Polly.Zhiyu' | 'Polly.Joanna' }> = {
  zh: { language: 'cmn-CN', voice: 'Polly.Zhiyu' },
  en: { language: 'en-US', voice: 'Polly.Joanna' },
};

// <Gather> speech codes: Mandarin is cmn-Hans-CN (zh-CN in older docs; the SDK's list has only the new code), not <Say>'s cmn-CN; the phone-call models are tuned for 8 kHz lines.
const SPEECH: Record<Lang, { language: 'cmn-Hans-CN' | 'en-US'; speechModel: 'default' | 'phone_call' }> = {
  zh: { language: 'cmn-Hans-CN', speechModel: 'default' },
  en: { language: 'en-US', speechModel: 'phone_call' },
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
        // Up to the last read-out said whole, prompts play before the gather (keys pressed then are
        // dropped, as Twilio drops DTMF outside a Gather); the asking prompt after it goes inside.
        const split = prompts.reduce((at, p, i) => (p.type === 'say' && p.whole ? i + 1 : at), 0);
        for (const p of prompts.slice(0, split)) speak(response, p);
        // A gather that listens for words too ends when the caller stops speaking (speechTimeout auto).
        const speech = a.speech && !a.secret
          ? { input: ['dtmf', 'speech'] as ('dtmf' | 'speech')[], ...SPEECH[a.speech.lang], hints: a.speech.hints.join(', '), speechTimeout: 'auto' }
          : { input: ['dtmf'] as ('dtmf' | 'speech')[] };
        const gather = response.gather({
          ...speech, action: urls.gather(step, a.secret), method: 'POST', timeout: a.timeoutSeconds, actionOnEmptyResult: true,
          ...(a.numDigits ? { numDigits: a.numDigits } : {}), finishOnKey: a.finishOnKey ?? '',
        });
        for (const p of prompts.slice(split)) speak(gather, p);
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

/** How a wait is said: in seconds under a minute (to the nearest 5), else in minutes. */
function spokenWait(seconds: number, lang: Lang): string {
  if (seconds < 60) {
    const s = Math.max(5, Math.round(seconds / 5) * 5);
    return lang === 'zh' ? `预计等待约${s}秒` : `the estimated wait is about ${s} seconds`;
  }
  const m = Math.round(seconds / 60);
  return lang === 'zh' ? `预计等待约${m}分钟` : `the estimated wait is about ${m} minute${m === 1 ? '' : 's'}`;
}

const WAITING: Record<Lang, (position: number, seconds: number | null, callback: boolean) => string> = {
  zh: (p, s, cb) => `您前面还有${Math.max(0, p - 1)}位客户，${s === null ? '客服代表将尽快为您服务' : spokenWait(s, 'zh')}。${cb ? '如需预约回电，请按1，我们会保留您的排队位置。' : ''}`,
  en: (p, s, cb) => `You are number ${p} in line; ${s === null ? 'an agent will be with you as soon as possible' : spokenWait(s, 'en')}.${cb ? ' To have us call you back without losing your place, press 1.' : ''}`,
};
const ALMOST: Record<Lang, string> = { zh: '客服代表马上为您服务，请稍候。', en: 'An agent will be with you in a moment, please hold.' };

/**
 * The waitUrl document: position and the wait still ahead (null when no agent is at work to
 * estimate from; 0 when an agent is free for the caller, who then hears no wait at all), the
 * callback offer to callers whose number can be called back, and hold music. The music is inside
 * the gather, so the callback key works for the whole wait, not only during the announcement.
 * Twilio loops the document, so callers hear it at each round.
 */
export function renderWaiting(lang: Lang, position: number, estimatedSeconds: number | null, urls: WebhookUrls, holdMusicUrl: string, offerCallback: boolean): string {
  const response = new VoiceResponse();
  const gather = response.gather({ input: ['dtmf'], numDigits: 1, timeout: 1, action: urls.queueKey, method: 'POST' });
  gather.say(SAY[lang], estimatedSeconds === 0 ? ALMOST[lang] : WAITING[lang](position, estimatedSeconds, offerCallback));
  gather.play({}, holdMusicUrl);
  return response.toString();
}

const NO_CALLBACK: Record<Lang, string> = {
  zh: '对不起，您的来电号码未显示，我们无法为您回电。我们会保留您的排队位置，请稍候。',
  en: 'Sorry, your number is withheld, so we cannot call you back. You keep your place in line; please hold.',
};

/** A caller whose number cannot be called back pressed the callback key: they hear why, and stay in line. */
export function renderNoCallback(lang: Lang): string {
  const response = new VoiceResponse();
  response.say(SAY[lang], NO_CALLBACK[lang]);
  return response.toString();
}

const CONNECTING: Record<Lang, string> = { zh: '正在为您接通客服代表。', en: 'Connecting you to an agent.' };

/**
 * The caller joins the call's own conference (a supervisor or a colleague can join it later). The
 * caller's leaving ends it; the <Dial> action then lets the IVR go on (the survey). `intro` is
 * said first (a callback says who is calling).
 */
export function renderConnect(lang: Lang, conference: string, urls: { exit: string; status: string }, holdMusicUrl: string, intro?: string): string {
  const response = new VoiceResponse();
  if (intro) response.say(SAY[lang], intro);
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

/** A message, then hang up: a voicemail, or who called to a person left without an agent. */
export function renderSayHangup(lang: Lang, text: string): string {
  const response = new VoiceResponse();
  response.say(SAY[lang], text);
  response.hangup();
  return response.toString();
}

export const renderLeave = () => { const r = new VoiceResponse(); r.leave(); return r.toString(); };
export const renderHangup = () => { const r = new VoiceResponse(); r.hangup(); return r.toString(); };
export const renderEmpty = () => new VoiceResponse().toString();
