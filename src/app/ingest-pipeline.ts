import { contentUrlKey } from '../core/event-mapping.rules.ts';
import type { ActivityType } from '../core/activity.ts';
import type { Db, Trx } from '../storage/db.ts';
import { loadIngestLookups } from '../storage/ingest.repo.ts';

/**
 * The ingestion pipeline (ARCHITECTURE §2): validate → dedupe by messageId → resolve identity →
 * persist activity → post-persist steps. The first four are fixed (src/app/ingest-messages.ts);
 * the post-persist steps are the extension point: scoring, qualification and alert enqueueing plug
 * in here, in the composition root (src/main.ts), without touching ingestion.
 *
 * A step runs inside the batch's transaction, after the activities are written, and sees only the
 * activities actually stored by this request (duplicates are not re-processed). It answers the
 * activities it could not handle: `drop` (counted, e.g. "not scoreable") or `dead_letter` (kept in
 * the dead-letter table with the step's name and reason). Activities stay stored either way: they
 * are the system of record. A step that throws rolls the whole batch back and the client gets a
 * 500, so it retries: an acknowledged event is never lost and never half-processed.
 */
export type IngestContext = { workspaceId: string; receivedAt: Date; channel: string };

export type PersistedActivity = {
  id: string; contactId: string; type: ActivityType; occurredAt: Date; source: string | null; medium: string | null;
  campaignId: string | null; utmCampaign: string | null; contentId: string | null; url: string | null;
  eventName: string | null; properties: Record<string, unknown>; messageId: string | null;
};

export type StepVerdict = { activityId: string; outcome: 'drop' | 'dead_letter'; reason: string };
export type IngestStep = {
  name: string;
  run: (trx: Trx, ctx: IngestContext, persisted: readonly PersistedActivity[]) => Promise<readonly StepVerdict[] | void>;
  /**
   * Only for batches that merged contacts (rare; batches without merges never call it): runs after
   * identity, traits and groups are written and before the batch's activities are stored, so a
   * step can rebuild what the merged history changes (scores) without counting those activities twice.
   */
  merged?: (trx: Trx, ctx: IngestContext, merges: readonly { winnerId: string; loserId: string }[]) => Promise<void>;
  /**
   * After `run`: the contacts an identify in this batch gave their first email (contact id → the
   * identify's time), so a step can judge history made while the person was still anonymous.
   */
  identified?: (trx: Trx, ctx: IngestContext, identified: ReadonlyMap<string, Date>) => Promise<void>;
};

/** Counts since the process started; exposed at GET /api/v1/ingest/stats. Nothing is dropped uncounted. */
export type IngestCounters = {
  received: number; stored: number; duplicates: number; deadLettered: number; identityOnly: number;
  dropped: Record<string, number>;
};

export type IngestLookups = {
  contentByUrl: Map<string, string>; contentIds: Set<string>; campaignByUtm: Map<string, string>;
};

export type IngestPipeline = {
  steps: readonly IngestStep[];
  counters: IngestCounters;
  countDrop: (reason: string, n?: number) => void;
  lookups: (db: Db, workspaceId: string) => Promise<IngestLookups>;
  /** Forget cached content/campaign lookups (after assets or campaigns change, in tests). */
  invalidateLookups: (workspaceId?: string) => void;
  /** With `profile: true`: wall-clock milliseconds spent per ingest stage since the start (benchmarks). */
  profile?: Record<string, number>;
};

// Content assets and campaigns change rarely; a short TTL keeps the hot path free of those queries
// while a newly created asset is recognized within seconds.
const DEFAULT_LOOKUP_TTL_MS = 5_000;

export function createIngestPipeline(options: { steps?: readonly IngestStep[]; lookupTtlMs?: number; profile?: boolean } = {}): IngestPipeline {
  const ttl = options.lookupTtlMs ?? DEFAULT_LOOKUP_TTL_MS;
  const cache = new Map<string, { until: number; value: Promise<IngestLookups> }>();
  const counters: IngestCounters = { received: 0, stored: 0, duplicates: 0, deadLettered: 0, identityOnly: 0, dropped: {} };
  return {
    steps: options.steps ?? [],
    counters,
    countDrop: (reason, n = 1) => { counters.dropped[reason] = (counters.dropped[reason] ?? 0) + n; },
    lookups: (db, workspaceId) => {
      // Operational time (not the business clock): a simulated clock must not freeze the cache.
      const nowMs = performance.now();
      const hit = cache.get(workspaceId);
      if (hit && hit.until > nowMs) return hit.value;
      const value = loadIngestLookups(db, workspaceId).then((l) => {
        const contentByUrl = new Map<string, string>();
        for (const c of l.content) {
          for (const u of [c.url, ...c.urls]) {
            const key = contentUrlKey(u);
            if (key) contentByUrl.set(key, c.id);
          }
        }
        return { contentByUrl, contentIds: new Set(l.content.map((c) => c.id)), campaignByUtm: new Map(l.campaigns.map((c) => [c.utm.toLowerCase(), c.id])) };
      });
      value.catch(() => cache.delete(workspaceId));
      cache.set(workspaceId, { until: nowMs + ttl, value });
      return value;
    },
    invalidateLookups: (workspaceId) => { if (workspaceId) cache.delete(workspaceId); else cache.clear(); },
    ...(options.profile ? { profile: {} } : {}),
  };
}

/** A stopwatch over the pipeline's profile: `lap(stage)` adds the time since the previous lap; free when profiling is off. */
export function stopwatch(pipeline: IngestPipeline): (stage: string) => void {
  const profile = pipeline.profile;
  if (!profile) return () => {};
  let last = performance.now();
  return (stage) => {
    const now = performance.now();
    profile[stage] = (profile[stage] ?? 0) + now - last;
    last = now;
  };
}
