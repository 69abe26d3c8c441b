import type { BulkTouch } from '../../storage/bulk.repo.ts';
import { browse, engage, firstTouch, identify, returnVisit, type Journey } from './journey.ts';
import { generatePeople } from './people.ts';
import { appendSlaHistory } from './sla-history.ts';
import { simulateLead, type LeadResult } from './waterfall.ts';
import { DAY, HOUR, MINUTE, type ChunkRows, type DemoWorld, type Person } from './world.ts';

export function emptyChunk(): ChunkRows {
  return {
    accounts: [], contacts: [], identities: [], activities: [], leads: [], transitions: [], opportunities: [],
    contactRoles: [], opportunityLeads: [], stageChanges: [], slaClocks: [], slaEscalations: [],
  };
}

/**
 * Generates `count` contacts (numbered from `firstIndex`) with their journeys, leads and deals,
 * plus the rows of companies that get their first contact here. Colleagues named on a deal are
 * always from this chunk or an earlier one, so their rows already exist.
 */
export function generateChunk(world: DemoWorld, firstIndex: number, count: number): ChunkRows {
  const rows = emptyChunk();
  const people = generatePeople(world, count, firstIndex);
  for (const person of people) {
    const account = person.account;
    if (account && !account.written) {
      account.written = true;
      rows.accounts.push(account.row);
    }
  }
  for (const person of people) livePerson(world, rows, person);
  appendSlaHistory(world, rows);
  return rows;
}

function livePerson(world: DemoWorld, rows: ChunkRows, person: Person): void {
  const { rng } = world;
  const j: Journey = { person, drafts: [] };
  const t0 = person.firstTouchMs;
  const endMs = world.nowMs - MINUTE;
  firstTouch(world, j);
  if (person.kind === 'anonymous') {
    browse(world, j, t0 + MINUTE, Math.min(endMs, t0 + rng.between(1, 5) * DAY), rng.int(0, 3));
    finish(world, rows, j, null, []);
    return;
  }
  const immediate = person.entry.spec.channel === 'event' || person.entry.spec.channel === 'content_syndication';
  const identifyMs = immediate ? t0
    : person.showcase ? t0 + rng.between(2, 24) * HOUR
      : Math.min(endMs - 10 * MINUTE, t0 + Math.max(3 * MINUTE, rng.exp(4 * DAY)));
  if (identifyMs - t0 > 5 * MINUTE) browse(world, j, t0 + MINUTE, identifyMs - 2 * MINUTE, rng.int(0, 3));
  const formId = identify(world, j, identifyMs);
  const engagedUntil = Math.min(endMs, identifyMs + Math.max(14 * DAY, rng.exp(150 * DAY)));
  const touches = Math.min(50, Math.round(rng.logNormal(1.5 + 8 * person.engagement, 0.6)));
  engage(world, j, identifyMs + HOUR, engagedUntil, touches);

  const results: LeadResult[] = [];
  const note = formId === 'event-badge-scan' ? 'badge scan at RevOps Summit' : `first form submit: ${formId}`;
  let lead = simulateLead(world, rows, j, identifyMs, note);
  results.push(lead);
  // Some contacts come back for a second buying cycle (an upsell, or a lost deal revived).
  if (lead.closedMs !== null && lead.lastReason !== 'spam' && lead.lastReason !== 'student') {
    const p = lead.lead.stage === 'won' ? 0.15 : lead.lead.stage === 'lost' ? 0.12 : 0.05;
    const againMs = lead.closedMs + Math.max(30 * DAY, rng.logNormal(100, 0.5) * DAY);
    if (rng.chance(p) && againMs < endMs - 2 * DAY) {
      engage(world, j, lead.closedMs + DAY, againMs, rng.int(1, 4));
      const form = returnVisit(world, j, againMs);
      lead = simulateLead(world, rows, j, againMs, `new buying cycle: ${form}`);
      results.push(lead);
    }
  }
  finish(world, rows, j, identifyMs, results);
}

/** Sorts the journey, mints activity ids in time order, and derives the contact's touch fields. */
function finish(world: DemoWorld, rows: ChunkRows, j: Journey, identifiedMs: number | null, leads: LeadResult[]): void {
  const { person } = j;
  const t0 = person.firstTouchMs;
  const drafts = j.drafts;
  for (let i = 1; i < drafts.length; i++) {
    const d = drafts[i]!;
    d.occurredAt = Math.min(world.nowMs, Math.max(t0 + 1000, d.occurredAt));
  }
  drafts.sort((a, b) => a.occurredAt - b.occurredAt);
  let latest = drafts[0]!;
  for (const d of drafts) {
    if (d.source !== null) latest = d;
    d.id = world.mintId(d.occurredAt);
    // Zero-padded so the keys arrive in index order (cheap appends to the unique index).
    d.idempotencyKey = `demo:${String(++world.counters.activity).padStart(8, '0')}`;
    rows.activities.push(d);
  }
  const first = drafts[0]!;
  const firstTouch: BulkTouch = { at: first.occurredAt, source: first.source, medium: first.medium, campaign: first.utmCampaign };
  const latestTouch: BulkTouch = { at: latest.occurredAt, source: latest.source, medium: latest.medium, campaign: latest.utmCampaign };
  const lastMs = drafts[drafts.length - 1]!.occurredAt;
  rows.contacts.push({
    id: person.id, email: person.email, firstName: person.firstName, lastName: person.lastName, title: person.title,
    seniority: person.seniority, department: person.department, phone: person.phone, country: person.country,
    accountId: person.account?.row.id ?? null, status: person.kind === 'anonymous' ? 'anonymous' : 'known',
    firstTouch, latestTouch, createdAt: t0, updatedAt: lastMs,
  });
  rows.identities.push({ kind: 'anonymous_id', value: person.anonymousId, contactId: person.id, createdAt: t0 });
  if (person.email && identifiedMs !== null) {
    rows.identities.push({ kind: 'email', value: person.email, contactId: person.id, createdAt: identifiedMs });
  }
  for (const { lead } of leads) {
    lead.source = firstTouch.source;
    lead.campaign = firstTouch.campaign;
    lead.firstTouchAt = firstTouch.at;
    lead.latestSource = latestTouch.source;
    lead.latestCampaign = latestTouch.campaign;
    rows.leads.push(lead);
  }
}
