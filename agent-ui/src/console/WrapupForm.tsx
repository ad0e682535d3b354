import { useEffect, useRef, useState } from 'preact/hooks';
import { bankInput, fromBankInput } from '../bank-time.js';
import { duration, errorWords, useI18n } from '../i18n.js';
import type { CampaignPop, Disposition, WrapupRequest } from '../types.js';
import { useSecondsSince } from './StatusBar.js';
import type { WrapupDraft } from './wrapup-draft.js';

const codes = (text: string) => text.split(/[,，\s]+/).map((c) => c.trim().toLowerCase()).filter(Boolean);

/**
 * What an inbound (hotline) call can be wrapped up as; a campaign call offers its campaign's own list.
 * `callback` books a callback at a time (the server checks the queue's hours and the customer's
 * calling window); `do_not_call` puts the number on the register.
 */
export const HOTLINE_DISPOSITIONS = [
  'resolved', 'follow_up', 'escalated', 'complaint_logged', 'sale', 'information_only', 'transferred', 'no_action', 'callback', 'do_not_call',
] as const satisfies readonly Disposition[];

/**
 * Wrap-up cannot be skipped: the agent is in wrap-up until this is sent (the server will not offer
 * a call before). The disposition has the focus, so the whole form works from the keyboard.
 * A campaign call is wrapped up with one of the campaign's dispositions; "call back" needs the time,
 * on the bank's clock. `onSubmit` rejects with the server's coded refusal, shown here in words.
 */
export function WrapupForm({ campaign, draft, onSubmit }: { campaign?: CampaignPop | null; draft?: WrapupDraft | null; onSubmit: (w: WrapupRequest) => Promise<unknown> }) {
  const { t } = useI18n();
  const [disposition, setDisposition] = useState<Disposition | ''>('');
  const [callbackAt, setCallbackAt] = useState('');
  const [toMe, setToMe] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // A call with a live transcript starts from its draft: the agent checks it, nothing is sent unseen.
  const [reasons, setReasons] = useState(draft?.reasons ?? '');
  const [products, setProducts] = useState(draft?.products ?? '');
  const [notes, setNotes] = useState(draft?.notes ?? '');
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
      const at = fromBankInput(callbackAt);
      // The browser checks `min` only as of when the page drew it: check again as sent.
      if (!at || at.getTime() <= Date.now()) {
        when.current?.setCustomValidity(t.callbackFuture);
        when.current?.reportValidity();
        return;
      }
      callback_at = at.toISOString();
    }
    setSending(true);
    setError(null);
    try {
      await onSubmit({
        disposition, reason_codes: codes(reasons), products_discussed: codes(products),
        ...(callback_at ? { callback_at } : {}), ...(callback_at && !campaign && toMe ? { callback_to_me: true } : {}),
        ...(notes.trim() ? { notes: notes.trim() } : {}),
      });
    } catch (err) {
      setError(errorWords(t, err));
    } finally {
      setSending(false);
    }
  };
  return (
    <form class="wrapup card" onSubmit={submit} aria-labelledby="wrapup-title" data-testid="wrapup">
      <h2 id="wrapup-title">{t.wrapup} <span class="muted">{duration(elapsed)}</span></h2>
      <p class="muted">{t.wrapupHint}</p>
      {draft && <p class="badge" role="note" data-testid="wrapup-draft">{t.draftHint}</p>}
      {campaign && <p data-testid="wrapup-campaign">{t.campaign}: {campaign.name}</p>}
      <label>{t.disposition}
        <select ref={first} required value={disposition} onChange={(e) => setDisposition((e.target as HTMLSelectElement).value as Disposition)}>
          <option value="">{t.choose}</option>
          {choices.map((d) => <option key={d} value={d}>{t.labels.dispositions[d] ?? d}</option>)}
        </select>
      </label>
      {callback && (
        <>
          <label>{t.callbackAt}
            <input ref={when} type="datetime-local" required min={bankInput(new Date()).slice(0, 16)} value={callbackAt} aria-describedby="callback-hint"
              onInput={(e) => { const input = e.target as HTMLInputElement; input.setCustomValidity(''); setCallbackAt(input.value); }} />
          </label>
          <p class="muted" id="callback-hint">{t.callbackHint}</p>
          {!campaign && (
            <label class="check"><input type="checkbox" checked={toMe} onChange={(e) => setToMe((e.target as HTMLInputElement).checked)} /> {t.callbackToMe}</label>
          )}
        </>
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
      {error && <p class="error" role="alert" data-testid="wrapup-error">{error}</p>}
      <button type="submit" class="primary" disabled={sending}>{t.submitWrapup}</button>
    </form>
  );
}
