import { useCallback, useEffect, useRef, useState } from 'react';

/** How long a decision waits for "Undo" before it is sent. Long enough to notice a misclick, short enough not to forget. */
export const UNDO_WINDOW_MS = 6_000;

export type PendingAction = {
  /** The lead the decision is about (its row shows the pending state). */
  leadId: string;
  /** What the row should look like meanwhile: gone from the list (reject) or moved (accept, reassign). */
  effect: 'hide' | 'keep';
  /** "Accepting Ada Lovelace" — shown with the Undo button. */
  label: string;
  run: () => void;
};

/**
 * Decisions in the inbox (accept, reject, hand back, reassign) are held for a few seconds with an Undo
 * button before they are sent. Holding is what makes undo honest: nothing was recorded, so nothing needs
 * reverting (a reverse transition would add a false "sal → mql" move to the lead's history and restart its
 * SLA clocks). A second decision sends the held one at once; leaving the inbox sends it too, and closing
 * the tab while one is held asks the browser to confirm.
 */
export function useUndoable(windowMs = UNDO_WINDOW_MS) {
  const [pending, setPending] = useState<PendingAction | null>(null);
  const held = useRef<{ action: PendingAction; timer: ReturnType<typeof setTimeout> } | null>(null);

  const flush = useCallback(() => {
    const h = held.current;
    if (!h) return;
    held.current = null;
    clearTimeout(h.timer);
    setPending(null);
    h.action.run();
  }, []);

  const hold = useCallback((action: PendingAction) => {
    flush();
    held.current = { action, timer: setTimeout(flush, windowMs) };
    setPending(action);
  }, [flush, windowMs]);

  const undo = useCallback(() => {
    const h = held.current;
    if (!h) return null;
    held.current = null;
    clearTimeout(h.timer);
    setPending(null);
    return h.action;
  }, []);

  useEffect(() => {
    const warn = (e: BeforeUnloadEvent) => {
      if (held.current) e.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => {
      window.removeEventListener('beforeunload', warn);
      flush();
    };
  }, [flush]);

  return { pending, hold, undo, flush };
}
