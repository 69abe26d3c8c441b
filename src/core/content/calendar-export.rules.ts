import { csvCell } from '../csv.ts';

/** One planned asset of the editorial calendar, as exports see it. */
export type PlanEntry = {
  id: string; title: string; plannedOn: string; ownerId: string | null; ownerEmail: string | null;
  targetStage: string | null; targetPersona: string | null; targetTopic: string | null; status: string; notes: string | null;
};

const csvColumns = ['id', 'title', 'planned_on', 'owner', 'target_stage', 'target_persona', 'target_topic', 'status', 'notes'] as const;

/**
 * RFC 4180 field: quoted when it holds a comma, quote or line break. Cells starting with = + - @
 * get a leading apostrophe so spreadsheet apps do not run them as formulas (CSV injection).
 */
/** A calendar CSV field: empty for null, otherwise the shared CSV cell. */
export const csvField = (value: string | null): string => csvCell(value ?? '');

export function calendarCsv(entries: readonly PlanEntry[]): string {
  const rows = entries.map((e) => [e.id, e.title, e.plannedOn, e.ownerEmail ?? e.ownerId, e.targetStage, e.targetPersona, e.targetTopic, e.status, e.notes].map(csvField).join(','));
  return [csvColumns.join(','), ...rows].join('\r\n') + '\r\n';
}

/** RFC 5545 §3.3.11 TEXT: backslash, semicolon, comma and newlines escaped. */
export function icsText(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r\n|\r|\n/g, '\\n');
}

const utf8Length = (cp: number) => (cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4);

/**
 * RFC 5545 §3.1 folding: lines longer than 75 octets continue on the next line after CRLF and
 * one space; a multi-byte character is never split.
 */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const n = utf8Length(ch.codePointAt(0)!);
    const limit = out.length === 0 ? 75 : 74; // continuation lines spend one octet on the leading space
    if (octets + n > limit) { out.push(current); current = ''; octets = 0; }
    current += ch;
    octets += n;
  }
  out.push(current);
  return out.join('\r\n ');
}

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
const dateValue = (isoDate: string) => isoDate.replace(/-/g, '');
function nextDay(isoDate: string): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
const icsStatus: Record<string, string> = { cancelled: 'CANCELLED', published: 'CONFIRMED', in_progress: 'CONFIRMED' };

/**
 * The editorial calendar as iCalendar (RFC 5545): one all-day VEVENT per planned asset with a
 * stable UID (so re-imports update instead of duplicating), CRLF line endings and folded lines.
 */
export function calendarIcs(entries: readonly PlanEntry[], o: { now: Date; calendarName: string; uidDomain: string }): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Leadloop//Editorial calendar//EN', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH', `X-WR-CALNAME:${icsText(o.calendarName)}`];
  for (const e of entries) {
    const description = [
      e.targetStage && `Stage: ${e.targetStage}`, e.targetPersona && `Persona: ${e.targetPersona}`, e.targetTopic && `Topic: ${e.targetTopic}`,
      e.ownerEmail && `Owner: ${e.ownerEmail}`, `Status: ${e.status}`, e.notes,
    ].filter(Boolean).join('\n');
    lines.push('BEGIN:VEVENT', `UID:${e.id}@${o.uidDomain}`, `DTSTAMP:${stamp(o.now)}`, `DTSTART;VALUE=DATE:${dateValue(e.plannedOn)}`,
      `DTEND;VALUE=DATE:${dateValue(nextDay(e.plannedOn))}`, `SUMMARY:${icsText(e.title)}`, `DESCRIPTION:${icsText(description)}`,
      `STATUS:${icsStatus[e.status] ?? 'TENTATIVE'}`, 'TRANSP:TRANSPARENT', 'END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
