import type pg from 'pg';

/**
 * `COPY (query) TO STDOUT` (text format) over pg's own protocol support (a custom submittable, as the
 * ingest benchmark does for COPY FROM): rows arrive as raw text, one protocol message each, and are
 * parsed here without pg's per-row type parsing and object building. Yields batches of parsed rows;
 * the socket is paused while more than `maxQueued` batches wait, so memory stays bounded when the
 * consumer is slower than the server. `setup` runs first on the same connection (e.g. SET work_mem)
 * and `teardown` after (e.g. RESET work_mem).
 */
export async function* copyOut<T>(
  pool: pg.Pool, text: string, parse: (row: string) => T,
  options: { batchRows?: number; maxQueued?: number; setup?: string; teardown?: string } = {},
): AsyncGenerator<T[]> {
  const batchRows = options.batchRows ?? 20_000;
  const maxQueued = options.maxQueued ?? 4;
  const client = await pool.connect();
  let healthy = false;
  try {
    if (options.setup) await client.query(options.setup);
    const ready: T[][] = [];
    let batch: T[] = [];
    let finished = false;
    let failure: Error | null = null;
    let stream: { pause(): void; resume(): void } | null = null;
    let paused = false;
    let wake: (() => void) | null = null;
    const notify = () => { const w = wake; wake = null; w?.(); };
    const submittable = {
      submit: (connection: { stream: { pause(): void; resume(): void }; query(text: string): void }) => {
        stream = connection.stream;
        connection.query(text);
      },
      handleCopyData: (msg: { chunk: Buffer }) => {
        if (failure) return;
        // The parser reuses its buffer: decode now. Every row ends with a newline.
        const chunk = msg.chunk;
        try {
          batch.push(parse(chunk.toString('utf8', 0, chunk.length - 1)));
        } catch (e) {
          failure = e as Error;
          return;
        }
        if (batch.length >= batchRows) {
          ready.push(batch);
          batch = [];
          if (ready.length >= maxQueued && !paused && stream) { paused = true; stream.pause(); }
          notify();
        }
      },
      handleError: (e: Error) => { failure ??= e; },
      handleReadyForQuery: () => {
        if (batch.length) ready.push(batch);
        batch = [];
        finished = true;
        notify();
      },
      handleCommandComplete: () => {}, handleRowDescription: () => {}, handleDataRow: () => {}, handleEmptyQuery: () => {},
      handlePortalSuspended: () => {}, handleCopyInResponse: (connection: { sendCopyFail(m: string): void }) => connection.sendCopyFail('not a COPY FROM'),
    };
    void client.query(submittable as never);
    for (;;) {
      const next = ready.shift();
      if (next) {
        if (paused && ready.length < maxQueued / 2) { paused = false; stream!.resume(); }
        yield next;
        continue;
      }
      if (finished) break;
      await new Promise<void>((resolve) => { wake = resolve; });
    }
    if (failure) throw failure;
    if (options.teardown) await client.query(options.teardown);
    healthy = true;
  } finally {
    // Abandoned midway (the consumer stopped or a row failed to parse): the connection is mid-COPY, drop it.
    client.release(healthy ? undefined : true);
  }
}

/** Splits a COPY text-format row into fields: null for \N, backslash escapes decoded. */
export function copyFields(row: string): (string | null)[] {
  const fields: (string | null)[] = row.split('\t');
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (f === '\\N') fields[i] = null;
    else if (f.includes('\\')) fields[i] = unescapeCopy(f);
  }
  return fields;
}

const simple: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** Decodes COPY text escapes: \\b \\f \\n \\r \\t \\v, octal \\NNN, hex \\xHH, and any other escaped character as itself. */
export function unescapeCopy(f: string): string {
  let out = '';
  let i = 0;
  while (i < f.length) {
    const c = f[i]!;
    if (c !== '\\' || i + 1 >= f.length) { out += c; i++; continue; }
    const n = f[i + 1]!;
    if (simple[n] !== undefined) { out += simple[n]; i += 2; continue; }
    if (n >= '0' && n <= '7') {
      let j = i + 1;
      let v = 0;
      while (j < f.length && j < i + 4 && f[j]! >= '0' && f[j]! <= '7') v = v * 8 + (f.charCodeAt(j++) - 48);
      out += String.fromCharCode(v);
      i = j;
      continue;
    }
    if (n === 'x' && /^[0-9a-fA-F]/.test(f[i + 2] ?? '')) {
      const hex = /^[0-9a-fA-F]{1,2}/.exec(f.slice(i + 2))![0];
      out += String.fromCharCode(parseInt(hex, 16));
      i += 2 + hex.length;
      continue;
    }
    out += n;
    i += 2;
  }
  return out;
}

const BINARY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * `COPY (query) TO STDOUT (FORMAT binary)`, rows handed over as raw bytes: `onRow(buf, at)` gets
 * the buffer and the offset of a row's field count (int16) and returns the offset after the row.
 * The buffer is pg's and is reused: read it, don't keep it. PostgreSQL sends one row per CopyData
 * message (the file header rides with the first), so rows never straddle messages; a message that
 * does not end on a row boundary fails the read rather than being misread.
 */
export async function copyOutBinary(
  pool: pg.Pool, text: string, onRow: (buf: Buffer, at: number) => number, options: { setup?: string; teardown?: string } = {},
): Promise<number> {
  const client = await pool.connect();
  let healthy = false;
  try {
    if (options.setup) await client.query(options.setup);
    let rows = 0;
    let header = true;
    let failure: Error | null = null;
    await new Promise<void>((resolve) => {
      const submittable = {
        submit: (connection: { query(text: string): void }) => connection.query(text),
        handleCopyData: (msg: { chunk: Buffer }) => {
          if (failure) return;
          const buf = msg.chunk;
          let at = 0;
          try {
            if (header) {
              if (buf.length < 19 || buf.compare(BINARY_SIGNATURE, 0, 11, 0, 11) !== 0) throw new Error('COPY binary: missing file header');
              at = 19 + buf.readInt32BE(15);
              header = false;
            }
            while (at < buf.length) {
              if (buf.readInt16BE(at) === -1) { at += 2; continue; }
              at = onRow(buf, at);
              rows++;
            }
            if (at !== buf.length) throw new Error('COPY binary: a row straddles protocol messages');
          } catch (e) {
            failure = e as Error;
          }
        },
        handleError: (e: Error) => { failure ??= e; },
        handleReadyForQuery: () => resolve(),
        handleCommandComplete: () => {}, handleRowDescription: () => {}, handleDataRow: () => {}, handleEmptyQuery: () => {},
        handlePortalSuspended: () => {}, handleCopyInResponse: (connection: { sendCopyFail(m: string): void }) => connection.sendCopyFail('not a COPY FROM'),
      };
      void client.query(submittable as never);
    });
    if (failure) throw failure;
    if (options.teardown) await client.query(options.teardown);
    healthy = true;
    return rows;
  } finally {
    client.release(healthy ? undefined : true);
  }
}
