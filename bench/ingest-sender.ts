import http from 'node:http';
import { benchEvent, segmentMessage } from './ingest-events.ts';

/**
 * The client side of the ingest benchmark, in its own process (forked) so that building and
 * sending requests does not share an event loop with the server it measures.
 */
type Job = { url: string; key: string; events: number; batchSize: number; concurrency: number; run: string };

process.once('message', (job: Job) => {
  void send(job).then((result) => { process.send!(result); process.exit(0); }, (e) => { process.send!({ error: String(e) }); process.exit(1); });
});

async function send(job: Job) {
  const target = new URL('/v1/batch', job.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency });
  const auth = `Basic ${Buffer.from(`${job.key}:`).toString('base64')}`;
  let next = 0;
  let failed = 0;
  let stored = 0;
  let duplicates = 0;
  let invalid = 0;
  const post = (body: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(target, { method: 'POST', agent, headers: { authorization: auth, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
  const started = performance.now();
  async function worker() {
    while (next < job.events) {
      const from = next;
      const to = Math.min(job.events, from + job.batchSize);
      next = to;
      const batch = [];
      for (let i = from; i < to; i++) batch.push(segmentMessage(benchEvent(i, job.run)));
      const body = JSON.stringify({ batch, sentAt: new Date().toISOString() });
      // A client retries what failed, as the SDKs do; idempotency makes that safe.
      for (let attempt = 0; ; attempt++) {
        const r = await post(body);
        if (r.status === 200) {
          const o = JSON.parse(r.body);
          stored += o.stored; duplicates += o.duplicates; invalid += o.errors.length;
          break;
        }
        failed++;
        if (attempt > 5) throw new Error(`batch ${from}-${to} failed: ${r.status} ${r.body.slice(0, 300)}`);
      }
    }
  }
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  const ms = performance.now() - started;
  agent.destroy();
  return { ms, failedRequests: failed, stored, duplicates, invalid };
}
