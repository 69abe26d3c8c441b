/**
 * Rows in PostgreSQL's binary COPY format (`COPY … FROM STDIN (FORMAT binary)`), written straight
 * into one growing buffer: no text to build, escape and UTF-8-encode per field on our side, and no
 * text to parse per field on the server's (uuid_in, timestamptz_in... were ~10% of a contacts
 * import chunk's backend time). Each value must be encoded as the column's exact type: the binary
 * receive functions do not coerce (an int2 column takes 2 bytes, a float8 column 8).
 */

export type BinaryType = 'uuid' | 'text' | 'int2' | 'int4' | 'numeric' | 'float8' | 'timestamptz' | 'bool' | 'jsonb' | 'date';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const TWO_32 = 4294967296;

// Hex digit → value, -1 for anything else (uuids are decoded without a regex or parseInt per byte).
const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) { NIBBLE[65 + i] = 10 + i; NIBBLE[97 + i] = 10 + i; }

/** One value's field bytes (length word and value), to repeat with `encoded`. */
export function encodeField(type: BinaryType, v: unknown): Buffer {
  const w = new BinaryCopyWriter(64, false);
  w.value(type, v);
  return w.finish().subarray(0, -2);
}

export class BinaryCopyWriter {
  private buf: Buffer;
  private at = 0;

  constructor(expectedBytes: number, header = true) {
    this.buf = Buffer.allocUnsafe(Math.max(64, expectedBytes));
    if (!header) return;
    this.bytes(SIGNATURE);
    this.int32(0); // flags
    this.int32(0); // header extension length
  }

  /** Starts a row of `fields` values. */
  row(fields: number): void {
    this.ensure(2);
    this.buf.writeInt16BE(fields, this.at);
    this.at += 2;
  }

  null(): void { this.int32(-1); }

  /** One non-null value of `type`. */
  value(type: BinaryType, v: unknown): void {
    switch (type) {
      case 'text': return this.text(typeof v === 'string' ? v : String(v), false);
      case 'jsonb': return this.text(typeof v === 'string' ? v : JSON.stringify(v), true);
      case 'uuid': return this.uuid(v as string);
      case 'timestamptz': return this.timestamp(v instanceof Date ? v.getTime() : Number(v));
      case 'bool': this.int32(1); this.ensure(1); this.buf[this.at++] = v ? 1 : 0; return;
      case 'int2': this.int32(2); this.ensure(2); this.buf.writeInt16BE(integer(v, 'smallint', 32767), this.at); this.at += 2; return;
      case 'int4': this.int32(4); this.int32(integer(v, 'integer', 2147483647)); return;
      case 'float8': this.int32(8); this.ensure(8); this.buf.writeDoubleBE(Number(v), this.at); this.at += 8; return;
      case 'numeric': return this.numeric(Number(v));
      case 'date': return this.date(v);
    }
  }

  /** The bytes written so far followed by the trailer: the COPY payload. */
  finish(): Buffer {
    this.ensure(2);
    this.buf.writeInt16BE(-1, this.at);
    this.at += 2;
    return this.buf.subarray(0, this.at);
  }

  /** A field already encoded (its length word included), e.g. the same workspace id on every row. */
  encoded(field: Buffer): void { this.bytes(field); }

  /** A value as the bytes another value got (a column that repeats another one): copies the last field. */
  mark(): number { return this.at; }
  repeat(from: number, to: number): void {
    this.ensure(to - from);
    this.buf.copy(this.buf, this.at, from, to);
    this.at += to - from;
  }

  private ensure(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  private int32(n: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(n, this.at);
    this.at += 4;
  }

  private bytes(b: Buffer): void {
    this.ensure(b.length);
    b.copy(this.buf, this.at);
    this.at += b.length;
  }

  private text(s: string, jsonb: boolean): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    this.ensure(5 + s.length * 3);
    const start = this.at + 4 + (jsonb ? 1 : 0);
    if (jsonb) this.buf[this.at + 4] = 1; // jsonb binary format version
    const n = s.length === 0 ? 0 : this.buf.write(s, start, 'utf8');
    this.buf.writeInt32BE(n + (jsonb ? 1 : 0), this.at);
    this.at = start + n;
  }

  private uuid(s: string): void {
    if (typeof s !== 'string' || s.length !== 36 || s.charCodeAt(8) !== 45 || s.charCodeAt(13) !== 45 || s.charCodeAt(18) !== 45 || s.charCodeAt(23) !== 45) {
      throw new Error(`invalid input syntax for type uuid: "${String(s)}"`);
    }
    this.int32(16);
    this.ensure(16);
    let out = this.at;
    for (let i = 0; i < 36; i += 2) {
      if (i === 8 || i === 13 || i === 18 || i === 23) i++;
      const hi = NIBBLE[s.charCodeAt(i)] ?? -1;
      const lo = NIBBLE[s.charCodeAt(i + 1)] ?? -1;
      if (hi < 0 || lo < 0) throw new Error(`invalid input syntax for type uuid: "${s}"`);
      this.buf[out++] = (hi << 4) | lo;
    }
    this.at = out;
  }

  private timestamp(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError('Invalid time value');
    const us = (ms - PG_EPOCH_MS) * 1000;
    const hi = Math.floor(us / TWO_32);
    this.int32(8);
    this.ensure(8);
    this.buf.writeInt32BE(hi, this.at);
    this.buf.writeUInt32BE(us - hi * TWO_32, this.at + 4);
    this.at += 8;
  }

  private date(v: unknown): void {
    let ms: number;
    if (v instanceof Date) ms = v.getTime();
    else {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(v));
      if (!m) throw new Error(`invalid input syntax for type date: "${String(v)}"`);
      ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    }
    if (!Number.isFinite(ms)) throw new RangeError('Invalid time value');
    this.int32(4);
    this.int32(Math.floor((ms - PG_EPOCH_MS) / 86_400_000));
  }

  /** numeric as PostgreSQL would store the number's shortest decimal text (String(n)), scale included. */
  private numeric(n: number): void {
    if (!Number.isFinite(n)) {
      this.int32(8);
      this.int16s(0, 0, Number.isNaN(n) ? 0xc000 : n > 0 ? 0xd000 : 0xf000, 0);
      return;
    }
    const { negative, digits, point } = decimalOf(n);
    // digits with the decimal point after `point` digits: base-10000 groups aligned on the point.
    const intLen = Math.max(point, 0);
    const fracLen = digits.length - point; // the text's scale
    const lead = (4 - (intLen % 4)) % 4;
    const padded = '0'.repeat(lead + Math.max(-point, 0)) + digits + '0'.repeat((4 - ((lead + Math.max(-point, 0) + digits.length) % 4)) % 4);
    const groups: number[] = [];
    for (let i = 0; i < padded.length; i += 4) groups.push(Number(padded.slice(i, i + 4)));
    let weight = (lead + intLen) / 4 - 1;
    while (groups.length && groups[0] === 0) { groups.shift(); weight--; }
    while (groups.length && groups[groups.length - 1] === 0) groups.pop();
    const dscale = Math.max(fracLen, 0);
    if (groups.length === 0) weight = 0;
    this.int32(8 + groups.length * 2);
    this.int16s(groups.length, weight, groups.length && negative ? 0x4000 : 0, dscale);
    this.int16s(...groups);
  }

  private int16s(...values: number[]): void {
    this.ensure(values.length * 2);
    for (const v of values) {
      this.buf.writeUInt16BE(v & 0xffff, this.at);
      this.at += 2;
    }
  }
}

function integer(v: unknown, name: string, max: number): number {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n)) throw new Error(`invalid input syntax for type ${name}: "${String(v)}"`);
  if (n > max || n < -max - 1) throw new Error(`value "${String(v)}" is out of range for type ${name}`);
  return n;
}

/** The digits of String(n) (exponent form too) and where its decimal point falls. */
function decimalOf(n: number): { negative: boolean; digits: string; point: number } {
  const text = String(Math.abs(n));
  const [mantissa, exponent] = text.split('e') as [string, string | undefined];
  const dot = mantissa.indexOf('.');
  const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  const point = (dot < 0 ? mantissa.length : dot) + (exponent ? Number(exponent) : 0);
  // Strip leading zeros of the integer part ("0.25": digits "025", point 1 → "25", point 0).
  let strip = 0;
  while (strip < digits.length - 1 && digits[strip] === '0' && strip < point) strip++;
  let rest = digits.slice(strip);
  const at = point - strip;
  if (at > rest.length) rest += '0'.repeat(at - rest.length); // 1e+21: the integer's zeros
  return { negative: n < 0, digits: rest, point: at };
}
