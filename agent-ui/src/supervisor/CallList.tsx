import { useEffect, useRef, useState } from 'preact/hooks';
import { upload, call, type Body } from '../api.js';
import { dateTime, type Dict } from '../i18n.js';
import type { Campaign, CampaignEntry, ListResult, ProductLine, Segment } from '../types.js';
import { errorText, outcomeName, reasonName, useCampaignWords, type CampaignWords } from './campaign-words.js';

const PRODUCT_LINES: readonly ProductLine[] = ['time_deposit', 'loan', 'mortgage', 'credit_card', 'fund', 'insurance', 'wealth', 'ebanking', 'international'];
const ENTRY_STATES = ['pending', 'dialing', 'done', 'excluded'] as const;
const PAGE = 50;

interface SegmentFields { tiers: string[]; holds: ProductLine[]; not_holds: ProductLine[]; churn: '' | 'yes' | 'no'; regions: string; last_contact_before: string }
const NO_SEGMENT: SegmentFields = { tiers: [], holds: [], not_holds: [], churn: '', regions: '', last_contact_before: '' };

/** Only what the supervisor chose: an empty criterion is no criterion (the server's limit stays its default). */
function toSegment(s: SegmentFields): Omit<Segment, 'limit'> {
  const regions = s.regions.split(/[,，]/).map((r) => r.trim()).filter(Boolean);
  return {
    ...(s.tiers.length ? { tiers: s.tiers } : {}),
    ...(s.holds.length ? { holds: s.holds } : {}),
    ...(s.not_holds.length ? { not_holds: s.not_holds } : {}),
    ...(s.churn ? { churn_risk: s.churn === 'yes' } : {}),
    ...(regions.length ? { regions } : {}),
    ...(s.last_contact_before ? { last_contact_before: s.last_contact_before } : {}),
  };
}

const chosen = (e: Event) => [...(e.currentTarget as HTMLSelectElement).selectedOptions].map((o) => o.value as ProductLine);

/**
 * A campaign's call list: add a segment or an uploaded CSV (scrubbed and deduplicated by the
 * server, which says what it added, skipped and excluded, and which CSV lines were bad), and a
 * page of the list as it stands. `pulse` changes when the campaign's progress does: the page is read again.
 * Keyed by the campaign: another campaign starts afresh.
 */
export function CallList({ campaign, pulse, onAdded }: { campaign: Campaign; pulse: string; onAdded: () => void }) {
  const { t, w } = useCampaignWords();
  const [segment, setSegment] = useState<SegmentFields>(NO_SEGMENT);
  const [result, setResult] = useState<{ source: string; r: ListResult } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const file = useRef<HTMLInputElement>(null);
  const open = campaign.state !== 'completed' && campaign.state !== 'cancelled';

  const add = (source: string, run: () => Promise<ListResult>) => {
    setError(null);
    setBusy(true);
    run().then((r) => { setResult({ source, r }); onAdded(); }, (err: unknown) => setError(errorText(w, err)))
      .finally(() => setBusy(false));
  };
  const addSegment = (e: Event) => {
    e.preventDefault();
    add(w.segment, () => call('POST /api/campaigns/:id/list/segment', { params: { id: campaign.id }, body: toSegment(segment) as Body<'POST /api/campaigns/:id/list/segment'> }));
  };
  const addCsv = (e: Event) => {
    e.preventDefault();
    const f = file.current?.files?.[0];
    if (!f) return;
    // The File itself is the body: the browser streams it, and the server reads it line by line.
    add(f.name, async () => {
      const r = await upload<ListResult>(`/api/campaigns/${campaign.id}/list/csv`, f, 'text/csv');
      if (file.current) file.current.value = '';
      return r;
    });
  };
  const tiers = Object.keys(t.labels.tiers) as (keyof Dict['labels']['tiers'])[];
  const toggleTier = (tier: string, on: boolean) => setSegment({ ...segment, tiers: on ? [...segment.tiers, tier] : segment.tiers.filter((x) => x !== tier) });

  return (
    <>
      {open ? (
        <section class="card" aria-labelledby="add-list-h">
          <h3 id="add-list-h">{w.addTitle}</h3>
          <p class="muted">{w.scrubHint}</p>
          <div class="list-sources">
            <form class="segment" onSubmit={addSegment} aria-labelledby="segment-h" data-testid="segment-form">
              <h4 id="segment-h">{w.segment}</h4>
              <fieldset>
                <legend>{w.tiers}</legend>
                {tiers.map((tier) => (
                  <label key={tier} class="check">
                    <input type="checkbox" checked={segment.tiers.includes(tier)} onChange={(e) => toggleTier(tier, e.currentTarget.checked)} />
                    {t.labels.tiers[tier]}
                  </label>
                ))}
              </fieldset>
              <label>{w.holds}
                <select multiple size={5} aria-describedby="multi-hint" onChange={(e) => setSegment({ ...segment, holds: chosen(e) })}>
                  {PRODUCT_LINES.map((p) => <option key={p} value={p} selected={segment.holds.includes(p)}>{t.labels.productLines[p]}</option>)}
                </select>
              </label>
              <label>{w.notHolds}
                <select multiple size={5} aria-describedby="multi-hint" onChange={(e) => setSegment({ ...segment, not_holds: chosen(e) })}>
                  {PRODUCT_LINES.map((p) => <option key={p} value={p} selected={segment.not_holds.includes(p)}>{t.labels.productLines[p]}</option>)}
                </select>
              </label>
              <p id="multi-hint" class="muted hint">{w.multiHint}</p>
              <label>{w.churn}
                <select value={segment.churn} onChange={(e) => setSegment({ ...segment, churn: e.currentTarget.value as SegmentFields['churn'] })}>
                  <option value="">{w.churnAny}</option>
                  <option value="yes">{w.churnYes}</option>
                  <option value="no">{w.churnNo}</option>
                </select>
              </label>
              <label>{w.regions}<input value={segment.regions} onInput={(e) => setSegment({ ...segment, regions: e.currentTarget.value })} /></label>
              <label>{w.lastContact}<input type="date" value={segment.last_contact_before} onInput={(e) => setSegment({ ...segment, last_contact_before: e.currentTarget.value })} /></label>
              <button type="submit" class="primary" disabled={busy}>{w.addSegment}</button>
            </form>
            <form class="csv" onSubmit={addCsv} aria-labelledby="csv-h" data-testid="csv-form">
              <h4 id="csv-h">{w.csv}</h4>
              <p id="csv-hint" class="muted">{w.csvHint}</p>
              <label>{w.csvFile}<input ref={file} type="file" accept=".csv,text/csv" required aria-describedby="csv-hint" /></label>
              <button type="submit" class="primary" disabled={busy}>{w.upload}</button>
            </form>
          </div>
          {error && <p class="error" role="alert" data-testid="list-error">{error}</p>}
          {result && <Result source={result.source} r={result.r} w={w} />}
        </section>
      ) : <p class="muted">{w.closed}</p>}
      <Entries campaign={campaign} pulse={pulse} />
    </>
  );
}

function Result({ source, r, w }: { source: string; r: ListResult; w: CampaignWords }) {
  const excluded = Object.entries(r.excluded).filter(([, n]) => n > 0);
  return (
    <div class="list-result" role="status" data-testid="list-result">
      <h4>{w.result}: {source}</h4>
      <dl class="figures">
        <div><dt>{w.rows}</dt><dd data-testid="result-rows">{r.rows}</dd></div>
        <div><dt>{w.added}</dt><dd data-testid="result-added">{r.added}</dd></div>
        <div><dt>{w.duplicates}</dt><dd data-testid="result-duplicates">{r.duplicates}</dd></div>
      </dl>
      {excluded.length > 0 && (
        <>
          <h5>{w.excluded}</h5>
          <ul data-testid="result-excluded">{excluded.map(([reason, n]) => <li key={reason}>{reasonName(w, reason)}: {n}</li>)}</ul>
        </>
      )}
      {r.error_count > 0 && (
        <>
          <h5 class="error">{w.badLines(r.error_count)}</h5>
          <table data-testid="result-errors">
            <thead><tr><th scope="col" class="num">{w.line}</th><th scope="col">{w.problem}</th></tr></thead>
            <tbody>{r.errors.map((e) => <tr key={e.line}><td class="num">{e.line}</td><td>{w.lineProblems[e.code] ?? e.message}</td></tr>)}</tbody>
          </table>
          {r.errors.length < r.error_count && <p class="muted">{w.firstOf(r.errors.length, r.error_count)}</p>}
        </>
      )}
    </div>
  );
}

/** A page of the list (phones masked by the server), by entry id: first / next, filtered by state. */
function Entries({ campaign, pulse }: { campaign: Campaign; pulse: string }) {
  const { t, w } = useCampaignWords();
  const [state, setState] = useState<'' | CampaignEntry['state']>('');
  // The cursors of the pages before this one: `after` is the last id of the previous page.
  const [cursors, setCursors] = useState<number[]>([]);
  const [entries, setEntries] = useState<CampaignEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const after = cursors[cursors.length - 1];

  useEffect(() => {
    let live = true;
    call('GET /api/campaigns/:id/entries', { params: { id: campaign.id }, query: { limit: PAGE, state: state || undefined, after } })
      .then((r) => { if (live) { setEntries(r.entries); setError(null); } }, (err: unknown) => { if (live) setError(errorText(w, err)); });
    return () => { live = false; };
  }, [campaign.id, state, after, pulse]);

  const disposition = (d: string | null) => (d === null ? '–' : t.labels.dispositions[d as keyof Dict['labels']['dispositions']] ?? d);
  return (
    <section class="card" aria-labelledby="entries-h" data-testid="entries">
      <h3 id="entries-h">{w.entries}</h3>
      <div class="actions">
        <label class="inline">{w.show}
          <select value={state} onChange={(e) => { setState(e.currentTarget.value as '' | CampaignEntry['state']); setCursors([]); }}>
            <option value="">{w.all}</option>
            {ENTRY_STATES.map((s) => <option key={s} value={s}>{w.entryStates[s]}</option>)}
          </select>
        </label>
        <button type="button" disabled={cursors.length === 0} onClick={() => setCursors([])}>{w.firstPage}</button>
        <button type="button" disabled={!entries || entries.length < PAGE} onClick={() => setCursors([...cursors, entries![entries!.length - 1]!.id])}>{w.nextPage}</button>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {entries && (entries.length === 0 ? <p class="muted">{w.empty}</p> : (
        <table>
          <thead><tr>
            <th scope="col">{w.customer}</th><th scope="col">{w.phone}</th><th scope="col">{w.state}</th><th scope="col" class="num">{w.attempts_}</th>
            <th scope="col">{w.lastOutcome}</th><th scope="col">{t.disposition}</th><th scope="col">{w.nextAttempt}</th><th scope="col">{w.because}</th><th scope="col" class="num">{w.csvLine}</th>
          </tr></thead>
          <tbody>{entries.map((e) => (
            <tr key={e.id} data-testid={`entry-${e.customer_no}`}>
              <th scope="row">{e.customer_no}</th>
              <td>{e.phone_masked}</td>
              <td>{w.entryStates[e.state] ?? e.state}</td>
              <td class="num">{e.attempts}</td>
              <td>{outcomeName(w, e.last_outcome)}</td>
              <td>{disposition(e.disposition)}</td>
              <td>{e.callback_at ? dateTime(e.callback_at) : e.state === 'pending' && e.next_attempt_at ? dateTime(e.next_attempt_at) : '–'}</td>
              <td>{e.excluded_reason ? reasonName(w, e.excluded_reason) : ''}</td>
              <td class="num">{e.source_line ?? ''}</td>
            </tr>
          ))}</tbody>
        </table>
      ))}
    </section>
  );
}
