import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n.js';
import type { Disposition, WrapupRequest } from '../types.js';
import { useSecondsSince } from './StatusBar.js';
import { duration } from '../i18n.js';

const codes = (text: string) => text.split(/[,，\s]+/).map((c) => c.trim().toLowerCase()).filter(Boolean);

/**
 * Wrap-up cannot be skipped: the agent is in wrap-up until this is sent (the server will not offer
 * a call before). The disposition has the focus, so the whole form works from the keyboard.
 */
export function WrapupForm({ onSubmit }: { onSubmit: (w: WrapupRequest) => Promise<unknown> }) {
  const { t } = useI18n();
  const [disposition, setDisposition] = useState<Disposition | ''>('');
  const [reasons, setReasons] = useState('');
  const [products, setProducts] = useState('');
  const [notes, setNotes] = useState('');
  const [sending, setSending] = useState(false);
  const [startedAt] = useState(() => new Date().toISOString());
  const elapsed = useSecondsSince(startedAt);
  const first = useRef<HTMLSelectElement>(null);
  useEffect(() => first.current?.focus(), []);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!disposition) return;
    setSending(true);
    await onSubmit({ disposition, reason_codes: codes(reasons), products_discussed: codes(products), ...(notes.trim() ? { notes: notes.trim() } : {}) });
    setSending(false);
  };
  return (
    <form class="wrapup card" onSubmit={submit} aria-labelledby="wrapup-title" data-testid="wrapup">
      <h2 id="wrapup-title">{t.wrapup} <span class="muted">{duration(elapsed)}</span></h2>
      <p class="muted">{t.wrapupHint}</p>
      <label>{t.disposition}
        <select ref={first} required value={disposition} onChange={(e) => setDisposition((e.target as HTMLSelectElement).value as Disposition)}>
          <option value="">{t.choose}</option>
          {(Object.keys(t.labels.dispositions) as Disposition[]).map((d) => <option key={d} value={d}>{t.labels.dispositions[d]}</option>)}
        </select>
      </label>
      <label>{t.reasonCodes}
        <input value={reasons} pattern="[A-Za-z0-9_,，\s]*" onInput={(e) => setReasons((e.target as HTMLInputElement).value)} />
      </label>
      <label>{t.productsDiscussed}
        <input value={products} pattern="[A-Za-z0-9_,，\s]*" onInput={(e) => setProducts((e.target as HTMLInputElement).value)} />
      </label>
      <label>{t.notes}
        <textarea value={notes} maxLength={4000} rows={3} onInput={(e) => setNotes((e.target as HTMLTextAreaElement).value)} />
      </label>
      <button type="submit" class="primary" disabled={sending}>{t.submitWrapup}</button>
    </form>
  );
}
