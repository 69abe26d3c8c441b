import { createPlan } from '../../src/app/content-calendar.ts';
import { rateAsSales } from '../../src/app/content-library.ts';
import { must } from '../helpers/test-app.ts';
import type { WebServer } from './web-server.ts';

const DAY = 86_400_000;
const dateIn = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);

/**
 * Content feedback and plans the browser journeys read: two prospect ratings on the first seeded
 * asset posted through the public snippet endpoint with the ingest key (as a web page would), a
 * colleague's rating on the second, and a few editorial calendar entries.
 */
export async function seedContentFeedback(web: WebServer): Promise<void> {
  const [pricing, roi] = web.seed.content;
  for (const body of [{ rating: 5, comment: 'Clear pricing, thanks.' }, { thumbs: 'down', comment: null }]) {
    const r = await fetch(`${web.baseUrl}/v1/content-ratings?key=${web.seed.ingestKey}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ asset_id: pricing!.id, ...body }),
    });
    if (r.status !== 201) throw new Error(`Seeding a content rating failed: ${r.status} ${await r.text()}`);
  }
  const ws = web.seed.workspace.id;
  must(await rateAsSales(web.deps, ws, web.seed.users.sales2.id, roi!.id, { rating: 5, comment: 'My go-to after discovery calls.' }));
  for (const [title, days, status, stage, persona] of [
    ['Executive brief: pipeline benchmarks', 9, 'planned', 'interest', 'executive'],
    ['Practitioner onboarding checklist', 38, 'idea', 'post-purchase', 'practitioner'],
    ['Pricing FAQ refresh', -3, 'in_progress', 'evaluation', 'buyer'],
  ] as const) {
    must(await createPlan(web.deps, ws, {
      title, plannedOn: dateIn(days), ownerId: web.seed.users.marketing.id, targetStage: stage, targetPersona: persona, targetTopic: null, status, notes: null,
    }));
  }
}
