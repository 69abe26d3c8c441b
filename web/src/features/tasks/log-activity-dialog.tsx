import { useId, useState, type FormEvent } from 'react';
import { Modal } from '../../ui/modal.tsx';
import { useLogActivity, type TouchKind } from './tasks-api.ts';
import './tasks.css';

const kinds: { value: TouchKind; label: string }[] = [
  { value: 'sales_call', label: 'Call' }, { value: 'sales_email', label: 'Email' }, { value: 'meeting', label: 'Meeting' }, { value: 'note', label: 'Note' },
];

/** A datetime-local value ("2026-03-10T14:05") for a time, in the browser's zone. */
export function localInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

/** Tomorrow 09:00 local: when most follow-ups are meant to happen. */
function tomorrowNine(now: number): string {
  const d = new Date(now);
  d.setDate(d.getDate() + 1);
  d.setHours(9, 0, 0, 0);
  return localInput(d.getTime());
}

/**
 * Log what a rep did with a lead: a call, email or meeting is a sales touch (it stops the first-touch
 * SLA clock, at the time it happened); a note is kept on the timeline only. A follow-up task can be
 * added in the same step, so "call back Tuesday" is not a separate chore.
 */
export function LogActivityDialog({ leadId, contactId, leadName, onClose, onDone }: {
  leadId: string; contactId: string; leadName: string; onClose: () => void; onDone: (message: string) => void;
}) {
  const log = useLogActivity();
  const [now] = useState(() => Date.now());
  const [kind, setKind] = useState<TouchKind>('sales_call');
  const [when, setWhen] = useState(() => localInput(now));
  const [note, setNote] = useState('');
  const [followUp, setFollowUp] = useState(false);
  const [taskTitle, setTaskTitle] = useState('');
  const [taskDue, setTaskDue] = useState(() => tomorrowNine(now));
  const ids = { kind: useId(), when: useId(), note: useId(), follow: useId(), title: useId(), due: useId() };
  const label = kinds.find((k) => k.value === kind)!.label;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    log.mutate({
      leadId, contactId, kind, note: note.trim(), occurredAt: kind === 'note' ? null : new Date(when).toISOString(),
      task: followUp ? { title: taskTitle.trim() || `Follow up with ${leadName}`, dueAt: new Date(taskDue).toISOString() } : null,
    }, { onSuccess: () => onDone(`${label} logged for ${leadName}.${followUp ? ' Follow-up task added.' : ''}`) });
  };

  return (
    <Modal title="Log activity" open onClose={onClose}>
      <form onSubmit={submit} className="stack">
        <p className="muted">{leadName}</p>
        <fieldset className="field">
          <legend>What happened</legend>
          <div className="segmented" role="radiogroup" aria-label="What happened">
            {kinds.map((k) => (
              <button key={k.value} type="button" role="radio" aria-checked={kind === k.value} className={kind === k.value ? 'on' : ''} onClick={() => setKind(k.value)}>{k.label}</button>
            ))}
          </div>
          <p className="hint">{kind === 'note' ? 'A note is kept on the timeline; it does not count as a touch.' : 'Counts as a sales touch: it stops the first-touch SLA clock.'}</p>
        </fieldset>
        {kind !== 'note' ? (
          <div className="field">
            <label htmlFor={ids.when}>When</label>
            <input id={ids.when} type="datetime-local" required value={when} max={localInput(Date.now() + 60_000)} onChange={(e) => setWhen(e.target.value)} />
          </div>
        ) : null}
        <div className="field">
          <label htmlFor={ids.note}>{kind === 'note' ? 'Note' : 'Notes (optional)'}</label>
          <textarea id={ids.note} rows={3} maxLength={5000} required={kind === 'note'} value={note} onChange={(e) => setNote(e.target.value)}
            placeholder={kind === 'note' ? 'What should the next person know?' : 'What was said, what comes next'} />
        </div>
        <div className="field checkbox-field">
          <label htmlFor={ids.follow}><input id={ids.follow} type="checkbox" checked={followUp} onChange={(e) => setFollowUp(e.target.checked)} /> Add a follow-up task</label>
        </div>
        {followUp ? (
          <div className="form-row log-task-row">
            <div className="field grow">
              <label htmlFor={ids.title}>Task</label>
              <input id={ids.title} type="text" maxLength={300} value={taskTitle} onChange={(e) => setTaskTitle(e.target.value)} placeholder={`Follow up with ${leadName}`} />
            </div>
            <div className="field">
              <label htmlFor={ids.due}>Due</label>
              <input id={ids.due} type="datetime-local" required value={taskDue} onChange={(e) => setTaskDue(e.target.value)} />
            </div>
          </div>
        ) : null}
        {log.isError ? <div className="error-note" role="alert">Not saved: {log.error.message}</div> : null}
        <footer className="modal-footer">
          <button type="button" className="button ghost" onClick={onClose}>Cancel</button>
          <button type="submit" className="button primary" disabled={log.isPending}>{log.isPending ? 'Saving…' : `Log ${label.toLowerCase()}`}</button>
        </footer>
      </form>
    </Modal>
  );
}
