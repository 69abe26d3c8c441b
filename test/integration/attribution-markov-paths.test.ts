import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attributionReport, solveMarkov } from '../../src/app/reports/attribution.report.ts';
import { rate } from '../../src/app/reports/report.types.ts';
import { channelSql } from '../../src/storage/reports/attribution.repo.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { buildReportsFixture } from './reports-fixture.ts';

/**
 * The attribution report builds the converting Markov paths from the won deals it streams and only
 * asks SQL for the non-converting ones. Equivalence: its Markov block equals the chain solved over
 * every path aggregated in SQL the way the report did before (converting and non-converting alike).
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await buildReportsFixture(t);
});
afterAll(async () => { await t?.close(); });

const qualifies = sql.raw(`(nullif(a.source, '') IS NOT NULL OR a.campaign_id IS NOT NULL OR nullif(a.utm_campaign, '') IS NOT NULL OR a.content_id IS NOT NULL)`);

/** The former all-SQL path query (lookback 365 days, the default settings). */
async function allPathsInSql(workspaceId: string, from: Date, to: Date) {
  const { rows } = await sql<{ path: string; converted: boolean; n: number }>`WITH won AS MATERIALIZED (SELECT o.id, o.created_at, o.closed_at FROM opportunity o
      WHERE o.workspace_id = ${workspaceId} AND o.status = 'won' AND o.closed_at >= ${from} AND o.closed_at < ${to}),
    won_contacts AS (SELECT r.opportunity_id, r.contact_id FROM opportunity_contact_role r JOIN won x ON x.id = r.opportunity_id WHERE r.workspace_id = ${workspaceId}
      UNION SELECT ol.opportunity_id, l.contact_id FROM opportunity_lead ol JOIN won x ON x.id = ol.opportunity_id
        JOIN lead l ON l.workspace_id = ol.workspace_id AND l.id = ol.lead_id WHERE ol.workspace_id = ${workspaceId}),
    conv AS (SELECT string_agg(${channelSql}, E'\\x1f' ORDER BY a.occurred_at, a.id) AS path
      FROM won o JOIN won_contacts oc ON oc.opportunity_id = o.id
      JOIN activity a ON a.workspace_id = ${workspaceId} AND a.contact_id = oc.contact_id
        AND a.occurred_at >= o.created_at - make_interval(days => 365) AND a.occurred_at <= o.closed_at
      LEFT JOIN campaign c ON c.workspace_id = a.workspace_id AND c.id = a.campaign_id
      WHERE ${qualifies} GROUP BY o.id),
    lost AS (SELECT l.id, l.contact_id, l.opened_at, least(coalesce(l.closed_at, ${to}), ${to}) AS until FROM lead l
      WHERE l.workspace_id = ${workspaceId} AND l.opened_at >= ${from} AND l.opened_at < ${to} AND l.stage <> 'won'
        AND (l.stage IN ('lost','disqualified') OR NOT EXISTS (SELECT 1 FROM opportunity_lead ol WHERE ol.workspace_id = l.workspace_id AND ol.lead_id = l.id))),
    non AS (SELECT string_agg(${channelSql}, E'\\x1f' ORDER BY a.occurred_at, a.id) AS path
      FROM lost l JOIN activity a ON a.workspace_id = ${workspaceId} AND a.contact_id = l.contact_id
        AND a.occurred_at >= l.opened_at - make_interval(days => 365) AND a.occurred_at <= l.until
      LEFT JOIN campaign c ON c.workspace_id = a.workspace_id AND c.id = a.campaign_id
      WHERE ${qualifies} GROUP BY l.id)
    SELECT path, converted, count(*)::int AS n FROM (SELECT path, true AS converted FROM conv UNION ALL SELECT path, false FROM non) p
    GROUP BY path, converted ORDER BY path, converted`.execute(t.deps.db);
  return rows.map((r) => ({ path: r.path, converted: r.converted, count: r.n }));
}

describe('attribution: Markov paths', () => {
  it('converting paths from the stream + non-converting paths from SQL = every path from SQL', async () => {
    const from = new Date('2026-01-01T00:00:00Z');
    const to = new Date('2026-03-01T00:00:00Z');
    const rep = await attributionReport(t.deps, t.workspace.id, { from, to, by: 'source', model: 'linear' });
    const paths = await allPathsInSql(t.workspace.id, from, to);
    expect(paths.some((p) => p.converted)).toBe(true);
    expect(paths.some((p) => !p.converted)).toBe(true);
    const expected = solveMarkov(paths);
    expect(rep.markov).toMatchObject({
      order: 1, paths: expected.paths, conversions: expected.conversions, conversion_probability: rate(expected.conversionProbability),
      channels: expected.channels.map((c, i) => ({ channel: c, removal_effect: rate(expected.removalEffects[i]!), weight: rate(expected.weights[i]!) })),
    });
  });
});
