import { useState } from 'preact/hooks';
import { call } from '../api.js';
import { errorWords, useI18n } from '../i18n.js';
import type { CaseCategory, CaseCreate, CaseKind, Severity } from '../types.js';

const KINDS: CaseKind[] = ['complaint', 'suggestion', 'service_request'];
const CATEGORIES: CaseCategory[] = ['service', 'fees', 'card', 'card_loss', 'loan', 'deposit', 'wealth_missale', 'ebanking', 'other'];
const SEVERITIES: Severity[] = ['low', 'medium', 'high', 'critical'];
const codes = (text: string) => text.split(/[,，\s]+/).map((c) => c.trim()).filter(Boolean);

/**
 * Opens a case on the call in progress (POST /api/cases with the call's interaction): while the
 * customer is still on the line, so the agent can give them the case number. A wrap-up of
 * "complaint logged" needs the complaint opened here first.
 */
export function CaseForm({ customerId, interactionId }: { customerId: number; interactionId: string }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [kind, setKind] = useState<CaseKind>('complaint');
  const [category, setCategory] = useState<CaseCategory>('service');
  const [severity, setSeverity] = useState<Severity>('medium');
  const [summary, setSummary] = useState('');
  const [description, setDescription] = useState('');
  const [products, setProducts] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [opened, setOpened] = useState<string | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setSending(true);
    setError(null);
    try {
      const body: CaseCreate = {
        customer_id: customerId, interaction_id: interactionId, kind, category, severity, summary: summary.trim(), products: codes(products),
        ...(description.trim() ? { description: description.trim() } : {}),
      };
      const made = await call('POST /api/cases', { body });
      setOpened(made.case_no);
      setOpen(false);
      setSummary('');
      setDescription('');
      setProducts('');
    } catch (err) {
      setError(errorWords(t, err));
    } finally {
      setSending(false);
    }
  };

  return (
    <section class="card case-form" aria-label={t.caseTitle} data-testid="case-form">
      {opened && <p role="status" data-testid="case-opened">{t.caseOpened(opened)}</p>}
      {!open ? <button type="button" onClick={() => setOpen(true)} data-testid="open-case">{t.caseTitle}</button> : (
        <form onSubmit={submit}>
          <h3>{t.caseTitle}</h3>
          <label>{t.caseKind}
            <select value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as CaseKind)}>
              {KINDS.map((k) => <option key={k} value={k}>{t.labels.caseKinds[k]}</option>)}
            </select>
          </label>
          <label>{t.caseCategory}
            <select value={category} onChange={(e) => setCategory((e.target as HTMLSelectElement).value as CaseCategory)}>
              {CATEGORIES.map((c) => <option key={c} value={c}>{t.labels.caseCategories[c]}</option>)}
            </select>
          </label>
          <label>{t.caseSeverity}
            <select value={severity} onChange={(e) => setSeverity((e.target as HTMLSelectElement).value as Severity)}>
              {SEVERITIES.map((v) => <option key={v} value={v}>{t.labels.severities[v]}</option>)}
            </select>
          </label>
          <label>{t.caseSummary}
            <input required maxLength={200} value={summary} onInput={(e) => setSummary((e.target as HTMLInputElement).value)} />
          </label>
          <label>{t.caseDescription}
            <textarea maxLength={4000} rows={3} value={description} onInput={(e) => setDescription((e.target as HTMLTextAreaElement).value)} />
          </label>
          <label>{t.caseProducts}
            <input value={products} pattern="[A-Za-z0-9_\-,，\s]*" onInput={(e) => setProducts((e.target as HTMLInputElement).value)} />
          </label>
          {error && <p class="error" role="alert" data-testid="case-error">{error}</p>}
          <button type="submit" class="primary" disabled={sending}>{t.caseSubmit}</button>{' '}
          <button type="button" onClick={() => setOpen(false)}>{t.close}</button>
        </form>
      )}
    </section>
  );
}
