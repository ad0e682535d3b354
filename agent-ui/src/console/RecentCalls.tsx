import { useEffect, useState } from 'preact/hooks';
import { call } from '../api.js';
import { dateTime, duration, useI18n } from '../i18n.js';
import type { Interaction } from '../types.js';
import { TimelineView } from './TimelineView.js';

/** The agent's own last calls (refreshed after each wrap-up), each opening to its timeline. */
export function RecentCalls({ version }: { version: number }) {
  const { t } = useI18n();
  const [calls, setCalls] = useState<Interaction[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  useEffect(() => {
    call('GET /api/interactions', { query: { mine: true, limit: 10 } }).then((r) => setCalls(r.interactions), () => undefined);
  }, [version]);
  return (
    <section class="card" aria-labelledby="my-calls-title" data-testid="my-calls">
      <h3 id="my-calls-title">{t.myCalls}</h3>
      {calls.length === 0 ? <p class="muted">{t.none}</p> : (
        <ul class="timeline">
          {calls.map((c) => (
            <li key={c.id}>
              <button type="button" class="link" aria-expanded={open === c.id} onClick={() => setOpen(open === c.id ? null : c.id)}>
                {dateTime(c.started_at)} · {c.ani_masked ?? '–'} · {c.duration_s !== null ? duration(c.duration_s) : '–'} · {c.disposition ? t.labels.dispositions[c.disposition as keyof typeof t.labels.dispositions] ?? c.disposition : '–'}
              </button>
              {open === c.id && <TimelineView interactionId={c.id} />}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
