import type { Lead } from '../../storage/leads.repo.ts';
import type { SlaClock } from '../../core/sla/sla-clock.rules.ts';
import { listLeadsWithOverdueClocks, listOpenClocksForLeads } from '../../storage/sla-clocks.repo.ts';
import type { AppDeps, simulatedClock } from '../context.ts';
import { submitForm } from '../forms.ts';
import { runSlaCheck } from '../handoff/sla-check.ts';
import { ingestMessages } from '../ingest-messages.ts';
import type { IngestPipeline } from '../ingest-pipeline.ts';
import { patchContact } from '../contacts.ts';
import { searchLeads } from '../leads.ts';
import { recordOnlyMailer } from '../mailer.ts';
import { sweepNurtureEnrollments } from '../nurture/nurture-enrollment.ts';
import { runDueNurture } from '../nurture/run-nurture.ts';
import type { Act, EnrichAct, FormAct, MessageAct } from './acts.ts';
import { planMql } from './sales.ts';
import { HOUR, type DemoWorld, type Person } from './world.ts';

/**
 * Runs the demo year through the doors in time order: the people's Segment traffic in batches (as
 * a CDP forwards it, each message with its own timestamp) into the same ingestion pipeline as
 * /v1/batch, their forms through the forms endpoint's use case, sales' moves through the lead and
 * deal use cases, and the worker's timers (SLA checks, nurture enrolment and sends) at simulated
 * times. The simulated clock is set to each act's time, so scoring, routing, SLA clocks and nurture
 * see the year as they would have lived it.
 */

export type Simulation = {
  world: DemoWorld; seed: number; deps: AppDeps; clock: ReturnType<typeof simulatedClock>; pipeline: IngestPipeline; workspaceId: string;
  schedule: (act: Act) => void;
  /** MQLs already handed to sales (per person), so each gets one plan. */
  mqlsSeen: Map<number, number>;
};

/**
 * The year runs in windows of simulated time. A window's Segment traffic goes in one batch (as a CDP
 * forwards it in a daily sync; each message keeps its own timestamp, and an MQL is stamped at the
 * batch's time, the window's last message), its forms are posted a few at a time, each at its own
 * instant, then sales acts in order. A day per batch (not half a day) halves the ingestion calls,
 * the demo's largest fixed cost.
 */
const WINDOW_MS = 24 * HOUR;
/** The simulated worker runs its timers (SLA checks, nurture sends) every this many windows. */
const WORKER_EVERY_WINDOWS = 1;
/**
 * The enrolment sweep (the worker's `nurture-enroll` safety net) runs weekly in the demo: new
 * inquiries and leads sales hands back enrol at once through the stage hooks, so the sweep only
 * catches stragglers, and re-reading every candidate daily was a fifth of the demo's time.
 */
const SWEEP_EVERY_DAYS = 7;
/** Nurture ticks processed at once, like a worker with several slots: each enrollment is a different person (one voice per person). */
const WORKER_CONCURRENCY = 4;
/** Forms (and enrichment calls) of one window sent at once: different people, each request with its own clock. */
const FORM_CONCURRENCY = 8;

export async function runSimulation(base: Omit<Simulation, 'schedule' | 'mqlsSeen'>, acts: Act[], onProgress: (fraction: number) => void): Promise<{ messages: number; forms: number; sales: number }> {
  const heap = new ActHeap();
  for (const act of acts) heap.push(act);
  // Nothing is scheduled in the simulated past: a step due earlier runs now.
  const sim: Simulation = { ...base, schedule: (act) => heap.push({ ...act, ms: Math.max(act.ms, base.clock.now().getTime()) }), mqlsSeen: new Map() };
  const { deps, clock, world, workspaceId } = sim;
  const people = new Map<string, Person>();
  let sent = 0;
  let forms = 0;
  let salesActs = 0;
  const planned = new Set<string>();
  const nurtureDeps = { ...deps, mailer: recordOnlyMailer, publicUrl: 'http://127.0.0.1:3000' };
  // Wall time per phase (DEMO_TIMING=1 prints it): where a slow demo spends its time.
  const spent: Record<string, number> = {};
  const timed = async <X>(phase: string, f: () => Promise<X>): Promise<X> => {
    const t0 = performance.now();
    try { return await f(); } finally { spent[phase] = (spent[phase] ?? 0) + performance.now() - t0; }
  };

  const observe = async (): Promise<void> => {
    const waiting = await searchLeads(deps, workspaceId, { stage: ['mql'] }, { limit: 5000 });
    const fresh: { lead: Lead; person: Person }[] = [];
    for (const lead of waiting.data) {
      const key = `${lead.id}@${lead.stageEnteredAt.getTime()}`;
      const person = people.get(lead.contactId);
      if (planned.has(key) || !person) continue;
      planned.add(key);
      fresh.push({ lead, person });
    }
    fresh.sort((a, b) => a.person.index - b.person.index);
    for (const f of fresh) planMql(sim, f.person, f.lead);
  };
  const remember = (person: Person, contactId: string | null) => {
    if (!contactId) return;
    person.contactId = contactId;
    people.set(contactId, person);
  };
  const ingest = async (batch: MessageAct[]): Promise<void> => {
    if (batch.length === 0) return;
    const messages = batch.map((a) => ({ ...a.message, messageId: `demo-${String(++sent).padStart(7, '0')}`, timestamp: new Date(a.ms).toISOString() }));
    // The demo's identify calls stand for badge-scan lists and CRM syncs (see acts.ts): a server key's traffic.
    const outcome = await ingestMessages(at(deps, batch[batch.length - 1]!.ms), sim.pipeline, workspaceId, { messages, channel: 'segment', trust: 'server' });
    if (outcome.errors.length) throw new Error(`demo traffic refused by the ingestion door: ${outcome.errors[0]!.message}`);
    batch.forEach((a, i) => remember(a.person, outcome.contactIds[i] ?? null));
  };
  const submit = async (act: FormAct): Promise<void> => {
    const result = await submitForm(at(deps, act.ms), sim.pipeline, workspaceId, act.formId, { fields: act.fields, trust: 'public' });
    if (!result.ok) throw new Error(`demo form ${act.formId} refused by the forms door: ${result.message}`);
    forms++;
    remember(act.person, result.value.contactId);
  };
  const enrich = async (act: EnrichAct): Promise<void> => {
    const { person } = act;
    if (!person.contactId) return;
    const patched = await patchContact(at(deps, act.ms), workspaceId, person.contactId, { seniority: person.seniority, department: person.department });
    if (!patched.ok) throw new Error(`demo enrichment refused by the contacts API: ${patched.message}`);
  };
  let lastWorkerMs = world.startMs;
  let lastSweepMs = -Infinity;
  const runWorker = async (ms: number): Promise<void> => {
    clock.set(new Date(ms));
    // The SLA timers that came due since the last run fire, as the worker's `sla:<leadId>` jobs would
    // at their run_at (nextWakeUp: a clock's due time, then each unfired escalation step). A breached
    // clock whose steps all fired stays "overdue" for good but has no timer left: it is not re-run.
    const overdue = (await timed('slalist', () => listLeadsWithOverdueClocks(deps.db, new Date(ms), 10_000))).filter((d) => d.workspaceId === workspaceId);
    const clocks = await timed('slalist', () => listOpenClocksForLeads(deps.db, workspaceId, overdue.map((d) => d.leadId)));
    for (const [leadId, running] of clocks) {
      if (running.some((c) => timerDue(c.clock, lastWorkerMs, ms))) await timed('slacheck', () => runSlaCheck(deps, workspaceId, leadId));
    }
    lastWorkerMs = ms;
    if (ms - lastSweepMs >= SWEEP_EVERY_DAYS * 24 * HOUR || ms >= world.nowMs) {
      lastSweepMs = ms;
      await timed('sweep', () => sweepNurtureEnrollments(deps, new Date(ms), { workspaceId }));
    }
    await timed('nurture', () => runDueNurture(nurtureDeps, new Date(ms), { workspaceId, concurrency: WORKER_CONCURRENCY }));
  };

  for (let end = world.startMs + WINDOW_MS, n = 1; heap.size > 0 || end - WINDOW_MS < world.nowMs; end += WINDOW_MS, n++) {
    const windowEnd = Math.min(end, world.nowMs);
    const batch: MessageAct[] = [];
    const posts: (FormAct | EnrichAct)[] = [];
    const sales: Act[] = [];
    for (let next = heap.peek(); next && next.ms < windowEnd; next = heap.peek()) {
      const act = heap.pop()!;
      if (act.kind === 'message') batch.push(act);
      else if (act.kind === 'form' || act.kind === 'enrich') posts.push(act);
      else sales.push(act);
    }
    await timed('ingest', () => ingest(batch));
    // Forms first (they make people known), then the enrichment calls about them.
    for (const kind of ['form', 'enrich'] as const) {
      for (const slice of independentSlices(posts.filter((p) => p.kind === kind), FORM_CONCURRENCY)) {
        await timed(kind, () => Promise.all(slice.map((p) => (p.kind === 'form' ? submit(p) : enrich(p)))));
      }
    }
    if (batch.length || posts.length) await timed('observe', observe);
    // Sales acts in time order, including follow-ups they schedule within this window.
    for (let act = sales.shift(); act; act = sales.shift() ?? (heap.peek() && heap.peek()!.ms < windowEnd ? heap.pop() : undefined)) {
      if (act.kind !== 'sales') { heap.push({ ...act, ms: windowEnd }); continue; }
      clock.set(new Date(act.ms));
      await timed('sales', act.run);
      salesActs++;
    }
    if (n % WORKER_EVERY_WINDOWS === 0 || windowEnd >= world.nowMs) {
      await runWorker(windowEnd);
      onProgress(Math.min(1, (windowEnd - world.startMs) / (world.nowMs - world.startMs)));
    }
    // Acts scheduled for after now (a deal closing next month) never happen in the demo.
    if (windowEnd >= world.nowMs) break;
  }
  if (process.env.DEMO_TIMING) console.error(Object.entries(spent).map(([k, v]) => `${k}=${(v / 1000).toFixed(1)}s`).join(' '));
  return { messages: sent, forms, sales: salesActs };
}

/** Whether the `sla-check` timer of a running clock fired in (fromMs, toMs]: its due time, or an escalation step not yet fired. */
function timerDue(clock: SlaClock, fromMs: number, toMs: number): boolean {
  const due = clock.dueAt.getTime();
  return (due > fromMs && due <= toMs) || clock.escalation.some((step) => step.firedAt === null && step.dueAt.getTime() <= toMs);
}

/**
 * Consecutive groups of at most `max` acts, in order, where no two acts of a group concern the same person or the
 * same company. Requests sent side by side race: two forms by one person (or by two colleagues, who share an account
 * and its score) would commit in either order, and which one opened the inquiry changed from run to run.
 */
export function independentSlices<A extends { person: Person }>(acts: A[], max: number): A[][] {
  const slices: A[][] = [];
  let current: A[] = [];
  const taken = new Set<object>();
  for (const act of acts) {
    const keys: object[] = act.person.account ? [act.person, act.person.account] : [act.person];
    if (current.length >= max || keys.some((k) => taken.has(k))) {
      slices.push(current);
      current = [];
      taken.clear();
    }
    current.push(act);
    for (const k of keys) taken.add(k);
  }
  if (current.length) slices.push(current);
  return slices;
}

/** The same dependencies on a clock stopped at `ms`: one request arriving at that instant. */
function at(deps: AppDeps, ms: number): AppDeps {
  const now = new Date(ms);
  return { db: deps.db, clock: { now: () => new Date(now) } };
}

/** A binary min-heap of acts by time; ties keep insertion order, so the run is reproducible. */
class ActHeap {
  private items: { act: Act; seq: number }[] = [];
  private seq = 0;
  get size(): number { return this.items.length; }
  peek(): Act | undefined { return this.items[0]?.act; }
  push(act: Act): void {
    const items = this.items;
    items.push({ act, seq: this.seq++ });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }
  pop(): Act | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (!top || !last) return undefined;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.less(l, m)) m = l;
        if (r < items.length && this.less(r, m)) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m]!, items[i]!];
        i = m;
      }
    }
    return top.act;
  }
  private less(a: number, b: number): boolean {
    const x = this.items[a]!;
    const y = this.items[b]!;
    return x.act.ms < y.act.ms || (x.act.ms === y.act.ms && x.seq < y.seq);
  }
}
