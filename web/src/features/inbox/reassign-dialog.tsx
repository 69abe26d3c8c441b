import type { Lead, User } from '../../api/types.ts';
import { Modal } from '../../ui/modal.tsx';

/** Reassigning moves a rep's work and restarts its SLA clocks, so the owner menu asks before it does. */
export function ReassignDialog({ lead, leadName, from, to, onCancel, onConfirm }: {
  lead: Lead; leadName: string; from: string; to: User; onCancel: () => void; onConfirm: () => void;
}) {
  return (
    <Modal title="Reassign lead?" open onClose={onCancel}>
      <div className="stack">
        <p>Move <strong>{leadName}</strong> from {from} to <strong>{to.name || to.email}</strong>?</p>
        <p className="muted small">{lead.sla ? 'Its SLA clock restarts for the new owner, who gets an alert.' : 'The new owner gets an alert.'} You can undo for a few seconds.</p>
        <footer className="modal-footer">
          <button type="button" className="button ghost" onClick={onCancel}>Cancel</button>
          <button type="button" className="button primary" onClick={onConfirm}>Reassign</button>
        </footer>
      </div>
    </Modal>
  );
}
