import { useState } from 'preact/hooks';
import { call } from '../api.js';
import { useI18n } from '../i18n.js';
import type { CandidateSummary, Profile } from '../types.js';
import { TierBadge } from './ScreenPop.js';

/** Find a customer by phone, name or card last 4; opening one is a view the server audits. */
export function CustomerSearch({ onOpen }: { onOpen: (p: Profile) => void }) {
  const { t } = useI18n();
  const [phone, setPhone] = useState('');
  const [name, setName] = useState('');
  const [card, setCard] = useState('');
  const [results, setResults] = useState<CandidateSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const search = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const reply = await call('GET /api/customers/search', { query: { phone, name, card_last4: card, limit: 10 } });
      setResults(reply.results);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const open = async (id: number) => {
    try {
      onOpen(await call('GET /api/customers/:id/profile', { params: { id }, query: { purpose: 'search' } }));
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <section class="card search" aria-labelledby="search-title">
      <h3 id="search-title">{t.search}</h3>
      <form onSubmit={search}>
        <label>{t.searchPhone} <input type="tel" value={phone} onInput={(e) => setPhone((e.target as HTMLInputElement).value)} /></label>
        <label>{t.searchName} <input value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} /></label>
        <label>{t.searchCard} <input inputMode="numeric" pattern="[0-9]{4}" maxLength={4} value={card} onInput={(e) => setCard((e.target as HTMLInputElement).value)} /></label>
        <button type="submit">{t.doSearch}</button>
      </form>
      {error && <p role="alert" class="error">{error}</p>}
      {results && (results.length === 0 ? <p class="muted">{t.noResults}</p> : (
        <ul class="results" data-testid="search-results">
          {results.map((c) => (
            <li key={c.customer_id}>
              <button type="button" class="link" onClick={() => open(c.customer_id)}>
                {c.display_name} <TierBadge tier={c.tier} /> <span class="muted">{c.phone_masked ?? ''} {c.card_last4.map((l) => `*${l}`).join(' ')}</span>
              </button>
            </li>
          ))}
        </ul>
      ))}
    </section>
  );
}
