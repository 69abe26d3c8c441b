/**
 * The cursor of a change feed (polling lists by change, for n8n/Zapier-style integrations): the
 * position of the last row seen, `(change_xid, id)`. Written as `chg1.<xid>.<uuid>`; callers treat
 * it as opaque and send it back as `cursor`.
 */
export type ChangePosition = { xid: string; id: string };

const PATTERN = /^chg1\.(\d{1,20})\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export function encodeChangeCursor(p: ChangePosition): string {
  return `chg1.${p.xid}.${p.id}`;
}

export function decodeChangeCursor(cursor: string): ChangePosition | null {
  const m = PATTERN.exec(cursor);
  return m ? { xid: m[1]!, id: m[2]! } : null;
}
