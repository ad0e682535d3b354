import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n.js';
import type { CampaignPop, Disposition, WrapupRequest } from '../types.js';
import { useSecondsSince } from './StatusBar.js';
import { duration } from '../i18n.js';

const codes = (text: string) => text.split(/[,，\s]+/).map((c) => c.trim().toLowerCase()).filter(Boolean);

/** What an inbound (hotline) call can be wrapped up as; a campaign call offers its campaign's own list. */
export const HOTLINE_DISPOSITIONS = ['resolved', 'follow_up', 'escalated', 'complaint_logged', 'sale', 'information_only', 'transferred', 'no_action'] as const satisfies readonly Disposition[];

/** A `datetime-local` value (the agent's local time, to the minute) for an instant. */
const localInput = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

/**
 * Wrap-up cannot be skipped: the agent is in wrap-up until this is sent (the server will not offer
 * a call before). The disposition has the focus, so the whole form works from the keyboard.
 * A campaign call is wrapped up with one of the campaign's dispositions; "call back" needs the time.
 */
export function WrapupForm({ campaign, onSubmit }: { campaign?: CampaignPop | null; onSubmit: (w: WrapupRequest) => Promise<unknown> }) {
  const { t } = useI18n();
  const [disposition, setDisposition] = useState<Disposition | ''>('');
  const [callbackAt, setCallbackAt] = useState('');
  const [reasons, setReasons] = useState('');
  const [products, setProducts] = useState('');
  const [notes, setNotes] = useState('');
  const [sending, setSending] = useState(false);
  const [startedAt] = useState(() => new Date().toISOString());
  const elapsed = useSecondsSince(startedAt);
  const first = useRef<HTMLSelectElement>(null);
  const when = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  const choices = (campaign ? campaign.dispositions : HOTLINE_DISPOSITIONS) as readonly Disposition[];
  const callback = disposition === 'callback';

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!disposition) return;
    let callback_at: string | undefined;
    if (callback) {
      const at = new Date(callbackAt);
      // The browser checks `min` only as of when the page drew it: check again as sent.
      if (Number.isNaN(at.getTime()) || at.getTime() <= Date.now()) {
        when.current?.setCustomValidity(t.callbackFuture);
        when.current?.reportValidity();
        return;
      }
      callback_at = at.toISOString();
    }
    setSending(true);
    await onSubmit({
      disposition, reason_codes: codes(reasons), products_discussed: codes(products),
      ...(callback_at ? { callback_at } : {}), ...(notes.trim() ? { notes: notes.trim() } : {}),
    });
    setSending(false);
  };
  return (
    <form class="wrapup card" onSubmit={submit} aria-labelledby="wrapup-title" data-testid="wrapup">
      <h2 id="wrapup-title">{t.wrapup} <span class="muted">{duration(elapsed)}</span></h2>
      <p class="muted">{t.wrapupHint}</p>
      {campaign && <p data-testid="wrapup-campaign">{t.campaign}: {campaign.name}</p>}
      <label>{t.disposition}
        <select ref={first} required value={disposition} onChange={(e) => setDisposition((e.target as HTMLSelectElement).value as Disposition)}>
          <option value="">{t.choose}</option>
          {choices.map((d) => <option key={d} value={d}>{t.labels.dispositions[d] ?? d}</option>)}
        </select>
      </label>
      {callback && (
        <label>{t.callbackAt}
          <input ref={when} type="datetime-local" required min={localInput(new Date())} value={callbackAt}
            onInput={(e) => { const input = e.target as HTMLInputElement; input.setCustomValidity(''); setCallbackAt(input.value); }} />
        </label>
      )}
      {disposition === 'do_not_call' && <p class="muted" role="note">{t.dncHint}</p>}
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
