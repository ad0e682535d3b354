import { useEffect, useState } from 'preact/hooks';
import { call } from '../api.js';
import { dateTime, errorWords, useI18n } from '../i18n.js';
import type { Case, CaseCategory, CaseKind, CaseStatus, Severity } from '../types.js';
import { CaseReport } from './CaseReport.js';

// This page's own words; kinds, categories, severities and states come from i18n.ts.
const LABELS = {
  en: {
    title: 'Case queue', onlyAtRisk: 'Only cases at risk', caseNo: 'Case', customer: 'Customer', kind: 'Type', category: 'Category', severity: 'Severity',
    status: 'Status', owner: 'Owner', opened: 'Opened', due: 'SLA due', atRisk: 'at risk', nobody: '(nobody)', empty: 'No active cases', refresh: 'Refresh',
  },
  zh: {
    title: '工单队列', onlyAtRisk: '只看有超时风险的工单', caseNo: '工单号', customer: '客户', kind: '类型', category: '类别', severity: '严重程度',
    status: '状态', owner: '处理人', opened: '创建时间', due: '处理时限', atRisk: '有超时风险', nobody: '（无）', empty: '暂无进行中的工单', refresh: '刷新',
  },
};
const REFRESH_MS = 15_000;

/** The supervisors' case queue: active cases, soonest SLA first, those at risk marked (GET /api/cases). */
export function Cases() {
  const { t, lang } = useI18n();
  const w = LABELS[lang];
  const [atRisk, setAtRisk] = useState(false);
  const [cases, setCases] = useState<Case[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () => {
    call('GET /api/cases', { query: { status: 'active', limit: 200, ...(atRisk ? { at_risk: true } : {}) } })
      .then((r) => { setCases(r.cases); setError(null); }, (err) => setError(errorWords(t, err)));
  };
  useEffect(() => {
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => clearInterval(timer);
  }, [atRisk]);
  return (
    <section class="card" aria-label={w.title} data-testid="cases">
      <h2>{w.title}</h2>
      <p>
        <label class="check"><input type="checkbox" checked={atRisk} onChange={(e) => setAtRisk((e.target as HTMLInputElement).checked)} /> {w.onlyAtRisk}</label>{' '}
        <button type="button" onClick={load}>{w.refresh}</button>
      </p>
      {error && <p class="error" role="alert">{error}</p>}
      {cases && cases.length === 0 && <p class="muted">{w.empty}</p>}
      {cases && cases.length > 0 && (
        <table>
          <thead><tr><th>{w.caseNo}</th><th>{w.customer}</th><th>{w.kind}</th><th>{w.category}</th><th>{w.severity}</th><th>{w.status}</th><th>{w.owner}</th><th>{w.opened}</th><th>{w.due}</th></tr></thead>
          <tbody>
            {cases.map((c) => (
              <tr key={c.id} data-testid={`case-${c.id}`} class={c.at_risk ? 'at-risk' : undefined}>
                <td>{c.case_no}</td><td>#{c.customer_id}</td>
                <td>{t.labels.caseKinds[c.kind as CaseKind] ?? c.kind}</td>
                <td>{t.labels.caseCategories[c.category as CaseCategory] ?? c.category}</td>
                <td>{t.labels.severities[c.severity as Severity] ?? c.severity}</td>
                <td>{t.labels.caseStatuses[c.status as CaseStatus]}</td>
                <td>{c.owner ?? w.nobody}</td>
                <td>{dateTime(c.opened_at)}</td>
                <td>{dateTime(c.sla_due_at)}{c.at_risk && <span class="flag flag-on"> {w.atRisk}</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <CaseReport />
    </section>
  );
}
