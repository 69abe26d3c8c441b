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

type DataStream = { listeners(event: 'data'): ((chunk: Buffer) => void)[]; on(event: 'data', f: (chunk: Buffer) => void): void; removeListener(event: 'data', f: (chunk: Buffer) => void): void };

/**
 * `COPY (query) TO STDOUT (FORMAT binary)`, rows handed over as raw bytes: `onRow(buf, at)` gets
 * the buffer and the offset of a row's field count (int16) and returns the offset after the row.
 * The buffer is only valid during the call. PostgreSQL sends one row per CopyData message (the
 * file header rides with the first), so rows never straddle messages; a message that does not end
 * on a row boundary fails the read rather than being misread.
 *
 * For the duration of the COPY the CopyData frames are read straight off the connection's socket:
 * pg's parser would build a message object, a Buffer view and an event per row (about a third of
 * the backtest's Node time at 10M rows, and most of its garbage). Every other message (CopyOut
 * response, CopyDone, CommandComplete, errors, notices, ReadyForQuery) is passed to pg's own parser
 * unchanged, whole, and at ReadyForQuery the socket is handed back. If the socket does not look as
 * expected (one data listener), pg's CopyData messages are used instead.
 */
export async function copyOutBinary(
  pool: pg.Pool, text: string, onRow: (buf: Buffer, at: number) => number, options: { setup?: string; teardown?: string } = {},
): Promise<number> {
  const client = await pool.connect();
  let healthy = false;
  let restore: (() => void) | null = null;
  try {
    if (options.setup) await client.query(options.setup);
    let rows = 0;
    let header = true;
    let failure: Error | null = null;
    const consume = (buf: Buffer, start: number, end: number): void => {
      if (failure) return;
      let at = start;
      try {
        if (header) {
          if (end - start < 19 || buf.compare(BINARY_SIGNATURE, 0, 11, start, start + 11) !== 0) throw new Error('COPY binary: missing file header');
          at = start + 19 + buf.readInt32BE(start + 15);
          header = false;
        }
        while (at < end) {
          if (buf.readInt16BE(at) === -1) { at += 2; continue; }
          const next = onRow(buf, at);
          if (!(next > at)) throw new Error('COPY binary: the row reader did not advance');
          at = next;
          rows++;
        }
        if (at !== end) throw new Error('COPY binary: a row straddles protocol messages');
      } catch (e) {
        failure = e as Error;
      }
    };
    await new Promise<void>((resolve) => {
      const submittable = {
        submit: (connection: { stream: DataStream; query(text: string): void }) => {
          restore = takeOver(connection.stream, consume);
          connection.query(text);
        },
        handleCopyData: (msg: { chunk: Buffer }) => consume(msg.chunk, 0, msg.chunk.length),
        handleError: (e: Error) => { failure ??= e; resolve(); },
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
    (restore as (() => void) | null)?.();
    client.release(healthy ? undefined : true);
  }
}

/**
 * Reads CopyData ('d') frames off `stream` into `consume` and forwards every other message to pg's
 * listener, until ReadyForQuery ('Z'), which is forwarded after pg's listener is back in place.
 * Returns a function that gives the socket back early (on failure); null when the stream does not
 * have exactly one data listener.
 */
function takeOver(stream: DataStream, consume: (buf: Buffer, start: number, end: number) => void): (() => void) | null {
  const listeners = stream.listeners('data');
  if (listeners.length !== 1) return null;
  const forward = listeners[0]!;
  let active = true;
  let carry: Buffer | null = null;
  const give = () => {
    if (!active) return;
    active = false;
    stream.removeListener('data', onData);
    stream.on('data', forward);
  };
  const onData = (chunk: Buffer): void => {
    let buf = chunk;
    if (carry) { buf = Buffer.concat([carry, chunk]); carry = null; }
    let at = 0;
    let pass = -1;
    while (at + 5 <= buf.length) {
      const code = buf[at] as number;
      const end = at + 1 + buf.readInt32BE(at + 1);
      if (end > buf.length) break;
      if (code === 0x64) {
        if (pass >= 0) { forward(buf.subarray(pass, at)); pass = -1; }
        consume(buf, at + 5, end);
      } else {
        if (pass < 0) pass = at;
        if (code === 0x5a) {
          // ReadyForQuery: pg takes the socket back first, then sees this message and anything after it.
          give();
          forward(buf.subarray(pass));
          return;
        }
      }
      at = end;
    }
    if (pass >= 0) forward(buf.subarray(pass, at));
    if (at < buf.length) carry = Buffer.from(buf.subarray(at));
  };
  stream.removeListener('data', forward);
  stream.on('data', onData);
  return give;
}
