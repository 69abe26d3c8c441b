import { useId, useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { stages } from '../../../../src/core/lifecycle.ts';
import { fetchAll, useReasonCodes } from '../../api/queries.ts';
import type { User } from '../../api/types.ts';
import { stageLabel } from '../../ui/badges.tsx';
import { contactName } from '../../ui/format.ts';
import { Modal } from '../../ui/modal.tsx';
import type { LeadRow } from './list-api.ts';
import { runBulkOnServer, type BulkOutcome } from './bulk-run.ts';
import type { BulkLeadInput } from '../../../../src/server/contract/leads-bulk.contract.ts';

type Action = 'assign' | 'nurture' | 'stage';
export type Progress = { label: string; finished: number; total: number } | null;

const leadLabel = (l: LeadRow) => contactName(l.contact);

/** Assign, add to nurture and change stage (with a reason) for the selected leads, with a progress bar and a summary of refusals. */
export function LeadBulkActions({ selected, users, canAssign, onProgress, onDone }: {
  selected: LeadRow[]; users: User[]; canAssign: boolean; onProgress: (p: Progress) => void; onDone: (outcome: BulkOutcome & { verb: string }) => void;
}) {
  const [open, setOpen] = useState<Action | null>(null);
  const queryClient = useQueryClient();
  // One server request per action (up to 500 leads): checked per lead, audited as one bulk action.
  const run = async (verb: string, body: Omit<BulkLeadInput, 'lead_ids'>) => {
    setOpen(null);
    const total = selected.length;
    onProgress({ label: verb, finished: 0, total });
    const outcome = await runBulkOnServer(selected, body, leadLabel, (finished) => onProgress({ label: verb, finished, total }));
    onProgress(null);
    await queryClient.invalidateQueries({ queryKey: ['list'] });
    await queryClient.invalidateQueries({ queryKey: ['leads'] });
    onDone({ ...outcome, verb });
  };
  return (
    <>
      {canAssign ? <button type="button" className="button small" onClick={() => setOpen('assign')}>Assign…</button> : null}
      <button type="button" className="button small" onClick={() => setOpen('nurture')}>Add to nurture…</button>
      <button type="button" className="button small" onClick={() => setOpen('stage')}>Change stage…</button>
      {open === 'assign' ? <AssignDialog count={selected.length} users={users} onClose={() => setOpen(null)}
        onSubmit={(ownerId, note) => run('Assigning', { action: 'assign', owner_id: ownerId, note: note || 'Assigned in bulk from the leads list' })} /> : null}
      {open === 'nurture' ? <NurtureDialog count={selected.length} onClose={() => setOpen(null)}
        onSubmit={(trackId) => run('Adding to nurture', { action: 'enroll', track_id: trackId })} /> : null}
      {open === 'stage' ? <StageDialog count={selected.length} onClose={() => setOpen(null)}
        onSubmit={(to, reason, note) => run('Changing stage', { action: 'transition', to: to as BulkLeadInput['to'], reason_code: reason || null, note: note || null })} /> : null}
    </>
  );
}

function AssignDialog({ count, users, onClose, onSubmit }: { count: number; users: User[]; onClose: () => void; onSubmit: (ownerId: string, note: string) => void }) {
  const [owner, setOwner] = useState('');
  const [note, setNote] = useState('');
  const ids = { owner: useId(), note: useId() };
  const reps = users.filter((u) => !u.disabled && (u.role === 'sales' || u.role === 'sales_manager'));
  const submit = (e: FormEvent) => { e.preventDefault(); if (owner) onSubmit(owner, note.trim()); };
  return (
    <Modal title={`Assign ${count} lead${count === 1 ? '' : 's'}`} open onClose={onClose}>
      <form onSubmit={submit} className="stack">
        <div className="field"><label htmlFor={ids.owner}>New owner</label>
          <select id={ids.owner} required value={owner} onChange={(e) => setOwner(e.target.value)}>
            <option value="" disabled>Choose a rep…</option>
            {reps.map((u) => <option key={u.id} value={u.id}>{u.name}{u.team ? ` (${u.team})` : ''}</option>)}
          </select>
        </div>
        <div className="field"><label htmlFor={ids.note}>Note for the history (optional)</label>
          <input id={ids.note} value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} />
        </div>
        <p className="hint">Each lead's SLA clock restarts for its new owner; leads you may not reassign are listed afterwards.</p>
        <div className="modal-footer"><button type="button" className="button" onClick={onClose}>Cancel</button><button type="submit" className="button primary">Assign {count}</button></div>
      </form>
    </Modal>
  );
}

function NurtureDialog({ count, onClose, onSubmit }: { count: number; onClose: () => void; onSubmit: (trackId: string) => void }) {
  const tracks = useQuery({ queryKey: ['nurture-tracks'], queryFn: () => fetchAll<{ id: string; name: string; active: boolean }>('/api/v1/nurture/tracks', {}) });
  const [track, setTrack] = useState('');
  const id = useId();
  const active = (tracks.data ?? []).filter((t) => t.active);
  return (
    <Modal title={`Add ${count} lead${count === 1 ? '' : 's'} to nurture`} open onClose={onClose}>
      <form onSubmit={(e) => { e.preventDefault(); if (track) onSubmit(track); }} className="stack">
        {tracks.isSuccess && active.length === 0 ? <p className="muted">No active nurture track yet. Marketing creates tracks under Nurture; then come back here.</p> : (
          <div className="field"><label htmlFor={id}>Track</label>
            <select id={id} required value={track} onChange={(e) => setTrack(e.target.value)}>
              <option value="" disabled>{tracks.isPending ? 'Loading tracks…' : 'Choose a track…'}</option>
              {active.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
            </select>
          </div>
        )}
        <p className="hint">A person is in one track at a time; people who refused marketing email are not enrolled.</p>
        <div className="modal-footer"><button type="button" className="button" onClick={onClose}>Cancel</button><button type="submit" className="button primary" disabled={!track}>Enrol {count}</button></div>
      </form>
    </Modal>
  );
}

function StageDialog({ count, onClose, onSubmit }: { count: number; onClose: () => void; onSubmit: (to: string, reason: string, note: string) => void }) {
  const reasons = useReasonCodes();
  const [to, setTo] = useState('');
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const ids = { to: useId(), reason: useId(), note: useId() };
  // Moves into nurture, disqualified and lost need a reason whose outcome is that stage.
  const needsReason = to === 'nurture' || to === 'disqualified' || to === 'lost';
  const fitting = (reasons.data ?? []).filter((r) => r.outcome === to);
  return (
    <Modal title={`Change the stage of ${count} lead${count === 1 ? '' : 's'}`} open onClose={onClose}>
      <form onSubmit={(e) => { e.preventDefault(); if (to && (!needsReason || reason)) onSubmit(to, reason, note.trim()); }} className="stack">
        <div className="field"><label htmlFor={ids.to}>Move to</label>
          <select id={ids.to} required value={to} onChange={(e) => { setTo(e.target.value); setReason(''); }}>
            <option value="" disabled>Choose a stage…</option>
            {stages.filter((s) => s !== 'inquiry').map((s) => <option key={s} value={s}>{stageLabel(s)}</option>)}
          </select>
        </div>
        {needsReason ? (
          <div className="field"><label htmlFor={ids.reason}>Reason</label>
            <select id={ids.reason} required value={reason} onChange={(e) => setReason(e.target.value)}>
              <option value="" disabled>Choose a reason…</option>
              {fitting.map((r) => <option key={r.code} value={r.code}>{r.label}</option>)}
            </select>
          </div>
        ) : null}
        <div className="field"><label htmlFor={ids.note}>Note (optional)</label>
          <input id={ids.note} value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} />
        </div>
        <p className="hint">Only moves the lifecycle allows from each lead's stage go through; the others are listed afterwards with the reason.</p>
        <div className="modal-footer"><button type="button" className="button" onClick={onClose}>Cancel</button><button type="submit" className="button primary" disabled={!to || (needsReason && !reason)}>Move {count}</button></div>
      </form>
    </Modal>
  );
}
