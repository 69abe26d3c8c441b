import { funnelCounts, stageVelocity } from '../../storage/reports/funnel.repo.ts';
import { definitionVersionsInScope } from '../../storage/reports/report-sql.ts';
import type { AppDeps } from '../context.ts';
import { envelopeBase, rate, ratio, type ReportEnvelope, type ReportParams, type Row } from './report.types.ts';

const waterfall = ['leads', 'mql', 'sal', 'sql', 'opportunity', 'won'] as const;
const velocityStages = ['inquiry', 'mql', 'sal', 'sql', 'opportunity', 'nurture'] as const;
const round3 = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 1000);

/**
 * Cohort-true funnel: the leads that entered in the period (opened_at), grouped, and how far each
 * got — so a conversion rate never mixes this month's MQLs with last quarter's wins.
 */
export async function funnelReport(deps: AppDeps, workspaceId: string, p: ReportParams): Promise<ReportEnvelope> {
  const scope = { workspaceId, ...p };
  const [counts, velocity, versions] = await Promise.all([
    funnelCounts(deps.db, scope), stageVelocity(deps.db, scope), definitionVersionsInScope(deps.db, workspaceId, p.from, p.to),
  ]);
  const rows: Row[] = counts.map((c) => ({
    group: c.key ?? 'total', leads: c.leads, mql: c.mql, sal: c.sal, sql: c.sql, opportunity: c.opportunity, won: c.won,
    lead_to_mql: rate(ratio(c.mql, c.leads)), mql_to_sal: rate(ratio(c.sal, c.mql)), sal_to_sql: rate(ratio(c.sql, c.sal)),
    sql_to_opportunity: rate(ratio(c.opportunity, c.sql)), opportunity_to_won: rate(ratio(c.won, c.opportunity)), lead_to_won: rate(ratio(c.won, c.leads)),
    lost: c.lost, disqualified: c.disqualified, nurtured: c.nurtured, recycled_leads: c.recycledLeads,
    mql_net_new: c.mqlNetNew, mql_recycled: c.mqlRecycled,
  }));
  const byStage = new Map(velocity.map((v) => [v.stage, v]));
  const velocityRows = velocityStages.map((stage) => {
    const v = byStage.get(stage);
    return { stage, stays: v?.stays ?? 0, median_days: round3(v?.medianDays ?? null), p90_days: round3(v?.p90Days ?? null), mean_days: round3(v?.meanDays ?? null) };
  });
  return {
    ...envelopeBase('funnel', p, deps.clock.now(), versions),
    notes: [
      'Cohort: leads with opened_at in [period.from, period.to), grouped by filters.by; every later stage counts for the cohort, whenever it happened.',
      'A lead reached a stage when its stage_transition history (or its current stage) reaches it or a later waterfall stage: inquiry < mql < sal < sql < opportunity (= lost) < won; nurture and disqualified are detours.',
      'Velocity: time in stage = the next stage_transition.at of the same lead minus this one, over the cohort\'s completed stays; median and p90 by percentile_cont (linear interpolation).',
      ...(p.by === 'definition_version' ? ['by=definition_version: each lead under the definition version recorded on its first → mql transition (the version that decided it, kept after later activations); (by hand) = an MQL made without a definition, (not mql) = leads that never reached MQL.'] : []),
    ],
    definitions: {
      conversion: 'stage_to_stage = leads reaching the later stage / leads reaching the earlier stage (same cohort); null when the earlier count is 0.',
      mql_net_new: 'leads of the cohort that reached mql (their first MQL)', mql_recycled: 'further MQLs of the same leads after a recycle (count of stage_transition to mql − 1 per lead)',
      recycled_leads: 'cohort leads with recycle_count > 0 (handed back to nurture at least once)',
      sql: "SELECT ... FROM lead l WHERE l.workspace_id = $ws AND l.opened_at >= $from AND l.opened_at < $to LEFT JOIN (SELECT lead_id, max(rank(to_stage)) FROM stage_transition GROUP BY lead_id) GROUP BY GROUPING SETS ((key), ())",
    },
    columns: ['group', ...waterfall, 'lead_to_mql', 'mql_to_sal', 'sal_to_sql', 'sql_to_opportunity', 'opportunity_to_won', 'lead_to_won',
      'lost', 'disqualified', 'nurtured', 'recycled_leads', 'mql_net_new', 'mql_recycled'],
    rows,
    velocity: velocityRows,
  };
}
