import type { Db } from '../../storage/db.ts';
import { insertRatings, type ContentRating } from '../../storage/content-library.repo.ts';
import { insertPlan, type PlanFields } from '../../storage/content-plan.repo.ts';
import { mergeWorkspaceSettings } from '../../storage/workspaces.repo.ts';
import type { BuyingStage } from './catalog-data.ts';
import { createRng } from './prng.ts';
import { DAY, type WorldContent, type WorldUser } from './world.ts';

/** The demo's buying stages (its catalogue has decision-stage pages) and personas, so the gap map has rows and columns. */
export const demoBuyingStages: readonly BuyingStage[] = ['awareness', 'interest', 'consideration', 'evaluation', 'decision', 'post-purchase'];
export const demoPersonas = ['executive', 'marketing_leader', 'sales_leader', 'revops', 'practitioner'] as const;

/** How well each asset lands (mean stars); unlisted assets sit near 3.8. Two laggards give the audit something to flag. */
const quality: Record<string, number> = {
  'case-northwind': 4.6, 'case-contoso': 4.5, roi: 4.4, pricing: 4.1, 'webinar-pipeline': 4.3, 'ebook-playbook': 4.2, 'checklist-sla': 4.4,
  compare: 2.2, 'ebook-benchmarks': 2.4, 'blog-funnel': 3.1, academy: 4.0,
};

const salesComments = {
  good: ['Sent it after a discovery call; the buyer forwarded it to their CFO.', 'Works well as a follow-up after the demo.', 'Prospects quote numbers from it back to me.',
    'Great for champions who need to sell internally.', 'Short enough that people actually read it.'],
  bad: ['Too generic for enterprise buyers; they asked for specifics.', 'Numbers are out of date, I stopped sending it.', 'Prospects found it salesy.'],
};
const prospectComments = {
  good: ['Clear and practical, thanks.', 'Exactly what I needed for our planning.', 'Helpful examples.'],
  bad: ['Too long.', 'Expected more detail.', 'Mostly marketing fluff.'],
};

/**
 * Ratings and comments on the demo library (prospects through the snippet, reps from the app) and an
 * editorial calendar around today: a few hundred rows, written in a handful of statements.
 */
export async function seedContentFeedback(db: Db, workspaceId: string, input: {
  seed: number; nowMs: number; content: readonly WorldContent[]; reps: readonly WorldUser[]; marketing: WorldUser;
}): Promise<{ ratings: number; plans: number }> {
  // Its own stream: adding feedback must not shift anything generated from the main seed.
  const rng = createRng((input.seed ^ 0x5eed) >>> 0);
  await mergeWorkspaceSettings(db, workspaceId, { buyingStages: demoBuyingStages, personas: demoPersonas });
  const ratings: Omit<ContentRating, 'id'>[] = [];
  const stars = (mean: number) => Math.max(1, Math.min(5, Math.round(mean + (rng.next() - 0.5) * 2.2)));
  for (const item of input.content) {
    const mean = quality[item.spec.key] ?? 3.8;
    const prospects = rng.int(0, 6);
    for (let i = 0; i < prospects; i++) {
      const rating = stars(mean);
      const at = new Date(input.nowMs - rng.int(1, 160) * DAY - rng.int(0, 86_000) * 1000);
      const comment = rng.chance(0.35) ? rng.pick(rating >= 4 ? prospectComments.good : prospectComments.bad) : null;
      ratings.push({ assetId: item.id, rating, scale: 'stars', comment, source: 'prospect', contactId: null, userId: null, at });
    }
    const reps = rng.int(0, 2);
    for (let i = 0; i < reps; i++) {
      const rating = stars(mean);
      const at = new Date(input.nowMs - rng.int(1, 120) * DAY - rng.int(0, 86_000) * 1000);
      ratings.push({ assetId: item.id, rating, scale: 'stars', comment: rng.pick(rating >= 4 ? salesComments.good : salesComments.bad), source: 'sales', contactId: null, userId: rng.pick(input.reps).id, at });
    }
  }
  await insertRatings(db, workspaceId, ratings);

  const day = (offset: number) => new Date(input.nowMs + offset * DAY).toISOString().slice(0, 10);
  const plans: (Omit<PlanFields, 'ownerId'> & { offset: number })[] = [
    { offset: -20, title: 'Q4 release notes', plannedOn: '', targetStage: 'post-purchase', targetPersona: 'practitioner', targetTopic: 'product', status: 'published', notes: null },
    { offset: -6, title: 'Blog: the cost of a slow hand-off', plannedOn: '', targetStage: 'awareness', targetPersona: 'sales_leader', targetTopic: 'sla', status: 'in_progress', notes: 'Draft with Morgan; needs the speed-to-lead chart.' },
    { offset: 5, title: 'Practitioner buying checklist', plannedOn: '', targetStage: 'decision', targetPersona: 'practitioner', targetTopic: 'product', status: 'planned', notes: 'Fills the decision-stage gap for practitioners.' },
    { offset: 12, title: 'RevOps implementation plan template', plannedOn: '', targetStage: 'decision', targetPersona: 'revops', targetTopic: 'integrations', status: 'planned', notes: null },
    { offset: 26, title: 'Webinar: scoring models that sales trusts', plannedOn: '', targetStage: 'consideration', targetPersona: 'sales_leader', targetTopic: 'lead-scoring', status: 'planned', notes: null },
    { offset: 40, title: 'Executive brief: pipeline benchmarks 2027', plannedOn: '', targetStage: 'interest', targetPersona: 'executive', targetTopic: 'analytics', status: 'idea', notes: 'Replaces the benchmarks report (rated low).' },
    { offset: 55, title: 'Customer story: onboarding in 30 days', plannedOn: '', targetStage: 'post-purchase', targetPersona: 'executive', targetTopic: 'onboarding', status: 'idea', notes: null },
    { offset: 70, title: 'Comparison page rewrite', plannedOn: '', targetStage: 'consideration', targetPersona: 'marketing_leader', targetTopic: 'product', status: 'cancelled', notes: 'Folded into the product tour refresh.' },
  ];
  for (const p of plans) {
    const { offset, ...fields } = p;
    await insertPlan(db, workspaceId, { ...fields, plannedOn: day(offset), ownerId: input.marketing.id }, new Date(input.nowMs - 30 * DAY));
  }
  return { ratings: ratings.length, plans: plans.length };
}
