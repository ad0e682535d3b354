import { useEffect, useState } from 'preact/hooks';
import { call } from '../api.js';
import { dateTime, errorWords, useI18n, word } from '../i18n.js';
import type { Task } from '../types.js';
import { RM_LABELS, rmErrorWords } from '../rm/rm-words.js';

const REFRESH_MS = 30_000;

/**
 * The agent's open tasks, soonest due first: follow-ups from their wrap-ups and the feedback
 * contact owed after a case of theirs is resolved, which records the customer's satisfaction.
 */
export function Tasks({ version }: { version: number }) {
  const { t, lang } = useI18n();
  const [calling, setCalling] = useState<Record<string, boolean>>({});
  const [tasks, setTasks] = useState<Task[]>([]);
  const [scores, setScores] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const load = () => call('GET /api/tasks', { query: { mine: true, state: 'open', limit: 20 } }).then((r) => setTasks(r.tasks), () => undefined);
  useEffect(() => {
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => clearInterval(timer);
  }, [version]);
  const complete = async (task: Task) => {
    setError(null);
    try {
      const score = scores[task.id];
      await call('POST /api/tasks/:id/complete', { params: { id: task.id }, body: task.kind === 'feedback' ? { satisfaction: Number(score) } : {} });
      await load();
    } catch (err) {
      setError(errorWords(t, err));
    }
  };
  // Done by calling the customer: a callback on the outbound path, offered to this agent first.
  const callClient = async (task: Task) => {
    setError(null);
    try {
      await call('POST /api/tasks/:id/call', { params: { id: task.id } });
      setCalling({ ...calling, [task.id]: true });
    } catch (err) {
      setError(rmErrorWords(lang, t, err));
    }
  };
  return (
    <section class="card" aria-label={t.tasksTitle} data-testid="tasks">
      <h3>{t.tasksTitle}</h3>
      {error && <p class="error" role="alert">{error}</p>}
      {tasks.length === 0 ? <p class="muted">{t.none}</p> : (
        <ul>
          {tasks.map((task) => (
            <li key={task.id} data-testid={`task-${task.id}`}>
              <strong>{t.taskKinds[task.kind]}</strong>{task.case_no ? ` · ${task.case_no}` : ''} · {word(t.taskReasons, task.reason)}{' '}
              <span class="muted">{t.slaDue} {dateTime(task.due_at)}</span>
              {(task.kind === 'feedback' || task.kind === 'callback') && task.customer_id !== null && (
                <button type="button" disabled={calling[task.id]} onClick={() => void callClient(task)}>{calling[task.id] ? RM_LABELS[lang].calling : RM_LABELS[lang].callClient}</button>
              )}
              <form onSubmit={(e) => { e.preventDefault(); void complete(task); }}>
                {task.kind === 'feedback' && (
                  <label>{t.satisfaction}
                    <select required value={scores[task.id] ?? ''} onChange={(e) => setScores({ ...scores, [task.id]: (e.target as HTMLSelectElement).value })}>
                      <option value="">{t.choose}</option>
                      {[5, 4, 3, 2, 1].map((n) => <option key={n} value={String(n)}>{t.scores[n - 1]}</option>)}
                    </select>
                  </label>
                )}
                <button type="submit">{task.kind === 'feedback' ? t.recordFeedback : t.taskDone}</button>
              </form>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
