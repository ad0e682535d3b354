import { useState } from 'preact/hooks';
import { ApiError, call } from '../api.js';
import { useI18n } from '../i18n.js';

// This control's own words.
const LABELS = {
  en: { pause: 'Pause recording', resume: 'Resume recording', paused: 'Recording paused', none: 'This call is not being recorded', failed: 'The recording could not be changed' },
  zh: { pause: '暂停录音', resume: '恢复录音', paused: '录音已暂停', none: '本通话未在录音', failed: '无法更改录音状态' },
};

/**
 * Pause and resume the call's recording (POST /api/interactions/:id/recording/pause|resume): for
 * a moment the caller says something that must not be kept. Each press is an event in the timeline.
 */
export function RecordingButton({ interactionId, live }: { interactionId: string; live: boolean }) {
  const { lang } = useI18n();
  const w = LABELS[lang];
  const [paused, setPaused] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const press = async () => {
    try {
      const r = await call(paused ? 'POST /api/interactions/:id/recording/resume' : 'POST /api/interactions/:id/recording/pause', { params: { id: interactionId } });
      setPaused(r.status === 'paused');
      setNote(null);
    } catch (err) {
      setNote(err instanceof ApiError && err.code === 'SB_ERR_RECORDING_NONE' ? w.none : w.failed);
    }
  };
  return (
    <>
      <button type="button" disabled={!live} onClick={() => void press()} aria-pressed={paused} data-testid="recording-toggle">{paused ? w.resume : w.pause}</button>
      {paused && <span class="badge" role="status"> {w.paused}</span>}
      {note && <span class="muted" role="status"> {note}</span>}
    </>
  );
}
