import { useId, useMemo, useState, type FormEvent } from 'react';
import { useReasonCodes } from '../../api/queries.ts';
import type { Lead } from '../../api/types.ts';
import { Modal } from '../../ui/modal.tsx';
import type { TransitionRequest } from './use-transition.ts';

/** The lifecycle action needing a reason: reject and hand_back in the inbox; disqualify, lose, recycle on the lead page. */
export type ReasonMode = string;

const titles: Record<string, string> = { reject: 'Reject lead', hand_back: 'Hand back to marketing' };
const submitLabels: Record<string, string> = { reject: 'Reject lead', hand_back: 'Hand back' };

/**
 * Reject (MQL) or hand back (SAL/SQL) with a reason. The reason decides where the lead goes: the
 * lifecycle table says which reason outcome each move needs, and the lead's allowed_transitions list them.
 */
export function ReasonDialog({ lead, mode, leadName, onClose, onSubmit }: {
  lead: Lead; mode: ReasonMode; leadName: string; onClose: () => void; onSubmit: (request: TransitionRequest) => void;
}) {
  const reasons = useReasonCodes();
  const moves = lead.allowed_transitions.filter((t) => t.action === mode && t.reason_required);
  const groups = useMemo(() => moves.map((move) => ({
    move, reasons: (reasons.data ?? []).filter((r) => r.outcome === move.reason_required),
  })), [moves, reasons.data]);
  const [code, setCode] = useState('');
  const [note, setNote] = useState('');
  const [recheck, setRecheck] = useState('');
  const ids = { reason: useId(), note: useId(), recheck: useId() };
  const chosen = reasons.data?.find((r) => r.code === code);
  const target = moves.find((m) => m.reason_required === chosen?.outcome);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!target) return;
    onSubmit({
      lead, to: target.to, reason_code: code, note: note.trim() || null,
      // A date input has no time; 09:00 local is when someone will actually look at it.
      recheck_at: target.to === 'nurture' && recheck ? new Date(`${recheck}T09:00:00`).toISOString() : null,
    });
  };

  return (
    <Modal title={titles[mode] ?? moves[0]?.label ?? 'Move lead'} open onClose={onClose}>
      <form onSubmit={submit} className="stack">
        <p className="muted">{leadName}</p>
        <div className="field">
          <label htmlFor={ids.reason}>Reason</label>
          <select id={ids.reason} required value={code} onChange={(e) => setCode(e.target.value)}>
            <option value="" disabled>Choose a reason…</option>
            {groups.map(({ move, reasons: list }) => (
              <optgroup key={move.to} label={move.label}>
                {list.map((r) => <option key={r.code} value={r.code}>{r.label}</option>)}
              </optgroup>
            ))}
          </select>
          {target ? <p className="hint">This will {target.label.toLowerCase()}.</p> : null}
        </div>
        {target?.to === 'nurture' ? (
          <div className="field">
            <label htmlFor={ids.recheck}>Recheck on (optional)</label>
            <input id={ids.recheck} type="date" value={recheck} onChange={(e) => setRecheck(e.target.value)} min={new Date().toISOString().slice(0, 10)} />
          </div>
        ) : null}
        <div className="field">
          <label htmlFor={ids.note}>Note for marketing</label>
          <textarea id={ids.note} rows={3} maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} placeholder="What did you learn? (optional)" />
        </div>
        <footer className="modal-footer">
          <button type="button" className="button ghost" onClick={onClose}>Cancel</button>
          <button type="submit" className="button danger" disabled={!target}>{submitLabels[mode] ?? moves[0]?.label ?? 'Save'}</button>
        </footer>
      </form>
    </Modal>
  );
}
