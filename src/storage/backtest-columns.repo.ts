import pg from 'pg';
import type { ActivityColumns, ActivityShape, ShapeFields } from '../core/definitions/backtest-columns.ts';
import { copyOutBinary } from './copy-out.ts';
import { poolOf, type DbOrTrx } from './db.ts';
import { isUuid } from './ids.ts';

/**
 * The backtest's fast read: the workspace's activities as columns over one binary COPY, decoded without
 * per-row objects (split from backtest-source.repo.ts, which keeps the paged reader and the facts).
 */


export type ColumnReadOptions = {
  to?: Date | null;
  /** The shape fields to fetch (core's shapeFieldsRead). */
  fields: ShapeFields;
  /** Signature of a shape (core's ShapeClassifier); called once per distinct shape while its cache holds. */
  classify: (shape: ActivityShape) => number;
  /** Rows read so far, every 2^16 rows. */
  onRows?: (rows: number) => void;
  /** About how many rows to expect (e.g. the planner's estimate): the columns are allocated once for that many. */
  expectedRows?: number;
};

/** 2000-01-01 (PostgreSQL's binary timestamp origin) in microseconds since 1970. */
const PG_EPOCH_US = 946_684_800_000_000;
const TWO_32 = 4_294_967_296;

/**
 * The workspace's activities (before `to`) as columns for the core's column replay: one
 * `COPY … TO STDOUT (FORMAT binary)` in storage order, no ORDER BY (sorting 10M rows cost
 * PostgreSQL more than the whole scan; the core sorts by contact in O(n)). Binary keeps PostgreSQL's
 * per-row output cheap (uuids and timestamps are sent as bytes: `extract(epoch …)` numeric
 * arithmetic had cost as much as the scan) and parsing here allocation-free. Each row is contact,
 * time, id, then the shape fields some rule reads; the shape's bytes are looked up in a cache, so
 * only a new shape is decoded and classified. Null when `db` has no pool of its own (a transaction):
 * use streamActivities then.
 */
export async function readActivityColumns(db: DbOrTrx, workspaceId: string, options: ColumnReadOptions): Promise<ActivityColumns | null> {
  const pool = poolOf(db);
  if (!pool) return null;
  // COPY takes no parameters: the id is checked before it is written into the statement.
  if (!isUuid(workspaceId)) throw new Error(`Invalid workspace id ${workspaceId}`);
  const decoder = activityColumnDecoder(options);
  const to = options.to ? `AND occurred_at < ${pg.escapeLiteral(options.to.toISOString())}::timestamptz` : '';
  const query = `COPY (SELECT ${decoder.select}
    FROM activity WHERE workspace_id = '${workspaceId}' ${to}) TO STDOUT (FORMAT binary)`;
  await copyOutBinary(pool, query, decoder.row, { setup: 'SET enable_indexscan = off', teardown: 'RESET enable_indexscan' });
  return decoder.finish();
}

/**
 * The SELECT list of the activity COPY and the decoder of its binary rows into columns (apart from
 * the query, for benchmarks and tests over saved COPY output).
 */
export function activityColumnDecoder(options: ColumnReadOptions): { select: string; row: (buf: Buffer, at: number) => number; finish: () => ActivityColumns } {
  const literal = (s: string) => pg.escapeLiteral(s);
  const f = options.fields;
  // Decoders of the shape columns, in SELECT order.
  type Field = { sql: string; set: (shape: ActivityShape, buf: Buffer, at: number, len: number) => void };
  const text = (buf: Buffer, at: number, len: number) => buf.toString('utf8', at, at + len);
  const columns: Field[] = [{ sql: 'type', set: (s, b, at, len) => { (s as { type: string }).type = text(b, at, len); } }];
  if (f.content) columns.push({ sql: 'content_id', set: (s, b, at) => { s.contentId = uuidText(b, at); } });
  if (f.url) columns.push({ sql: 'url', set: (s, b, at, len) => { s.url = text(b, at, len); } });
  if (f.campaign) columns.push({ sql: 'coalesce(utm_campaign, campaign_id::text)', set: (s, b, at, len) => { s.campaign = text(b, at, len); } });
  if (f.source) columns.push({ sql: 'source', set: (s, b, at, len) => { s.source = text(b, at, len); } });
  if (f.medium) columns.push({ sql: 'medium', set: (s, b, at, len) => { s.medium = text(b, at, len); } });
  if (f.eventName) columns.push({ sql: 'event_name', set: (s, b, at, len) => { s.eventName = text(b, at, len); } });
  for (const [key, types] of f.properties) {
    const value = `properties -> ${literal(key)}`;
    // jsonb in binary: a version byte (1), then the jsonb text; JSON.parse gives what parsing the whole document gives.
    columns.push({
      sql: types === 'all' ? value : `CASE WHEN type IN (${[...types].map(literal).join(', ')}) THEN ${value} END`,
      set: (s, b, at, len) => { s.properties[key] = JSON.parse(text(b, at + 1, len - 1)); },
    });
  }

  const contacts = new UuidOrdinals();
  const shapes = new ShapeCache();
  let capacity = Math.max(1 << 16, Math.ceil((options.expectedRows ?? 0) * 1.05));
  let contact = new Int32Array(capacity);
  let us = new Float64Array(capacity);
  let signature = new Int32Array(capacity);
  let idWords = new Uint32Array(capacity * 4);
  let count = 0;
  const fieldCount = 3 + columns.length;

  const decodeShape = (buf: Buffer, at: number): ActivityShape => {
    const shape: ActivityShape = { type: 'custom', contentId: null, url: null, campaign: null, source: null, medium: null, eventName: null, properties: {} };
    for (const c of columns) {
      const len = buf.readInt32BE(at);
      at += 4;
      if (len < 0) continue;
      c.set(shape, buf, at, len);
      at += len;
    }
    return shape;
  };

  const onRow = (buf: Buffer, at: number): number => {
    if (((buf[at] as number) << 8 | (buf[at + 1] as number)) !== fieldCount) throw new Error('COPY binary: unexpected field count');
    if (count === capacity) {
      capacity *= 2;
      contact = grow(contact, new Int32Array(capacity));
      us = grow(us, new Float64Array(capacity));
      signature = grow(signature, new Int32Array(capacity));
      idWords = grow(idWords, new Uint32Array(capacity * 4));
    }
    // contact_id (uuid, 16 bytes), occurred_at (int8 µs since 2000), id (uuid): all NOT NULL.
    contact[count] = contacts.ordinal(buf, at + 6);
    us[count] = i32(buf, at + 26) * TWO_32 + (i32(buf, at + 30) >>> 0) + PG_EPOCH_US;
    const w = count * 4;
    idWords[w] = i32(buf, at + 38);
    idWords[w + 1] = i32(buf, at + 42);
    idWords[w + 2] = i32(buf, at + 46);
    idWords[w + 3] = i32(buf, at + 50);
    // The shape: every remaining field, length words included (so the bytes say which fields are null).
    const start = at + 54;
    let end = start;
    for (let k = 3; k < fieldCount; k++) {
      const len = i32(buf, end);
      end += len > 0 ? 4 + len : 4;
    }
    let sig = shapes.get(buf, start, end);
    if (sig < 0) {
      sig = options.classify(decodeShape(buf, start));
      shapes.set(buf, start, end, sig);
    }
    signature[count] = sig;
    count++;
    if ((count & 0xffff) === 0) options.onRows?.(count);
    return end;
  };
  return {
    select: `contact_id, occurred_at, id, ${columns.map((c) => c.sql).join(', ')}`,
    row: onRow,
    finish: () => {
      options.onRows?.(count);
      return {
        count, contactIds: contacts.ids(), contact: contact.subarray(0, count), us: us.subarray(0, count),
        signature: signature.subarray(0, count), idWords: idWords.subarray(0, count * 4),
      };
    },
  };
}

/** A big-endian int32 (Buffer's readInt32BE without its argument checks: the hot loop reads ~10 per row). */
const i32 = (b: Buffer, p: number): number => ((b[p] as number) << 24) | ((b[p + 1] as number) << 16) | ((b[p + 2] as number) << 8) | (b[p + 3] as number);

function grow<T extends Int32Array | Float64Array | Uint32Array>(from: T, to: T): T {
  to.set(from as never);
  return to;
}

function uuidText(buf: Buffer, at: number): string {
  const h = buf.toString('hex', at, at + 16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const mix = (h: number): number => {
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
};

/**
 * Contact uuids (16 bytes) → dense ordinals, in first-seen order: open addressing, no allocation per
 * lookup. A slot holds the key's four words and ordinal + 1 together, so a lookup touches one cache
 * line (with 100k contacts a split table cost two misses per activity).
 */
class UuidOrdinals {
  private table = new Int32Array(5 << 12);
  private slots = 1 << 12;
  private size = 0;

  ordinal(buf: Buffer, at: number): number {
    // Signed words (as i32 reads them) compare for equality like unsigned ones.
    const w0 = i32(buf, at), w1 = i32(buf, at + 4), w2 = i32(buf, at + 8), w3 = i32(buf, at + 12);
    const table = this.table;
    const mask = this.slots - 1;
    let slot = mix(w0 ^ Math.imul(w1, 0x9e3779b1) ^ Math.imul(w2, 0x85ebca77) ^ Math.imul(w3, 0xc2b2ae3d)) & mask;
    for (;;) {
      const k = slot * 5;
      const e = table[k + 4] as number;
      if (e === 0) break;
      if (table[k] === w0 && table[k + 1] === w1 && table[k + 2] === w2 && table[k + 3] === w3) return e - 1;
      slot = (slot + 1) & mask;
    }
    const ordinal = this.size++;
    const k = slot * 5;
    table[k] = w0;
    table[k + 1] = w1;
    table[k + 2] = w2;
    table[k + 3] = w3;
    table[k + 4] = ordinal + 1;
    if (this.size * 2 > this.slots) this.rehash();
    return ordinal;
  }

  private rehash(): void {
    const old = this.table;
    this.slots *= 2;
    const table = new Int32Array(this.slots * 5);
    const mask = this.slots - 1;
    for (let k = 0; k < old.length; k += 5) {
      if (old[k + 4] === 0) continue;
      let slot = mix((old[k] as number) ^ Math.imul(old[k + 1] as number, 0x9e3779b1)
        ^ Math.imul(old[k + 2] as number, 0x85ebca77) ^ Math.imul(old[k + 3] as number, 0xc2b2ae3d)) & mask;
      while (table[slot * 5 + 4] !== 0) slot = (slot + 1) & mask;
      table.set(old.subarray(k, k + 5), slot * 5);
    }
    this.table = table;
  }

  ids(): string[] {
    const out: string[] = new Array(this.size);
    const words = new Int32Array(4);
    const bytes = Buffer.from(words.buffer);
    for (let k = 0; k < this.table.length; k += 5) {
      const e = this.table[k + 4] as number;
      if (e === 0) continue;
      // The words were read big-endian; written back big-endian they are the uuid's bytes.
      for (let w = 0; w < 4; w++) bytes.writeInt32BE(this.table[k + w] as number, w * 4);
      out[e - 1] = uuidText(bytes, 0);
    }
    return out;
  }
}

/**
 * Shape bytes → signature. A history has few distinct shapes, but URLs with unique query strings
 * could make many: the cache starts over when it grows past its bounds (a shape is then classified
 * again, which gives the same signature).
 */
class ShapeCache {
  private static readonly MAX_ENTRIES = 1 << 18;
  private static readonly MAX_BYTES = 32 << 20;
  private table = new Int32Array(1 << 12);
  private hashes = new Int32Array(1 << 10);
  private offsets = new Int32Array(1 << 10);
  private lengths = new Int32Array(1 << 10);
  private sigs = new Int32Array(1 << 10);
  private arena = Buffer.alloc(1 << 16);
  private used = 0;
  private size = 0;
  private lastHash = 0;

  private hash(buf: Buffer, start: number, end: number): number {
    let h = 0x811c9dc5 ^ (end - start);
    let i = start;
    for (; i + 4 <= end; i += 4) h = Math.imul(h ^ i32(buf, i), 0x01000193);
    for (; i < end; i++) h = Math.imul(h ^ (buf[i] as number), 0x01000193);
    return mix(h) | 0;
  }

  /** The signature of these bytes, or -1 (then call set() with the same bytes). */
  get(buf: Buffer, start: number, end: number): number {
    const h = this.hash(buf, start, end);
    this.lastHash = h;
    const mask = this.table.length - 1;
    const len = end - start;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const e = this.table[slot] as number;
      if (e === 0) return -1;
      const k = e - 1;
      if (this.hashes[k] === h && this.lengths[k] === len && this.same(buf, start, len, this.offsets[k] as number)) return this.sigs[k] as number;
    }
  }

  private same(buf: Buffer, start: number, len: number, offset: number): boolean {
    const arena = this.arena;
    for (let i = 0; i < len; i++) if (buf[start + i] !== arena[offset + i]) return false;
    return true;
  }

  set(buf: Buffer, start: number, end: number, sig: number): void {
    const len = end - start;
    if (this.size >= ShapeCache.MAX_ENTRIES || this.used + len > ShapeCache.MAX_BYTES) this.clear();
    if (this.size === this.hashes.length) {
      const n = this.size * 2;
      this.hashes = grow(this.hashes, new Int32Array(n));
      this.offsets = grow(this.offsets, new Int32Array(n));
      this.lengths = grow(this.lengths, new Int32Array(n));
      this.sigs = grow(this.sigs, new Int32Array(n));
    }
    if (this.used + len > this.arena.length) {
      const arena = Buffer.alloc(Math.max(this.arena.length * 2, this.used + len));
      this.arena.copy(arena, 0, 0, this.used);
      this.arena = arena;
    }
    buf.copy(this.arena, this.used, start, end);
    const k = this.size++;
    this.hashes[k] = this.lastHash;
    this.offsets[k] = this.used;
    this.lengths[k] = len;
    this.sigs[k] = sig;
    this.used += len;
    if (this.size * 2 > this.table.length) this.rehash();
    else this.insert(this.table, k);
  }

  private insert(table: Int32Array, k: number): void {
    const mask = table.length - 1;
    let slot = (this.hashes[k] as number) & mask;
    while (table[slot] !== 0) slot = (slot + 1) & mask;
    table[slot] = k + 1;
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2);
    for (let k = 0; k < this.size; k++) this.insert(table, k);
    this.table = table;
  }

  private clear(): void {
    this.table.fill(0);
    this.size = 0;
    this.used = 0;
  }
}
