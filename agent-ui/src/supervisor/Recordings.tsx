import { useEffect, useState } from 'preact/hooks';
import { authorizedFetch, query, call } from '../api.js';
import { dateTime, duration, errorWords, useI18n } from '../i18n.js';

// This page's own words.
const LABELS = {
  en: {
    title: 'Recorded calls', started: 'Started', length: 'Length', customer: 'Customer', category: 'Queue', channels: 'Channels', hold: 'Legal hold',
    play: 'Play', why: 'Why are you listening?', whyDefault: 'Quality review', empty: 'No recorded calls yet', refresh: 'Refresh', loading: 'Loading…',
    audited: 'Each playback is logged with your name and reason.', yes: 'Yes', none: '—',
    errors: {
      SB_ERR_RECORDING_PLAYBACK_FORBIDDEN: 'Your role may not listen to recordings', SB_ERR_RECORDING_DELETED: 'This recording was deleted (retention)',
      SB_ERR_RECORDING_NOT_FOUND: 'This recording is no longer available', SB_ERR_RECORDING_NOT_READY: 'The call is still on: the recording is not complete yet',
    } as Record<string, string>,
  },
  zh: {
    title: '通话录音', started: '开始时间', length: '时长', customer: '客户', category: '队列', channels: '声道', hold: '法律保全',
    play: '播放', why: '调听原因', whyDefault: '质检', empty: '暂无通话录音', refresh: '刷新', loading: '加载中…',
    audited: '每次调听都会记录您的姓名和原因。', yes: '是', none: '—',
    errors: {
      SB_ERR_RECORDING_PLAYBACK_FORBIDDEN: '您的角色无权调听录音', SB_ERR_RECORDING_DELETED: '该录音已按保存期限删除',
      SB_ERR_RECORDING_NOT_FOUND: '该录音已不可用', SB_ERR_RECORDING_NOT_READY: '通话仍在进行，录音尚未完成',
    } as Record<string, string>,
  },
};

interface Row { sid: string; interaction_id: string; channels: number | null; duration_s: number | null; started_at: string; customer_id: number | null; category: string | null; legal_hold: boolean }

/**
 * Recorded calls for supervisors (GET /api/recordings) with a player. The audio comes from our own
 * server (GET /api/recordings/:sid/audio, audited with the reason given), never from Twilio.
 */
export function Recordings() {
  const { t, lang } = useI18n();
  const w = LABELS[lang];
  const [rows, setRows] = useState<Row[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [why, setWhy] = useState(w.whyDefault);
  const [playing, setPlaying] = useState<{ sid: string; url: string } | null>(null);
  const [loading, setLoading] = useState<string | null>(null);
  const say = (err: unknown) => {
    const code = (err as { code?: string }).code;
    return code && w.errors[code] ? `${w.errors[code]} (${code})` : errorWords(t, err);
  };
  const load = () => {
    call('GET /api/recordings', { query: { limit: 100 } }).then((r) => { setRows(r.recordings); setError(null); }, (err) => setError(say(err)));
  };
  useEffect(load, []);
  // The object URL holds the audio in this tab only; it is let go when another plays or the page closes.
  useEffect(() => () => { if (playing) URL.revokeObjectURL(playing.url); }, [playing]);
  const play = async (sid: string) => {
    setLoading(sid);
    try {
      const res = await authorizedFetch(`/api/recordings/${sid}/audio?${query({ why: why.trim() || w.whyDefault })}`);
      if (!res.ok) {
        const body = await res.json().catch(() => ({}));
        throw Object.assign(new Error(body.message ?? res.statusText), { code: body.code });
      }
      setPlaying({ sid, url: URL.createObjectURL(await res.blob()) });
      setError(null);
    } catch (err) {
      setError(say(err));
    } finally {
      setLoading(null);
    }
  };
  return (
    <section class="card" aria-label={w.title} data-testid="recordings">
      <h2>{w.title}</h2>
      <p>
        <label>{w.why} <input value={why} maxLength={200} onInput={(e) => setWhy((e.target as HTMLInputElement).value)} /></label>{' '}
        <button type="button" onClick={load}>{w.refresh}</button>
      </p>
      <p class="muted">{w.audited}</p>
      {error && <p class="error" role="alert">{error}</p>}
      {playing && <audio controls autoPlay src={playing.url} data-testid="recording-player" aria-label={`${w.play} ${playing.sid}`} />}
      {rows === null ? <p>{w.loading}</p> : rows.length === 0 ? <p>{w.empty}</p> : (
        <table>
          <thead><tr><th>{w.started}</th><th>{w.length}</th><th>{w.customer}</th><th>{w.category}</th><th>{w.channels}</th><th>{w.hold}</th><th /></tr></thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.sid} data-testid="recording-row">
                <td>{dateTime(r.started_at)}</td>
                <td>{r.duration_s === null ? w.none : duration(r.duration_s)}</td>
                <td>{r.customer_id ?? w.none}</td>
                <td>{r.category ? (t.labels.skills as Record<string, string>)[r.category] ?? r.category : w.none}</td>
                <td>{r.channels ?? w.none}</td>
                <td>{r.legal_hold ? w.yes : ''}</td>
                <td><button type="button" disabled={loading === r.sid} onClick={() => void play(r.sid)}>{w.play}</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
