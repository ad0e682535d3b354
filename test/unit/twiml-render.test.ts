import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { renderTurn, renderWaiting, type WebhookUrls } from '../../server/modules/telephony/twiml.js';

const urls: WebhookUrls = {
  gather: (step, secret) => `https://bank.example/twilio/voice/gather?step=${step}${secret ? '&secret=1' : ''}`,
  queueWait: 'https://bank.example/twilio/voice/queue-wait',
  queueExit: (step) => `https://bank.example/twilio/voice/queue-exit?step=${step}`,
  queueKey: 'https://bank.example/twilio/voice/queue-key',
  conferenceExit: (entry, step) => `https://bank.example/twilio/voice/conference-exit?entry=${entry}&step=${step}`,
  conferenceStatus: (entry) => `https://bank.example/twilio/voice/conference-status?entry=${entry}`,
};

describe('TwiML for the IVR actions', () => {
  it('puts the menu prompt inside the Gather so callers can key ahead, and posts back on silence', () => {
    const xml = renderTurn([
      { type: 'say', text: '普通话请按1', lang: 'zh' },
      { type: 'say', text: 'For English press 2', lang: 'en' },
      { type: 'gather', numDigits: 1, timeoutSeconds: 5, secret: false },
    ], 3, urls);
    expect(xml).toMatch(/<Gather [^>]*action="https:\/\/bank\.example\/twilio\/voice\/gather\?step=3"[^>]*>.*<Say language="cmn-CN"[^>]*>普通话请按1<\/Say><Say language="en-US"[^>]*>For English press 2<\/Say><\/Gather>/);
    expect(xml).toContain('actionOnEmptyResult="true"');
    expect(xml).toContain('numDigits="1"');
  });

  it('queues with the wait and exit URLs of the step, after the greeting', () => {
    const xml = renderTurn([
      { type: 'say', text: '王先生，您好', lang: 'zh' },
      { type: 'enqueue', skill: 'private_banking', tier: 'PRIVATE', priority: 0, lang: 'zh', customerId: 1 },
    ], 4, urls);
    expect(xml).toMatch(/<Say[^>]*>王先生，您好<\/Say><Enqueue waitUrl="https:\/\/bank\.example\/twilio\/voice\/queue-wait"[^>]*action="https:\/\/bank\.example\/twilio\/voice\/queue-exit\?step=4"[^>]*>private_banking<\/Enqueue>/);
  });

  it('tells a waiting caller their place and wait in their language, with the callback offer for the whole wait', () => {
    const waiting = renderWaiting('en', 3, 150, urls, 'https://bank.example/hold.mp3', true);
    // The hold music is inside the gather: the callback key works while it plays.
    expect(waiting).toMatch(/<Gather[^>]*>.*number 3 in line.*about 3 minutes.*press 1.*<Play>https:\/\/bank\.example\/hold\.mp3<\/Play><\/Gather>/s);
    expect(renderWaiting('zh', 2, 20, urls, 'https://bank.example/hold.mp3', true)).toContain('预计等待约20秒');
    expect(renderWaiting('zh', 2, 20, urls, 'https://bank.example/hold.mp3', false)).not.toContain('按1');
    // An agent is free for them: no talk of waiting at all.
    const now = renderWaiting('zh', 1, 0, urls, 'https://bank.example/hold.mp3', true);
    expect(now).toContain('客服代表马上为您服务');
    expect(now).not.toContain('预计等待');
  });

  it('says a read-out whole, before the gather, and only the asking prompt inside it', () => {
    const xml = renderTurn([
      { type: 'say', text: '余额为 100.00 元。', lang: 'zh', whole: true },
      { type: 'say', text: '返回主菜单请按1', lang: 'zh' },
      { type: 'gather', numDigits: 1, timeoutSeconds: 6, secret: false },
    ], 2, urls);
    expect(xml).toMatch(/^<\?xml[^>]*><Response><Say[^>]*>余额为 100.00 元。<\/Say><Gather[^>]*><Say[^>]*>返回主菜单请按1<\/Say><\/Gather>/);
  });
});

describe('Twilio configuration', () => {
  it('refuses an account SID without its auth token', () => {
    expect(() => loadConfig({ TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}` })).toThrow(/TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN/);
    expect(() => loadConfig({ HOTLINE_NUMBERS: '4008895555=hotline' })).toThrow(/HOTLINE_NUMBERS/);
  });

  it('requires the public URL with real Twilio, whose signatures cover it', () => {
    const account = { TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'a'.repeat(32) };
    expect(() => loadConfig(account)).toThrow(/PUBLIC_URL: required/);
    expect(loadConfig({ ...account, PUBLIC_URL: 'https://cc.bank.example' }).PUBLIC_URL).toBe('https://cc.bank.example');
  });
});
