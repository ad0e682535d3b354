import { useEffect, useState } from 'preact/hooks';
import { bankTime } from './bank-time.js';
import { en, zh, type Dict } from './words.js';

export { percent, word, type Dict } from './words.js';
export type Lang = 'zh' | 'en';

const DICTS: Record<Lang, Dict> = { en, zh };
const KEY = 'switchboard.lang';
const listeners = new Set<(l: Lang) => void>();

let current: Lang = (localStorage.getItem(KEY) as Lang | null) ?? (navigator.language.startsWith('zh') ? 'zh' : 'en');

export function setLang(lang: Lang): void {
  current = lang;
  localStorage.setItem(KEY, lang);
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const l of listeners) l(lang);
}

/** The dictionary of the chosen language; the component re-renders when it changes. */
export function useI18n(): { t: Dict; lang: Lang; toggle: () => void } {
  const [lang, set] = useState(current);
  useEffect(() => {
    listeners.add(set);
    return () => void listeners.delete(set);
  }, []);
  return { t: DICTS[lang], lang, toggle: () => setLang(lang === 'zh' ? 'en' : 'zh') };
}

export const money = (n: number, currency = 'CNY') =>
  new Intl.NumberFormat(current === 'zh' ? 'zh-CN' : 'en-GB', { style: 'currency', currency, maximumFractionDigits: 0 }).format(n);
/** An instant on the bank's clock, in the one format of every screen (see bank-time.ts). */
export const dateTime = (iso: string) => bankTime(iso);
/** A refusal as a person reads it: our words for its code (the server's message when we have none), and the code. */
export function errorWords(t: Dict, err: unknown): string {
  const { code, message } = (err ?? {}) as { code?: string; message?: string };
  if (!code) return String(message ?? err);
  return `${t.errors[code as keyof Dict['errors']] ?? message ?? code} (${code})`;
}
export const duration = (seconds: number) => {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};
