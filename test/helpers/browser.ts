import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { TestApp } from './test-app.js';

export const ARTIFACTS = 'test-artifacts';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Debian's headless Chromium, as CI installs it. */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--autoplay-policy=no-user-gesture-required'],
  });
}

/** A fresh browser profile (its own session storage) with the console in English. */
export async function newPage(browser: Browser, baseURL: string): Promise<Page> {
  const context = await browser.newContext({ baseURL, locale: 'en-GB', viewport: { width: 1400, height: 1000 } });
  await context.addInitScript(() => localStorage.setItem('switchboard.lang', 'en'));
  return context.newPage();
}

/**
 * The frame of a browser test file: the app `start` gives (listening: the built-in simulator plays
 * Twilio), one Chromium, and `open()` for a fresh profile on the app, closed after each test.
 */
export function chromiumOn(start: () => Promise<TestApp>): { open: () => Promise<Page> } {
  let app: TestApp | undefined;
  let browser: Browser | undefined;
  const pages: Page[] = [];
  beforeAll(async () => {
    app = await start();
    browser = await launchChromium();
  });
  afterEach(async () => {
    for (const p of pages.splice(0)) await p.context().close();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });
  return {
    open: async () => {
      const page = await newPage(browser!, app!.app.telephony.publicUrl());
      pages.push(page);
      return page;
    },
  };
}

/** Signs in on the console's login form (by keyboard, as an agent would). */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.keyboard.press('Enter');
  await page.getByTestId('connection').filter({ hasText: 'Connected' }).waitFor();
}

/** Every button, input, select and textarea on the page that has no accessible name. */
export async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const missing: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('button, input, select, textarea')) {
      const labelled = (el as HTMLInputElement).labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')
        || (el.tagName === 'BUTTON' && el.textContent?.trim());
      if (!labelled) missing.push(el.outerHTML.slice(0, 120));
    }
    return missing;
  });
}

export const text = (page: Page, testId: string) => page.getByTestId(testId).innerText();

export async function pressKeys(phone: Page, keys: string) {
  for (const k of keys) await phone.getByRole('button', { name: `Keypad ${k}`, exact: true }).click();
}

/** Dials the hotline from the simulator page and asks for an agent: Mandarin (1), then 0. */
export async function dialForAgent(phone: Page, from: string): Promise<void> {
  await phone.goto('/simulator');
  await phone.getByLabel('Calling from').fill(from);
  await phone.getByRole('button', { name: 'Call', exact: true }).click();
  await phone.getByTestId('transcript').filter({ hasText: 'For English, press 2' }).waitFor();
  await pressKeys(phone, '1');
  await phone.getByTestId('transcript').filter({ hasText: '人工服务请按0' }).waitFor();
  await pressKeys(phone, '0');
  await phone.getByTestId('sim-state').filter({ hasText: 'queued' }).waitFor({ timeout: 10_000 });
}

export async function goAvailable(page: Page) {
  // A console that just closed leaves its agent available until the presence lease lapses.
  await page.getByTestId('agent-state').filter({ hasText: /\d:\d\d/ }).waitFor();
  if (!(await text(page, 'agent-state')).startsWith('Available')) await page.getByRole('button', { name: 'Available', exact: true }).click();
  await page.getByTestId('agent-state').filter({ hasText: 'Available' }).waitFor();
}

/** What reads like an internal code rather than words: snake_case (`lease_expired`, `queue_general`). */
export const RAW_CODE = /\b[a-z]+_[a-z_]+\b/g;

/**
 * The visible text under `selector` that matches RAW_CODE, each with a little context. Text people
 * typed themselves (marked `data-verbatim`, such as an agent's reason codes) is theirs, so skipped.
 */
export async function rawCodes(page: Page, selector = 'body'): Promise<string[]> {
  return page.evaluate(({ selector, source }) => {
    const found: string[] = [];
    for (const root of document.querySelectorAll<HTMLElement>(selector)) {
      // innerText is what is shown (hidden parts left out); the verbatim parts are taken out of it.
      let text = root.innerText;
      for (const v of root.querySelectorAll<HTMLElement>('[data-verbatim]')) text = text.replace(v.innerText, ' ');
      for (const m of text.matchAll(new RegExp(source, 'g'))) found.push(text.slice(Math.max(0, m.index - 30), m.index + m[0].length + 30).replace(/\s+/g, ' '));
    }
    return found;
  }, { selector, source: RAW_CODE.source });
}

/** Fails the test when a screen (or a part of it) shows a raw code instead of words. */
export async function expectNoRawCodes(page: Page, selector = 'body'): Promise<void> {
  await page.locator(selector).first().waitFor();
  expect(await rawCodes(page, selector), `raw codes shown in ${selector}`).toEqual([]);
}

/**
 * The badges under `selector` whose text and background contrast less than WCAG AA (4.5:1), from
 * their computed colours (a transparent background is the nearest ancestor's).
 */
export async function lowContrast(page: Page, selector: string): Promise<{ text: string; ratio: number }[]> {
  return page.evaluate((selector) => {
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r, g, b]: number[]) => {
      const lin = (v: number) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(b!);
    };
    const background = (el: Element | null): number[] => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length >= 3 && (c.length < 4 || c[3]! > 0)) return c;
      }
      return [255, 255, 255];
    };
    const out: { text: string; ratio: number }[] = [];
    for (const el of document.querySelectorAll<HTMLElement>(selector)) {
      if (!el.innerText.trim()) continue;
      const [a, b] = [luminance(rgb(getComputedStyle(el).color)), luminance(background(el))];
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      out.push({ text: el.innerText.trim(), ratio: Math.round(ratio * 100) / 100 });
    }
    return out.filter((x) => x.ratio < 4.5);
  }, selector);
}
