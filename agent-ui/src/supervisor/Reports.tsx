import { useEffect, useState } from 'preact/hooks';
import { ApiError, authorizedFetch, call, query } from '../api.js';
import { percent, useI18n, type Dict } from '../i18n.js';
import { bankTime } from '../bank-time.js';
import type { AgentStatesReport, ContactsReport, ContactsRow, ReportGrouping, ReportInterval } from '../../../server/modules/reports/reports-schemas.js';
import type { Skill } from '../types.js';

/** Reports are cut in the bank's time zone, whatever the supervisor's browser says. */
const BANK_ZONE = 'Asia/Shanghai';
const INTERVALS: readonly ReportInterval[] = ['day', 'week', 'month', '15m'];
const GROUPINGS: readonly ReportGrouping[] = ['total', 'queue', 'tier', 'agent', 'rm'];
const STATES = ['available', 'reserved', 'on_call', 'wrap_up', 'away', 'offline'] as const;

// This page's own words; the shared ones (skills, tiers, states) come from i18n.ts.
const LABELS = {
  en: {
    title: 'Reports', contacts: 'Contacts', agentStates: 'Agent states', report: 'Report', from: 'From (first day)', to: 'To (last day)',
    interval: 'Interval', by: 'Group by', show: 'Show', csv: 'Download CSV', loading: 'Loading…', empty: 'No data in this range',
    intervals: { '15m': '15 minutes', day: 'Day', week: 'Week', month: 'Month' } satisfies Record<ReportInterval, string>,
    groupings: { total: 'Total', queue: 'Queue', tier: 'Tier', agent: 'Agent', rm: 'Relationship manager' } satisfies Record<ReportGrouping, string>,
    bucket: 'Period', key: 'Group', none: '(none)', offered: 'Offered', answered: 'Answered', abandoned: 'Abandoned', sl: 'Service level',
    asa: 'ASA (s)', aht: 'AHT (s)', transfers: 'Transfers', fcr: 'FCR', csat: 'CSAT', calls: 'Calls', containment: 'IVR containment', agent: 'Agent',
    chart: 'Calls offered, answered and abandoned per period, with the service level', slAxis: 'Service level (right axis)',
    hours: 'hours', zone: 'Times in the bank\'s time zone (Asia/Shanghai).',
    errors: {
      SB_ERR_REPORT_RANGE_INVALID: 'The last day must not be before the first.',
      SB_ERR_REPORT_RANGE_TOO_LONG: 'Too long a range for this interval (15 minutes: 7 days; day: 400 days).',
      SB_ERR_REPORT_TIMEZONE_INVALID: 'Unknown time zone.',
    } as Record<string, string>,
  },
  zh: {
    title: '报表', contacts: '来电', agentStates: '坐席状态', report: '报表', from: '开始日期', to: '结束日期（含）',
    interval: '时间粒度', by: '分组', show: '查询', csv: '下载 CSV', loading: '加载中…', empty: '该时间段没有数据',
    intervals: { '15m': '15 分钟', day: '日', week: '周', month: '月' } satisfies Record<ReportInterval, string>,
    groupings: { total: '合计', queue: '队列', tier: '客户等级', agent: '坐席', rm: '客户经理' } satisfies Record<ReportGrouping, string>,
    bucket: '时段', key: '分组', none: '（无）', offered: '进线', answered: '接通', abandoned: '放弃', sl: '服务水平',
    asa: '平均应答（秒）', aht: '平均处理（秒）', transfers: '转接', fcr: '首次解决率', csat: '满意度', calls: '来电数', containment: 'IVR 自助率', agent: '坐席',
    chart: '各时段进线、接通、放弃量及服务水平', slAxis: '服务水平（右轴）',
    hours: '小时', zone: '时间按银行所在时区（Asia/Shanghai）计算。',
    errors: {
      SB_ERR_REPORT_RANGE_INVALID: '结束日期不能早于开始日期。',
      SB_ERR_REPORT_RANGE_TOO_LONG: '该时间粒度下时间段过长（15 分钟：7 天；日：400 天）。',
      SB_ERR_REPORT_TIMEZONE_INVALID: '未知时区。',
    } as Record<string, string>,
  },
};
type Words = (typeof LABELS)['en'];

/** The zone's offset at that day, as ±hh:mm (Intl knows the zone rules; the browser's own zone is irrelevant). */
function offsetOn(day: string): string {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: BANK_ZONE, timeZoneName: 'longOffset' })
    .formatToParts(new Date(`${day}T12:00:00Z`)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  return name === 'GMT' ? '+00:00' : name.slice(3);
}
/** Local midnight of `day` in the bank's zone, as an ISO instant. */
const midnight = (day: string) => `${day}T00:00:00${offsetOn(day)}`;
const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: BANK_ZONE }).format(new Date());
const daysBefore = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);

/** A bucket's start in the one format of every screen, to the minute, day or month the interval counts in. */
function bucketLabel(iso: string, interval: ReportInterval): string {
  const at = bankTime(iso);
  return interval === '15m' ? at : interval === 'month' ? at.slice(0, 7) : at.slice(0, 10);
}

function keyLabel(t: Dict, w: Words, by: ReportGrouping, row: { key: string | null; label: string | null }): string {
  if (row.key === null) return by === 'total' ? w.groupings.total : w.none;
  if (by === 'queue') return t.labels.skills[row.key as Skill] ?? row.key;
  if (by === 'tier') return t.labels.tiers[row.key as keyof Dict['labels']['tiers']] ?? row.key;
  return row.label ?? `#${row.key}`;
}

const num = (x: number | null, digits = 0) => (x === null ? '–' : x.toFixed(digits));

interface Params { report: 'contacts' | 'agent-states'; from: string; to: string; interval: ReportInterval; by: ReportGrouping }

const criteria = (p: Params) => ({
  from: midnight(p.from), to: midnight(nextDay(p.to)), interval: p.interval, tz: BANK_ZONE, ...(p.report === 'contacts' ? { by: p.by } : {}),
});

/** Saves the report as CSV: fetched with the login's bearer token (a plain link could not send it), then handed over as a file. */
async function downloadCsv(p: Params): Promise<void> {
  const res = await authorizedFetch(`/api/reports/${p.report}?${query({ ...criteria(p), format: 'csv' })}`);
  if (!res.ok) {
    const body = await res.json().catch(() => ({ code: 'SB_ERR_SERVER_INTERNAL', message: res.statusText })) as { code: string; message: string };
    throw new ApiError(body.code, body.message);
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `${p.report}.csv`;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The supervisor's reports: contacts (with a chart) and agent states, by interval, with CSV export. */
export function Reports() {
  const { t, lang } = useI18n();
  const w = LABELS[lang];
  const [form, setForm] = useState<Params>(() => ({ report: 'contacts', from: daysBefore(today(), 29), to: today(), interval: 'day', by: 'total' }));
  const [shown, setShown] = useState<Params>(form);
  const [data, setData] = useState<ContactsReport | AgentStatesReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const fail = (err: unknown) => setError(err instanceof ApiError ? w.errors[err.code] ?? `${err.code}: ${err.message}` : String(err));
  useEffect(() => {
    let live = true;
    setBusy(true);
    setError(null);
    const asked = shown.report === 'contacts' ? call('GET /api/reports/contacts', { query: criteria(shown) }) : call('GET /api/reports/agent-states', { query: criteria(shown) });
    asked
      .then((r) => { if (live) setData(r); }, (err: unknown) => { if (live) { setData(null); fail(err); } })
      .finally(() => { if (live) setBusy(false); });
    return () => { live = false; };
  }, [shown]);

  const set = <K extends keyof Params>(k: K) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement | HTMLSelectElement).value as Params[K] });
  return (
    <section class="card reports" aria-labelledby="reports-h">
      <h2 id="reports-h">{w.title}</h2>
      <form class="actions" onSubmit={(e) => { e.preventDefault(); setShown(form); }}>
        <label>{w.report}
          <select value={form.report} onChange={set('report')}>
            <option value="contacts">{w.contacts}</option>
            <option value="agent-states">{w.agentStates}</option>
          </select>
        </label>
        <label>{w.from}<input type="date" required value={form.from} onInput={set('from')} /></label>
        <label>{w.to}<input type="date" required value={form.to} onInput={set('to')} /></label>
        <label>{w.interval}
          <select value={form.interval} onChange={set('interval')}>
            {INTERVALS.map((i) => <option key={i} value={i}>{w.intervals[i]}</option>)}
          </select>
        </label>
        {form.report === 'contacts' && (
          <label>{w.by}
            <select value={form.by} onChange={set('by')}>
              {GROUPINGS.map((g) => <option key={g} value={g}>{w.groupings[g]}</option>)}
            </select>
          </label>
        )}
        <button type="submit" class="primary">{w.show}</button>
        <button type="button" onClick={() => { setError(null); downloadCsv(shown).catch(fail); }}>{w.csv}</button>
      </form>
      <p class="muted">{w.zone}</p>
      {error && <p class="error" role="alert">{error}</p>}
      {busy && <p class="muted" role="status">{w.loading}</p>}
      {data && !busy && (data.rows.length === 0
        ? <p class="empty">{w.empty}</p>
        : 'by' in data ? <Contacts report={data} t={t} w={w} /> : <AgentStates report={data} t={t} w={w} />)}
    </section>
  );
}

function Contacts({ report, t, w }: { report: ContactsReport; t: Dict; w: Words }) {
  const grouped = report.by !== 'total';
  return (
    <>
      <Chart rows={report.rows} interval={report.interval} w={w} />
      <table>
        <thead><tr>
          <th scope="col">{w.bucket}</th>{grouped && <th scope="col">{w.groupings[report.by]}</th>}
          <th scope="col" class="num">{w.offered}</th><th scope="col" class="num">{w.answered}</th><th scope="col" class="num">{w.abandoned}</th>
          <th scope="col" class="num">{w.sl}</th><th scope="col" class="num">{w.asa}</th><th scope="col" class="num">{w.aht}</th>
          <th scope="col" class="num">{w.transfers}</th><th scope="col" class="num">{w.fcr}</th><th scope="col" class="num">{w.csat}</th>
          <th scope="col" class="num">{w.calls}</th><th scope="col" class="num">{w.containment}</th>
        </tr></thead>
        <tbody>{report.rows.map((r) => (
          <tr key={`${r.bucket_start}|${r.key}`}>
            <th scope="row">{bucketLabel(r.bucket_start, report.interval)}</th>
            {grouped && <td>{keyLabel(t, w, report.by, r)}</td>}
            <td class="num">{r.offered}</td><td class="num">{r.answered}</td><td class="num">{r.abandoned}</td>
            <td class="num">{percent(r.service_level)}</td><td class="num">{num(r.asa_s, 1)}</td><td class="num">{num(r.aht_s)}</td>
            <td class="num">{r.transfers}</td><td class="num">{percent(r.fcr_rate)}</td><td class="num">{num(r.csat_avg, 2)}</td>
            <td class="num">{r.ivr_calls}</td><td class="num">{percent(r.containment_rate)}</td>
          </tr>
        ))}</tbody>
      </table>
    </>
  );
}

function AgentStates({ report, t, w }: { report: AgentStatesReport; t: Dict; w: Words }) {
  const hours = (s: number) => (s / 3600).toFixed(1);
  return (
    <table>
      <caption class="muted">{w.hours}</caption>
      <thead><tr>
        <th scope="col">{w.bucket}</th><th scope="col">{w.agent}</th>
        {STATES.map((s) => <th key={s} scope="col" class="num">{t.labels.states[s]}</th>)}
      </tr></thead>
      <tbody>{report.rows.map((r) => (
        <tr key={`${r.bucket_start}|${r.agent_id}`}>
          <th scope="row">{bucketLabel(r.bucket_start, report.interval)}</th>
          <td>{r.label ?? `#${r.agent_id}`}</td>
          {STATES.map((s) => <td key={s} class="num">{hours(r[`${s}_s`])}</td>)}
        </tr>
      ))}</tbody>
    </table>
  );
}

const COLOURS = { offered: '#9fb3c8', answered: '#1f7a3a', abandoned: '#c0392b', sl: '#10263f' };

/**
 * Bars for offered, answered and abandoned per period (groups summed), a line for the service
 * level on a 0-100 % right axis. Plain SVG: no chart library for one chart.
 */
function Chart({ rows, interval, w }: { rows: ContactsRow[]; interval: ReportInterval; w: Words }) {
  const buckets = new Map<string, { offered: number; answered: number; abandoned: number; within: number; after: number }>();
  for (const r of rows) {
    const b = buckets.get(r.bucket_start) ?? { offered: 0, answered: 0, abandoned: 0, within: 0, after: 0 };
    b.offered += r.offered; b.answered += r.answered; b.abandoned += r.abandoned; b.within += r.answered_within_target; b.after += r.abandoned_after_target;
    buckets.set(r.bucket_start, b);
  }
  const series = [...buckets.entries()];
  const width = 900; const height = 220; const pad = { l: 40, r: 40, t: 10, b: 30 };
  const plotW = width - pad.l - pad.r; const plotH = height - pad.t - pad.b;
  const max = Math.max(1, ...series.map(([, b]) => b.offered));
  const slot = plotW / Math.max(1, series.length);
  const bar = Math.max(1, (slot * 0.8) / 3);
  const y = (v: number) => pad.t + plotH - (v / max) * plotH;
  const ySl = (share: number) => pad.t + plotH - share * plotH;
  const sl = series.map(([, b], i) => {
    const base = b.answered + b.after;
    return base === 0 ? null : ([pad.l + slot * (i + 0.5), ySl(b.within / base)] as const);
  });
  const line = sl.filter((p): p is readonly [number, number] => p !== null).map(([x, yy], i) => `${i ? 'L' : 'M'}${x.toFixed(1)},${yy.toFixed(1)}`).join(' ');
  const every = Math.ceil(series.length / 12);
  const legend = [['offered', w.offered], ['answered', w.answered], ['abandoned', w.abandoned], ['sl', w.slAxis]] as const;
  return (
    <figure>
      <svg viewBox={`0 0 ${width} ${height + 20}`} width="100%" role="img" aria-label={w.chart}>
        <title>{w.chart}</title>
        <line x1={pad.l} x2={width - pad.r} y1={pad.t + plotH} y2={pad.t + plotH} stroke="#c5ced8" />
        <text x={pad.l - 4} y={pad.t + 8} text-anchor="end" font-size="10" fill="#5b6b7b">{max}</text>
        <text x={pad.l - 4} y={pad.t + plotH} text-anchor="end" font-size="10" fill="#5b6b7b">0</text>
        <text x={width - pad.r + 4} y={pad.t + 8} font-size="10" fill="#5b6b7b">100%</text>
        <text x={width - pad.r + 4} y={pad.t + plotH} font-size="10" fill="#5b6b7b">0%</text>
        {series.map(([start, b], i) => {
          const x0 = pad.l + slot * i + slot * 0.1;
          return (
            <g key={start}>
              {(['offered', 'answered', 'abandoned'] as const).map((k, j) => (
                <rect key={k} x={x0 + j * bar} y={y(b[k])} width={bar} height={pad.t + plotH - y(b[k])} fill={COLOURS[k]}>
                  <title>{`${bucketLabel(start, interval)} ${w[k]}: ${b[k]}`}</title>
                </rect>
              ))}
              {i % every === 0 && <text x={x0} y={height - 8} font-size="10" fill="#5b6b7b">{bucketLabel(start, interval)}</text>}
            </g>
          );
        })}
        {line && <path d={line} fill="none" stroke={COLOURS.sl} stroke-width="2" />}
        {sl.map((p, i) => p && <circle key={i} cx={p[0]} cy={p[1]} r="2.5" fill={COLOURS.sl} />)}
        {legend.map(([k, text], i) => (
          <g key={k}>
            <rect x={pad.l + i * 170} y={height + 6} width="10" height="10" fill={COLOURS[k]} />
            <text x={pad.l + i * 170 + 14} y={height + 15} font-size="11" fill="#1d2733">{text}</text>
          </g>
        ))}
      </svg>
    </figure>
  );
}
