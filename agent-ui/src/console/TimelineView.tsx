import { useEffect, useState } from 'preact/hooks';
import { call } from '../api.js';
import { bankTime } from '../bank-time.js';
import { useI18n, word } from '../i18n.js';
import { stepLabel } from '../ivr-words.js';
import type { TimelineReply } from '../types.js';

/** One interaction's append-only event timeline (opening it is audited by the server). */
export function TimelineView({ interactionId }: { interactionId: string }) {
  const { t, lang } = useI18n();
  const [data, setData] = useState<TimelineReply | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    call('GET /api/interactions/:id/timeline', { params: { id: interactionId } }).then(setData, (e: Error) => setError(e.message));
  }, [interactionId]);
  if (error) return <p role="alert" class="error">{t.error}: {error}</p>;
  if (!data) return <p class="muted">…</p>;
  const i = data.interaction;
  return (
    <div class="timeline-detail" data-testid="timeline-detail">
      <p class="muted">
        {word(t.labels.outcomes, i.outcome)} · {word(t.labels.dispositions, i.disposition)}{i.reason_codes.length ? <> · <span data-verbatim>{i.reason_codes.join(', ')}</span></> : ''}{i.notes ? <> · <span data-verbatim>“{i.notes}”</span></> : ''}
      </p>
      <ol>
        {data.events.map((e) => <li key={e.id}><time dateTime={e.at}>{bankTime(e.at, true)}</time> {word(t.events, e.type)}{e.node ? ` (${stepLabel(e.node, lang)})` : ''}</li>)}
      </ol>
    </div>
  );
}
