import http from 'node:http';

/**
 * The alert benchmark's background load, in its own process (forked): page views of anonymous
 * visitors (ten pages each) through POST /v1/batch at a steady rate, in small batches every tick,
 * as browser SDKs flush them. Runs until told to stop, then reports what it sent.
 */
type Job = { url: string; key: string; perSecond: number; batchEveryMs: number; run: string };

let stopping = false;
process.on('message', (m: Job | 'stop') => {
  if (m === 'stop') { stopping = true; return; }
  void send(m).then((r) => { process.send!(r); process.exit(0); }, (e) => { process.send!({ error: String(e) }); process.exit(1); });
});

async function send(job: Job) {
  const target = new URL('/v1/batch', job.url);
  // A bounded keep-alive pool: an unbounded client would measure the kernel's backlog.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const auth = `Basic ${Buffer.from(`${job.key}:`).toString('base64')}`;
  let sent = 0;
  let errors = 0;
  let requests = 0;
  const inFlight = new Set<Promise<void>>();
  const post = (body: string) => new Promise<void>((resolve) => {
    const req = http.request(target, { method: 'POST', agent, headers: { authorization: auth, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => { if (res.statusCode !== 200) errors++; resolve(); });
    });
    req.on('error', () => { errors++; resolve(); });
    req.end(body);
  });
  const started = performance.now();
  process.send!({ started: true });
  while (!stopping) {
    const due = Math.floor(((performance.now() - started) / 1000) * job.perSecond) - sent;
    if (due > 0) {
      const batch = [];
      for (let i = 0; i < due; i++, sent++) {
        const visitor = Math.floor(sent / 10);
        batch.push({
          type: 'page', messageId: `${job.run}-load-${sent}`, anonymousId: `${job.run}-anon-${visitor}`, timestamp: new Date().toISOString(),
          properties: { url: `https://acme.example/page-${(visitor + sent) % 40}`, title: 'Acme', referrer: 'https://www.google.com/' },
        });
      }
      requests++;
      const p = post(JSON.stringify({ batch, sentAt: new Date().toISOString() })).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await new Promise((r) => setTimeout(r, job.batchEveryMs));
  }
  const seconds = (performance.now() - started) / 1000;
  await Promise.allSettled([...inFlight]);
  // Offered rate: sent / seconds. Served rate: sent / the time until the last answer came back.
  const servedSeconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { sent, seconds, servedSeconds, requests, errors };
}
