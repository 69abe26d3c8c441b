import { sql, type RawBuilder } from 'kysely';

/**
 * The channel of a touch without the campaign rule (activity `a`): the UTM medium mapped, else the
 * source, else content, else direct. contact_touch_summary stores this per touch; the campaign's
 * channel (mutable) is applied when a report reads.
 */
export const fallbackChannelSql: RawBuilder<string> = sql.raw(`(CASE
  WHEN lower(a.medium) IN ('cpc','ppc','paid','paidsearch','paid_search','sem') THEN 'paid_search'
  WHEN lower(a.medium) IN ('email','e-mail','newsletter') THEN 'email'
  WHEN lower(a.medium) IN ('social','social-media','paid_social','paidsocial') THEN 'social'
  WHEN lower(a.medium) IN ('display','banner','cpm') THEN 'display'
  WHEN lower(a.medium) = 'organic' THEN 'organic_search'
  WHEN lower(a.medium) = 'referral' THEN 'referral'
  WHEN nullif(a.source, '') IS NOT NULL THEN lower(a.source)
  WHEN a.content_id IS NOT NULL THEN 'content'
  ELSE 'direct' END)`);

/**
 * Channel of a touch (activity `a`, its campaign `c`), documented for report readers:
 * 1. the campaign's channel when the activity names a campaign;
 * 2. else the UTM medium mapped: cpc/ppc/paid/sem → paid_search, email/newsletter → email,
 *    social/paid_social → social, display/banner/cpm → display, organic → organic_search, referral → referral;
 * 3. else the lower-cased source; 4. else 'content' for a content asset touch; 5. else 'direct'.
 */
export const channelSql: RawBuilder<string> = sql<string>`(CASE WHEN c.channel IS NOT NULL THEN c.channel ELSE ${fallbackChannelSql} END)`;

/**
 * A touch can earn credit when it carries a source, a campaign or a content asset. The activity
 * triggers of migration 2026-12-05-50 test the same condition.
 */
export const qualifiesSql: RawBuilder<boolean> = sql.raw(`(nullif(a.source, '') IS NOT NULL OR a.campaign_id IS NOT NULL OR nullif(a.utm_campaign, '') IS NOT NULL OR a.content_id IS NOT NULL)`);
