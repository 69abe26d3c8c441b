import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { fail, ok, type Result } from '../../core/result.ts';
import {
  emptyAllowlist, hostAllowed, judgeAddress, parseTargetUrl, refusedTarget, type OutboundAllowlist,
} from '../../core/webhooks/target.rules.ts';

/**
 * Outgoing calls to addresses someone typed in (webhook endpoints, integration URLs). Checked twice:
 * when the target is saved (resolved now, every address judged: a clear 400 before anything is
 * stored) and when each request connects — the connection's own DNS lookup is the one judged, so a
 * name that resolved to a public address at save time and to 169.254.169.254 later (DNS rebinding)
 * is refused before a byte is sent, and nothing it could answer is read or stored.
 */

function resolveAll(host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));
}

/** Save-time check: the URL's shape, then every address its host resolves to. `path` names the field in errors. */
export async function checkTarget(raw: string, allow: OutboundAllowlist = emptyAllowlist, path = 'body.url'): Promise<Result<string>> {
  const parsed = parseTargetUrl(raw, path);
  if (!parsed.ok) return parsed;
  const { url, host, literal } = parsed.value;
  if (hostAllowed(host, allow)) return ok(url.toString());
  let addresses: string[];
  if (literal) addresses = [literal];
  else {
    try {
      addresses = (await resolveAll(host)).map((a) => a.address);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'lookup failed';
      return fail('ValidationFailed', `The host '${host}' could not be resolved (${code}); check the spelling of the URL, or that its DNS record exists.`,
        [{ path, message: 'a host name that resolves' }]);
    }
  }
  for (const address of addresses) {
    const verdict = judgeAddress(address, allow);
    if (!verdict.allowed) return refusedTarget(host, address, verdict.reason, path);
  }
  return ok(url.toString());
}

/** Raised (as the request's error) when a connection would reach a refused address. */
export class TargetRefused extends Error {
  override name = 'TargetRefused';
  /** Where the refused address was given (e.g. `body.login_url`) and why, for a 400's details. */
  constructor(message: string, readonly details: { path: string; message: string }[] = []) { super(message); }
}

/**
 * The same save-time check for clients that make their own requests (the CRM connectors): resolves
 * and judges now, before every sign-in and sync, and throws TargetRefused with the refusal's
 * what/why/how (the address and the rule, never anything the target answered).
 */
export async function assertTarget(raw: string, allow: OutboundAllowlist = emptyAllowlist, path = 'url'): Promise<string> {
  const checked = await checkTarget(raw, allow, path);
  if (!checked.ok) throw new TargetRefused(checked.message, checked.details);
  return checked.value;
}

/**
 * A node:http(s) agent whose connections judge their own DNS answers (as `postToTarget` does), for
 * clients that accept an agent: a name that rebinds inside after the check is refused at connect time.
 * IP literals skip DNS, so callers check the URL with `assertTarget` first.
 */
export function guardedAgent(rawUrl: string, allow: OutboundAllowlist = emptyAllowlist): HttpAgent | HttpsAgent {
  const options = { lookup: guardedLookup(allow) as never };
  return new URL(rawUrl).protocol === 'http:' ? new HttpAgent(options) : new HttpsAgent(options);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for node:http that judges every address a name resolves to before the socket connects. */
function guardedLookup(allow: OutboundAllowlist) {
  return (host: string, options: { all?: boolean; family?: number }, callback: LookupCallback): void => {
    dnsLookup(host, { all: true, verbatim: true, family: options.family ?? 0 }, (err, addresses) => {
      if (err) return callback(err, []);
      if (!hostAllowed(host.toLowerCase(), allow)) {
        for (const a of addresses) {
          const verdict = judgeAddress(a.address, allow);
          if (!verdict.allowed) return callback(new TargetRefused(`refused target: ${host} now resolves to ${a.address}, ${verdict.reason}`), []);
        }
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${host} has no address`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
}

export type PostOutcome = { status: number; snippet: string | null };

const SNIPPET_CHARS = 500;

/** The start of an answer: stops reading after a few KB, so a huge or endless body costs nothing. */
function readSnippet(res: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      res.destroy();
      // PostgreSQL text refuses NUL, and other control characters say nothing to a reader either.
      const text = Buffer.concat(chunks).toString('utf8').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').slice(0, SNIPPET_CHARS).trim();
      resolve(text || null);
    };
    res.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.byteLength;
      if (size >= SNIPPET_CHARS * 4) done();
    });
    res.once('end', done);
    res.once('error', done);
    res.once('aborted', done);
  });
}

export class PostTimeout extends Error {
  override name = 'TimeoutError';
}

/**
 * POSTs `body` to a checked target: the address is judged again as the socket connects, redirects are
 * not followed (the configured address is the only one that gets the signed body), and at most the
 * first 500 characters of the answer are kept. Rejects with TargetRefused, PostTimeout or a network error.
 */
export async function postToTarget(rawUrl: string, input: { body: string; headers: Record<string, string>; timeoutMs: number; allow?: OutboundAllowlist }): Promise<PostOutcome> {
  const allow = input.allow ?? emptyAllowlist;
  const parsed = parseTargetUrl(rawUrl, 'url');
  if (!parsed.ok) throw new TargetRefused(`refused target: ${parsed.message}`);
  const { url, host, literal } = parsed.value;
  // An IP literal never goes through lookup, so it is judged here.
  if (literal && !hostAllowed(host, allow)) {
    const verdict = judgeAddress(literal, allow);
    if (!verdict.allowed) throw new TargetRefused(`refused target: ${literal} is ${verdict.reason}`);
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<PostOutcome>((resolve, reject) => {
    const req = send(url, {
      method: 'POST', lookup: guardedLookup(allow) as never, agent: false,
      headers: { ...input.headers, 'content-length': String(Buffer.byteLength(input.body)) },
    });
    const timer = setTimeout(() => req.destroy(new PostTimeout(`timed out after ${input.timeoutMs} ms`)), input.timeoutMs);
    req.once('error', (e) => { clearTimeout(timer); reject(e); });
    req.once('response', (res) => {
      void readSnippet(res).then((snippet) => { clearTimeout(timer); resolve({ status: res.statusCode ?? 0, snippet }); });
    });
    req.end(input.body);
  });
}

/** Why an attempt failed, as the delivery log shows it. */
export function describeFailure(e: unknown, timeoutMs: number): string {
  const err = e as Error;
  if (err.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  if (err.name === 'TargetRefused') return err.message;
  return `request failed: ${err.message}`;
}
