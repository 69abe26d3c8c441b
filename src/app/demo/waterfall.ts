import type { BulkLead } from '../../storage/bulk.repo.ts';
import { decideTransition, defaultReasonCodes, isClosed, type Stage } from '../../core/lifecycle.ts';
import type { ActorType } from '../../storage/transitions.repo.ts';
import { intentSignal, nurtureEmails, postPurchase, salesTouch, type Journey } from './journey.ts';
import { recordOpportunity, salesCycleMs } from './opportunity.ts';
import { DAY, HOUR, MINUTE, type ChunkRows, type DemoWorld, type WorldUser } from './world.ts';

/**
 * Walks one lead (one buying cycle) down the waterfall with detours, writing every move as a
 * stage transition the lifecycle table allows (checked with core's decideTransition, so the
 * demo can never show a history the product would refuse). Rates are tuned to typical B2B
 * numbers: ~35% inquiry→MQL, ~70% MQL accepted, ~60% SAL→SQL, ~70% SQL→opportunity, ~27% won.
 */

export type LeadResult = { lead: BulkLead; closedMs: number | null; lastReason: string | null };

type State = {
  stage: Stage | null; ms: number; recycle: number; lastReason: string | null; mqlMs: number | null;
  recheckMs: number | null; owner: WorldUser | null; requalifications: number; rating: string | null;
  fitScore: number; engagementScore: number;
};

const nurtureReasons = ['not_ready', 'no_budget', 'no_response', 'wrong_contact'] as const;
const lostReasons = ['lost_to_competitor', 'lost_price', 'lost_no_decision'] as const;

export function ratingOf(fit: number, engagement: number): string {
  const letter = fit >= 0.6 ? 'A' : fit >= 0.4 ? 'B' : fit >= 0.22 ? 'C' : 'D';
  const digit = engagement >= 0.75 ? 1 : engagement >= 0.5 ? 2 : engagement >= 0.25 ? 3 : 4;
  return `${letter}${digit}`;
}

export function simulateLead(world: DemoWorld, rows: ChunkRows, j: Journey, inquiryMs: number, note: string): LeadResult {
  const { rng } = world;
  const { person } = j;
  const endMs = world.nowMs - MINUTE;
  const quality = person.entry.spec.quality;
  const unqualified = person.seniority === 'student' || person.seniority === 'consultant';
  const leadId = world.mintId(inquiryMs);
  const st: State = {
    stage: null, ms: inquiryMs, recycle: 0, lastReason: null, mqlMs: null, recheckMs: null, owner: null, requalifications: 0,
    rating: null, fitScore: Math.round(person.fit * 100), engagementScore: Math.round(person.engagement * 60),
  };

  const move = (to: Stage, ms: number, actor: { type: ActorType; id: string | null }, reasonCode: string | null, text: string | null): void => {
    const from = st.stage;
    let isRecycle = false;
    if (from !== null) {
      const decision = decideTransition({ from, to, reasonCode }, defaultReasonCodes);
      if (!decision.ok) throw new Error(`demo generator bug: ${decision.message}`);
      isRecycle = decision.value.recycleIncrement > 0;
    }
    const at = Math.max(ms, st.ms + MINUTE);
    rows.transitions.push({
      id: world.mintId(at), leadId, from, to, at: at, actorType: actor.type, actorId: actor.id, reasonCode, note: text,
      definitionId: null, isRecycle,
    });
    st.stage = to;
    st.ms = at;
    if (isRecycle) st.recycle++;
    if (reasonCode) st.lastReason = reasonCode;
    if (to === 'mql') st.mqlMs = at;
    if (to !== 'nurture') st.recheckMs = null;
  };
  const rep = (): { type: ActorType; id: string | null } => ({ type: 'user', id: st.owner!.id });
  const marketing = { type: 'user' as ActorType, id: world.marketingUser.id };

  const nurture = (fromMs: number): void => {
    st.recheckMs = fromMs + rng.int(45, 120) * DAY;
    const requalifyMs = fromMs + Math.max(10 * DAY, rng.logNormal(60, 0.6) * DAY);
    nurtureEmails(world, j, fromMs, Math.min(requalifyMs, endMs));
    if (st.requalifications < 2 && rng.chance((0.2 + 0.35 * person.engagement) * Math.min(1.3, quality))) {
      if (requalifyMs > endMs) return;
      st.requalifications++;
      mql(requalifyMs, true);
    } else if (rng.chance(0.06)) {
      const ms = fromMs + rng.between(30, 150) * DAY;
      if (ms < endMs) move('disqualified', ms, marketing, rng.chance(0.7) ? 'bad_fit' : 'duplicate', 'nurture review');
    }
  };

  const reject = (decidedMs: number, stageLabel: string): void => {
    let ms = decidedMs;
    const disqualify = unqualified || person.fit < 0.18 ? rng.chance(0.9) : rng.chance(0.3);
    if (disqualify) {
      const code = unqualified ? (person.seniority === 'student' ? 'student' : 'bad_fit')
        : rng.weighted(['bad_fit', 'competitor', 'duplicate', 'spam'], [60, 12, 18, 10]);
      salesTouch(j, ms - 30 * MINUTE, 'sales_call', st.owner!.id, 'qualification call');
      move('disqualified', ms, rep(), code, `${stageLabel}: disqualified`);
      return;
    }
    const code = rng.weighted(nurtureReasons, [35, 25, 30, 10]);
    if (code === 'no_response') {
      // Three tries over a few days before giving up.
      ms = Math.max(ms, st.ms + 4 * DAY);
      if (ms > endMs) return;
      salesTouch(j, ms - 3 * DAY, 'sales_email', st.owner!.id, 'first follow-up');
      salesTouch(j, ms - 2 * DAY, 'sales_call', st.owner!.id, 'no answer');
      salesTouch(j, ms - DAY, 'sales_email', st.owner!.id, 'second follow-up');
    } else {
      salesTouch(j, ms - 20 * MINUTE, 'sales_call', st.owner!.id, 'connected');
    }
    move('nurture', ms, rep(), code, `${stageLabel}: back to marketing (${code.replace('_', ' ')})`);
    nurture(st.ms);
  };

  const opportunity = (ms: number): void => {
    move('opportunity', ms, rep(), null, 'opportunity opened');
    const closeMs = ms + salesCycleMs(world, person);
    if (closeMs > endMs) {
      recordOpportunity(world, rows, j, { leadId, owner: st.owner!, openMs: st.ms, closeMs, outcome: 'open' });
      return;
    }
    const pWin = Math.min(0.65, 0.24 * Math.sqrt(quality) * (0.6 + 0.8 * person.fit));
    const roll = rng.next();
    if (roll < pWin) {
      recordOpportunity(world, rows, j, { leadId, owner: st.owner!, openMs: st.ms, closeMs, outcome: 'won' });
      move('won', closeMs, rep(), null, 'closed won');
      postPurchase(world, j, st.ms);
    } else if (roll < pWin + 0.07) {
      recordOpportunity(world, rows, j, { leadId, owner: st.owner!, openMs: st.ms, closeMs, outcome: 'lost' });
      const code = rng.chance(0.5) ? 'not_ready' : 'no_budget';
      move('nurture', closeMs, rep(), code, 'deal stalled: recycled to nurture');
      nurture(st.ms);
    } else {
      recordOpportunity(world, rows, j, { leadId, owner: st.owner!, openMs: st.ms, closeMs, outcome: 'lost' });
      move('lost', closeMs, rep(), rng.weighted(lostReasons, [40, 30, 30]), 'closed lost');
    }
  };

  const sql = (ms: number): void => {
    salesTouch(j, ms - HOUR, 'meeting', st.owner!.id, 'discovery call');
    move('sql', ms, rep(), null, 'budget, authority, need and timing confirmed');
    const next = ms + Math.max(HOUR, rng.logNormal(5, 0.7) * DAY);
    if (next > endMs) return;
    if (rng.chance(Math.min(0.9, 0.62 + 0.15 * person.fit))) {
      salesTouch(j, next - 2 * HOUR, 'meeting', st.owner!.id, 'solution demo');
      opportunity(next);
    } else if (rng.chance(0.6)) {
      reject(next, 'SQL');
    } else {
      move('disqualified', next, rep(), rng.chance(0.6) ? 'bad_fit' : 'competitor', 'SQL: no project');
    }
  };

  const sal = (ms: number): void => {
    salesTouch(j, ms - 10 * MINUTE, rng.chance(0.6) ? 'sales_call' : 'sales_email', st.owner!.id, 'first contact');
    move('sal', ms, rep(), null, 'accepted');
    const next = ms + Math.max(2 * HOUR, rng.logNormal(6, 0.8) * DAY);
    if (next > endMs) return;
    if (rng.chance(Math.min(0.9, (0.5 + 0.2 * person.fit) * Math.sqrt(quality)))) sql(next);
    else reject(next, 'SAL');
  };

  function mql(ms: number, requalify: boolean): void {
    if (ms > endMs) return;
    const signal = intentSignal(world, j, ms);
    const engagement = Math.max(person.engagement, 0.5 + rng.next() * 0.5);
    st.engagementScore = Math.round(engagement * 100);
    st.rating = ratingOf(person.fit, engagement);
    if (!st.owner) st.owner = person.showcase ? world.mainRep : world.reps[world.counters.roundRobin++ % world.reps.length]!;
    move('mql', ms, { type: 'rule', id: null }, null, `demo definition: rating ${st.rating} (${signal})${requalify ? ', re-qualified from nurture' : ''}`);
    if (person.showcase) {
      // The rep's inbox: some fresh, some overdue, some already accepted and being worked.
      const acceptMs = st.ms + rng.between(1, 20) * HOUR;
      if (rng.chance(0.35) && acceptMs < endMs) {
        salesTouch(j, acceptMs - 10 * MINUTE, 'sales_call', st.owner.id, 'first contact');
        move('sal', acceptMs, rep(), null, 'accepted');
      }
      return;
    }
    if (rng.chance(0.06)) return; // leakage: an MQL nobody ever accepts or rejects
    const delay = Math.min(14 * DAY, Math.max(10 * MINUTE, rng.logNormal(5, 1.3) * HOUR));
    const decideMs = st.ms + delay;
    if (decideMs > endMs) return;
    const pAccept = unqualified ? 0.1 : Math.min(0.92, (0.56 + 0.35 * person.fit) * Math.pow(quality, 0.3));
    if (rng.chance(pAccept)) sal(decideMs);
    else reject(decideMs, 'MQL');
  }

  move('inquiry', inquiryMs, { type: 'system', id: null }, null, note);
  const pMql = person.showcase ? 1 : Math.min(0.92, (0.04 + 0.8 * person.fit * (0.3 + 0.7 * person.engagement)) * quality);
  if (rng.chance(pMql)) {
    const mqlMs = person.showcase ? world.nowMs - rng.between(1, 60) * HOUR : inquiryMs + Math.max(HOUR, rng.logNormal(9, 1) * DAY);
    mql(mqlMs, false);
  } else if (unqualified && rng.chance(0.4)) {
    const ms = inquiryMs + rng.between(1, 10) * DAY;
    if (ms < endMs) move('disqualified', ms, marketing, person.seniority === 'student' ? 'student' : 'bad_fit', 'list cleanup');
  } else if (rng.chance(0.015)) {
    const ms = inquiryMs + rng.between(1, 5) * DAY;
    if (ms < endMs) move('disqualified', ms, marketing, 'spam', 'fake form entry');
  } else if (rng.chance(0.6)) {
    const ms = inquiryMs + rng.between(21, 45) * DAY;
    if (ms < endMs) {
      move('nurture', ms, { type: 'system', id: null }, null, 'not sales-ready after 30 days: nurture track');
      nurture(st.ms);
    }
  }

  const stage = st.stage!;
  const closedMs = isClosed(stage) ? st.ms : null;
  return {
    closedMs, lastReason: st.lastReason,
    lead: {
      id: leadId, contactId: person.id, accountId: person.account?.row.id ?? null, stage, ownerId: st.owner?.id ?? null,
      openedAt: inquiryMs, stageEnteredAt: st.ms, closedAt: closedMs === null ? null : closedMs,
      mqlAt: st.mqlMs === null ? null : st.mqlMs, recycleCount: st.recycle, lastReasonCode: st.lastReason,
      recheckAt: st.stage === 'nurture' && st.recheckMs !== null ? st.recheckMs : null,
      source: null, campaign: null, firstTouchAt: null, latestSource: null, latestCampaign: null,
      fitScore: st.fitScore, engagementScore: st.engagementScore, rating: st.rating ?? ratingOf(person.fit, person.engagement),
      definitionId: null, updatedAt: st.ms,
    },
  };
}
