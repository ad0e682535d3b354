import { useState } from 'preact/hooks';
import { call } from '../api.js';
import { useI18n } from '../i18n.js';
import type { RmTaskKind } from '../types.js';
import { RM_KINDS, RM_LABELS, rmErrorWords } from './rm-words.js';

/**
 * From a call, the agent books the caller's relationship manager a callback, a visit or a
 * retention task (POST /api/rm/tasks): a time that clashes with the RM's other tasks, or a caller
 * without an RM, is refused and said so.
 */
export function RmTaskForm({ interactionId }: { interactionId: string }) {
  const { t, lang } = useI18n();
  const w = RM_LABELS[lang];
  const [kind, setKind] = useState<RmTaskKind>('callback');
  const [due, setDue] = useState('');
  const [purpose, setPurpose] = useState('');
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = async () => {
    setResult(null);
    try {
      const task = await call('POST /api/rm/tasks', { body: { kind, interaction_id: interactionId, due_at: new Date(due).toISOString(), purpose } });
      setResult({ ok: true, text: `${w.booked}: ${w.kinds[task.kind]}` });
      setPurpose('');
    } catch (err) {
      setResult({ ok: false, text: rmErrorWords(lang, t, err) });
    }
  };
  return (
    <details class="card" data-testid="rm-task-form">
      <summary>{w.book}</summary>
      <form onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <label>{w.bookKind}{' '}
          <select value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as RmTaskKind)}>
            {RM_KINDS.map((k) => <option key={k} value={k}>{w.kinds[k]}</option>)}
          </select>
        </label>{' '}
        <label>{w.bookDue}{' '}<input type="datetime-local" required value={due} onInput={(e) => setDue((e.target as HTMLInputElement).value)} /></label>{' '}
        <label>{w.bookPurpose}{' '}<input required maxLength={500} value={purpose} onInput={(e) => setPurpose((e.target as HTMLInputElement).value)} /></label>{' '}
        <button type="submit">{w.bookSubmit}</button>
      </form>
      {result && <p class={result.ok ? 'muted' : 'error'} role={result.ok ? 'status' : 'alert'}>{result.text}</p>}
    </details>
  );
}
