import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, call } from '../api.js';
import { useI18n } from '../i18n.js';
import type { CampaignPop, PreviewCustomer, Profile } from '../types.js';

/** A preview-mode customer held for this agent: they read the pop and the script, then dial or skip. */
export interface Preview {
  attempt_id: string;
  campaign: CampaignPop;
  customer_id: number | null;
  profile: Profile | null;
  /** Dialled: the call comes to the agent as `call:assigned` once the customer answers. */
  dialing: boolean;
}

const KEY = 'switchboard.preview';

/**
 * The preview survives a reload (the server holds the agent reserved for it, but has no way to hand
 * it back): kept in the tab's session storage like the login, without the profile, which is fetched
 * again as an audited view.
 */
export const previewStore = {
  load(): Omit<Preview, 'profile'> | null {
    return JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Omit<Preview, 'profile'> | null;
  },
  save(p: Preview | null) {
    if (!p) return sessionStorage.removeItem(KEY);
    const { profile: _profile, ...kept } = p;
    sessionStorage.setItem(KEY, JSON.stringify(kept));
  },
};

export const previewOf = (reply: PreviewCustomer): Preview => ({
  attempt_id: reply.attempt_id, campaign: reply.campaign, customer_id: reply.profile?.customer_id ?? null, profile: reply.profile ?? null, dialing: false,
});

/** "Next preview customer": asks the server for the next customer due in a preview campaign of the agent's skills. */
export function PreviewControl({ onPreview }: { onPreview: (p: Preview) => void }) {
  const { t } = useI18n();
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const next = async () => {
    setMessage(null);
    setBusy(true);
    try {
      onPreview(previewOf(await call('POST /api/campaigns/preview/next')));
    } catch (err) {
      setMessage(err instanceof ApiError && err.code === 'SB_ERR_PREVIEW_NONE' ? t.previewNone : `${(err as ApiError).code ?? ''} ${(err as Error).message}`.trim());
    }
    setBusy(false);
  };
  return (
    <section class="card preview-control" aria-labelledby="preview-title" data-testid="preview-control">
      <h3 id="preview-title">{t.previewTitle}</h3>
      <button type="button" disabled={busy} onClick={next}>{t.previewNext}</button>
      {message && <p class="muted" role="status" data-testid="preview-message">{message}</p>}
    </section>
  );
}

/** The previewed customer's call to make: Dial (with the focus) or Skip; then "dialling" until they answer. */
export function PreviewCard({ preview, onDial, onSkip }: { preview: Preview; onDial: () => Promise<unknown>; onSkip: () => Promise<unknown> }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const dialRef = useRef<HTMLButtonElement>(null);
  useEffect(() => dialRef.current?.focus(), [preview.attempt_id]);
  const run = (action: () => Promise<unknown>) => async () => {
    setBusy(true);
    await action();
    setBusy(false);
  };
  const name = preview.profile?.identity.display_name ?? '…';
  return (
    <section class="preview" aria-labelledby="preview-card-title" data-testid="preview">
      <h2 id="preview-card-title">{t.previewTitle}: <span data-testid="preview-name">{name}</span> <span class="muted">· {preview.campaign.name}</span></h2>
      {preview.dialing ? (
        <p class="call-status" role="status" data-testid="preview-dialing"><strong>{t.dialing}</strong></p>
      ) : (
        <>
          <p class="muted">{t.previewHint}</p>
          <div class="actions">
            <button type="button" ref={dialRef} class="primary" disabled={busy} onClick={run(onDial)}>{t.dialCustomer}</button>
            <button type="button" disabled={busy} onClick={run(onSkip)}>{t.skip}</button>
          </div>
        </>
      )}
    </section>
  );
}
