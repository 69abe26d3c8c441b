import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import { fail, ok, type Result } from '../../core/result.ts';

/** One data row: `row` is its number as a spreadsheet shows it (the header is row 1). */
export type CsvRow = { row: number; values: string[] };

/** A file that cannot be read as CSV at all; the import stops before writing anything. */
export class CsvStructureError extends Error {
  constructor(message: string, readonly path = 'file') { super(message); }
}

/** Index of the first byte that is not part of a valid UTF-8 sequence, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let need = 0;
    let min = 0;
    if (b < 0x80) { i++; continue; }
    if (b >= 0xc2 && b <= 0xdf) { need = 1; min = 0x80; } else if (b >= 0xe0 && b <= 0xef) { need = 2; min = 0x800; } else if (b >= 0xf0 && b <= 0xf4) { need = 3; min = 0x10000; } else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      if (i + k >= bytes.length) return -1; // truncated at the end: the next chunk may complete it
      const c = bytes[i + k]!;
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/**
 * Bytes → text, refusing anything that is not UTF-8 (a Latin-1 or UTF-16 export would otherwise
 * import garbled names). The decoder is fatal, streaming across chunk boundaries; on failure we
 * locate the exact byte and its line so the user can find it.
 */
class Utf8Guard extends Transform {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private offset = 0;
  private lines = 1;
  private tail: Buffer = Buffer.alloc(0);

  constructor() { super({ decodeStrings: true, readableObjectMode: false, encoding: 'utf8' }); }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      return done(this.failure(chunk));
    }
    this.countLines(chunk);
    this.offset += chunk.length;
    // Keep the last bytes: an error in the next chunk may start in a sequence split across the boundary.
    this.tail = Buffer.from(chunk.subarray(Math.max(0, chunk.length - 3)));
    done(null, text);
  }

  override _flush(done: TransformCallback): void {
    try {
      const rest = this.decoder.decode();
      done(null, rest);
    } catch {
      done(new CsvStructureError(`The file is not valid UTF-8: it ends in the middle of a character (byte offset ${this.offset}, line ${this.lines}). Save it as UTF-8 (Excel: "CSV UTF-8") and import again.`));
    }
  }

  private countLines(chunk: Buffer, upTo = chunk.length) {
    let at = chunk.indexOf(10);
    while (at !== -1 && at < upTo) { this.lines++; at = chunk.indexOf(10, at + 1); }
  }

  private failure(chunk: Buffer): CsvStructureError {
    const joined = Buffer.concat([this.tail, chunk]);
    const base = this.offset - this.tail.length;
    // The tail may begin mid-sequence; start scanning at its first lead byte.
    let start = 0;
    while (start < this.tail.length && (joined[start]! & 0xc0) === 0x80) start++;
    const found = firstInvalidUtf8(joined.subarray(start));
    const at = found === -1 ? this.tail.length : start + found;
    const inChunk = Math.max(0, at - this.tail.length);
    this.countLines(chunk, inChunk);
    const byte = joined[at] ?? 0;
    return new CsvStructureError(`The file is not valid UTF-8: byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')} at byte offset ${base + at} (line ${this.lines}) is not part of a UTF-8 character. Save the file as UTF-8 (Excel: "CSV UTF-8") and import again; nothing was imported.`);
  }
}

/** Parses a CSV byte stream into records (header first), with back-pressure: memory stays flat. */
export function csvRecords(input: Readable): AsyncIterable<string[]> {
  const parser = parse({ relax_column_count: true, skip_empty_lines: true, bom: true });
  const out = pipeline(input, new Utf8Guard(), parser, () => {});
  return (async function* () {
    try {
      for await (const record of out) yield record as string[];
    } catch (e) {
      if (e instanceof CsvStructureError) throw e;
      if (e instanceof CsvError) throw new CsvStructureError(`The file is not valid CSV: ${e.message}. Nothing was imported.`);
      throw e;
    }
  })();
}

/** Data rows in chunks of `size`, after the header. */
export async function* csvChunks(input: Readable, size: number): AsyncGenerator<CsvRow[]> {
  let rowNumber = 0;
  let chunk: CsvRow[] = [];
  for await (const values of csvRecords(input)) {
    rowNumber++;
    if (rowNumber === 1) continue;
    chunk.push({ row: rowNumber, values });
    if (chunk.length >= size) { yield chunk; chunk = []; }
  }
  if (chunk.length > 0) yield chunk;
}

export type CsvScan = { headers: string[]; rows: number };

/**
 * The structural pass: reads the whole file once (UTF-8, CSV syntax, header) without keeping it,
 * so that a broken file is refused before the first row is written.
 */
export async function scanCsv(input: Readable): Promise<Result<CsvScan>> {
  let headers: string[] | null = null;
  let rows = 0;
  try {
    for await (const record of csvRecords(input)) {
      if (headers === null) headers = record.map((h) => h.trim());
      else rows++;
    }
  } catch (e) {
    if (e instanceof CsvStructureError) return fail('ValidationFailed', e.message, [{ path: e.path, message: e.message }]);
    throw e;
  }
  if (headers === null || headers.every((h) => h === '')) {
    return fail('ValidationFailed', 'The file is empty: it needs a header row naming the columns.', [{ path: 'file', message: 'no header row' }]);
  }
  const seen = new Set<string>();
  for (const h of headers) {
    if (seen.has(h.toLowerCase()) && h !== '') return fail('ValidationFailed', `The header names column '${h}' twice; column names must be unique.`, [{ path: h, message: 'duplicate column' }]);
    seen.add(h.toLowerCase());
  }
  return ok({ headers, rows });
}
