import type { Db } from '../../storage/db.ts';
import { insertCampaign, upsertCampaignCosts, type CampaignCost } from '../../storage/campaigns.repo.ts';
import { insertContentAsset } from '../../storage/content.repo.ts';
import { campaignSpecs, contentSpecs, SITE } from './catalog-data.ts';
import type { Rng } from './prng.ts';
import { DAY, type WorldCampaign, type WorldContent } from './world.ts';

const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** First days of the months the demo year touches, oldest first. */
function monthStarts(startMs: number, nowMs: number): string[] {
  const months: string[] = [];
  const d = new Date(startMs);
  let cursor = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  while (cursor <= nowMs) {
    months.push(isoDate(cursor));
    const c = new Date(cursor);
    cursor = Date.UTC(c.getUTCFullYear(), c.getUTCMonth() + 1, 1);
  }
  return months;
}

/**
 * The demo's campaigns with monthly costs (paid channels cost most; the summit is paid in the
 * month it happens) and its content library, tagged by buying stage, persona and topic.
 */
export async function seedCatalog(db: Db, workspaceId: string, input: { rng: Rng; startMs: number; nowMs: number; ownerId: string }): Promise<{ campaigns: WorldCampaign[]; content: WorldContent[]; eventMs: number }> {
  const { rng, startMs, nowMs } = input;
  const months = monthStarts(startMs, nowMs);
  const campaigns: WorldCampaign[] = [];
  const costs: CampaignCost[] = [];
  const eventMonth = Math.floor(months.length * 0.6);
  const eventMs = Date.parse(`${months[eventMonth]!.slice(0, 8)}15T09:00:00Z`);
  for (const spec of campaignSpecs) {
    const campaign = await insertCampaign(db, workspaceId, {
      name: spec.name, channel: spec.channel, utmSource: spec.utmSource, utmMedium: spec.utmMedium, utmCampaign: spec.utmCampaign,
      startsOn: isoDate(startMs), endsOn: null, budget: spec.monthlyCost * 12, attributes: { demo: true, key: spec.key },
    });
    campaigns.push({ id: campaign.id, spec });
    if (spec.monthlyCost === 0) continue;
    months.forEach((periodStart, i) => {
      // A trade show is paid in one go; other programs vary ±20% month to month.
      const amount = spec.channel === 'event'
        ? (i === eventMonth ? spec.monthlyCost * 9 : spec.monthlyCost * 0.25)
        : spec.monthlyCost * rng.between(0.8, 1.2);
      costs.push({ campaignId: campaign.id, periodStart, amount: Math.round(amount), currency: 'USD' });
    });
  }
  await upsertCampaignCosts(db, workspaceId, costs);

  const content: WorldContent[] = [];
  for (const spec of contentSpecs) {
    const url = SITE + spec.path;
    const asset = await insertContentAsset(db, workspaceId, {
      title: spec.title, url, urls: [], format: spec.format, buyingStage: spec.stage, personas: spec.personas, topics: spec.topics,
      ownerId: input.ownerId, publishedOn: isoDate(nowMs - spec.publishedDaysAgo * DAY), expiresOn: null, gated: spec.gated,
      attributes: spec.highIntent ? { demo: true, highIntent: true } : { demo: true },
    });
    content.push({ id: asset.id, url, spec });
  }
  return { campaigns, content, eventMs };
}
