import { useEffect, useState } from 'preact/hooks';
import { call } from '../api.js';
import { errorWords, useI18n } from '../i18n.js';
import type { CaseCategory, CaseReport as Report } from '../types.js';

// This table's own words; categories and tiers come from i18n.ts.
const LABELS = {
  en: {
    title: 'Case report (last 30 days)', by: 'By', category: 'Category', tier: 'Tier', team: 'Team', total: 'All', calls: 'Calls', cases: 'Cases', complaints: 'Complaints',
    rate: 'Complaints per 1,000 calls', resolved: 'Resolved', slaMet: 'SLA met', hours: 'Hours to resolve', reopened: 'Reopened', none: '(none)',
  },
  zh: {
    title: '工单报表（近30天）', by: '维度', category: '类别', tier: '客户等级', team: '团队', total: '合计', calls: '来电量', cases: '工单数', complaints: '投诉数',
    rate: '每千通来电投诉数', resolved: '已解决', slaMet: '按时解决率', hours: '平均解决时长（小时）', reopened: '重开率', none: '（无）',
  },
};
type By = 'category' | 'tier' | 'team';
const DAY_MS = 86_400_000;
const show = (n: number | null, suffix = '') => (n === null ? '–' : `${n}${suffix}`);

/** Supervisors' case figures (GET /api/cases/report): complaint rate per 1,000 calls, SLA met %, time to resolve and reopen rate by category, tier or team. */
export function CaseReport() {
  const { t, lang } = useI18n();
  const w = LABELS[lang];
  const [by, setBy] = useState<By>('category');
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const to = new Date();
    call('GET /api/cases/report', { query: { from: new Date(to.getTime() - 30 * DAY_MS).toISOString(), to: to.toISOString(), by } })
      .then((r) => { setReport(r); setError(null); }, (err) => setError(errorWords(t, err)));
  }, [by]);
  const keyWords = (key: string) => (by === 'category' ? t.labels.caseCategories[key as CaseCategory] : by === 'tier' ? t.labels.tiers[key as keyof typeof t.labels.tiers] : key === 'none' ? w.none : undefined) ?? key;
  const rows = report ? [...report.rows.map((r) => ({ ...r, label: keyWords(r.key) })), { ...report.total, key: '*', label: w.total }] : [];
  return (
    <section class="card" aria-label={w.title} data-testid="case-report">
      <h2>{w.title}</h2>
      <label>{w.by}{' '}
        <select value={by} onChange={(e) => setBy((e.target as HTMLSelectElement).value as By)}>
          {(['category', 'tier', 'team'] as const).map((b) => <option key={b} value={b}>{w[b]}</option>)}
        </select>
      </label>
      {error && <p class="error" role="alert">{error}</p>}
      {report && (
        <table>
          <thead><tr><th>{w[by]}</th><th>{w.calls}</th><th>{w.cases}</th><th>{w.complaints}</th><th>{w.rate}</th><th>{w.resolved}</th><th>{w.slaMet}</th><th>{w.hours}</th><th>{w.reopened}</th></tr></thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key} data-testid={`case-report-${r.key}`}>
                <td>{r.label}</td><td>{r.calls}</td><td>{r.cases}</td><td>{r.complaints}</td><td>{show(r.complaints_per_1000_calls)}</td><td>{r.resolved}</td>
                <td>{show(r.sla_met_percent, ' %')}</td><td>{show(r.avg_hours_to_resolve)}</td><td>{show(r.reopen_percent, ' %')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
