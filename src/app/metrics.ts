import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Trx } from '../storage/db.ts';
import { pausedCrmConnectionCounts } from '../storage/crm.repo.ts';
import { jobQueueStats, slaStats } from '../storage/metrics.repo.ts';
import type { AppDeps } from './context.ts';
import { transactionRetries } from './transaction.ts';

import type { DomainEvents } from './events/domain-events.ts';
import type { EventHandler } from './events/dispatcher.ts';

// Business metrics counted where features meet: domain-event subscribers registered in compose.ts, so no feature
// imports a metrics library. One registry per process, like the dispatcher the subscribers hang on: the server's
// /metrics and the worker's metrics port both publish it next to their own. Counted when the event is published,
// inside its transaction: a transaction that later rolls back (a 500, retried by the client) is counted too.

export const businessRegistry = new Registry();

const storedActivities = new Counter({
  name: 'leadloop_ingest_activities_stored_total', help: 'Activities stored, by door (Segment API, snippet, forms, REST, import, nurture, …)',
  labelNames: ['door'], registers: [businessRegistry],
});
const scoringDuration = new Histogram({
  name: 'leadloop_scoring_duration_seconds',
  help: 'Time to score one stored batch of activities and act on it (qualification, hand-off, alerts queued), in its transaction',
  labelNames: ['door'], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [businessRegistry],
});
const leadsOpened = new Counter({ name: 'leadloop_leads_opened_total', help: 'Leads opened, by origin', labelNames: ['origin'], registers: [businessRegistry] });
const transitions = new Counter({ name: 'leadloop_lead_transitions_total', help: 'Lead stage transitions, by target stage', labelNames: ['to'], registers: [businessRegistry] });
const mqls = new Counter({ name: 'leadloop_mqls_opened_total', help: 'Leads that became MQL (sales-ready), by who decided (rule, user, key)', labelNames: ['actor'], registers: [businessRegistry] });

// Infrastructure, not a feature: read from the transaction helper's own counts at scrape time.
new Counter({
  name: 'leadloop_db_transaction_retries_total',
  help: 'Transactions run again after PostgreSQL cancelled them (kind: deadlock or serialization); a steady rate means writers contend',
  labelNames: ['kind'], registers: [businessRegistry],
  collect() { this.reset(); for (const [kind, n] of Object.entries(transactionRetries)) this.inc({ kind }, n); },
});

/** Counts stored activities per door. */
export async function countStoredActivities(_trx: Trx, event: DomainEvents['ActivitiesStored']): Promise<void> {
  storedActivities.inc({ door: event.channel }, event.activities.length);
}

/** Counts opened leads. */
export async function countLeadOpened(_trx: Trx, event: DomainEvents['LeadOpened']): Promise<void> {
  leadsOpened.inc({ origin: event.origin });
}

/** Counts transitions, and MQLs among them. */
export async function countLeadTransitioned(_trx: Trx, event: DomainEvents['LeadTransitioned']): Promise<void> {
  transitions.inc({ to: event.to });
  if (event.to === 'mql') mqls.inc({ actor: event.actor.type });
}

/** Wraps the scoring subscriber of ActivitiesStored with the latency histogram (failures are timed too). */
export function timedScoring(handler: EventHandler<'ActivitiesStored'>): EventHandler<'ActivitiesStored'> {
  return async (trx, event) => {
    const stop = scoringDuration.startTimer({ door: event.channel });
    try {
      await handler(trx, event);
    } finally {
      stop();
    }
  };
}

/**
 * Gauges read from the database at scrape time, shared by the server and the worker: the job queue per task,
 * SLA breaches and paused CRM connectors. Each scrape costs three small grouped queries.
 */
export function registerDatabaseGauges(registry: Registry, deps: AppDeps): void {
  const db = deps.db;
  let stats: Promise<Awaited<ReturnType<typeof jobQueueStats>>> | null = null;
  // The three job gauges come from one query per scrape (the first collect starts it, the others share it).
  const queue = () => (stats ??= jobQueueStats(db).finally(() => setTimeout(() => { stats = null; }, 0)));
  new Gauge({
    name: 'leadloop_job_queue_depth', help: 'Jobs due now (waiting or running), by task', labelNames: ['task'], registers: [registry],
    async collect() { this.reset(); for (const s of await queue()) this.set({ task: s.task }, s.due); },
  });
  new Gauge({
    name: 'leadloop_job_queue_oldest_age_seconds', help: 'How long the oldest waiting due job has waited, by task (0: none waiting)', labelNames: ['task'], registers: [registry],
    async collect() { this.reset(); for (const s of await queue()) this.set({ task: s.task }, s.oldestDueSeconds); },
  });
  new Gauge({
    name: 'leadloop_jobs_failed_permanently', help: 'Jobs out of attempts (kept, never run again), by task', labelNames: ['task'], registers: [registry],
    async collect() { this.reset(); for (const s of await queue()) this.set({ task: s.task }, s.failedPermanently); },
  });
  new Gauge({
    name: 'leadloop_sla_breached_open', help: 'SLA clocks breached and still running (nobody has acted on the lead yet)', registers: [registry],
    async collect() { this.set((await slaStats(db)).breachedOpen); },
  });
  new Counter({
    name: 'leadloop_sla_escalations_total', help: 'SLA escalations made (reminders, manager alerts, reassignments), since the database began', registers: [registry],
    async collect() { this.reset(); this.inc((await slaStats(db)).escalations); },
  });
  // A CRM connector paused on refused credentials stops syncing until someone reconnects it: alert on > 0.
  new Gauge({
    name: 'leadloop_crm_connectors_paused', help: 'CRM connectors paused (credentials expired or revoked), by provider', labelNames: ['provider'], registers: [registry],
    async collect() {
      this.reset();
      for (const p of ['salesforce', 'hubspot'] as const) this.set({ provider: p }, 0);
      for (const { provider, paused } of await pausedCrmConnectionCounts(deps.db)) this.set({ provider }, paused);
    },
  });
}

/** What a scrape returns: this registry, then the process-wide business metrics (src/app/metrics.ts). */
export async function scrape(registry: Registry): Promise<{ contentType: string; body: string }> {
  const merged = Registry.merge([registry, businessRegistry]);
  return { contentType: registry.contentType, body: await merged.metrics() };
}
