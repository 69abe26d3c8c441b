import { stages, type Stage } from '../../core/lifecycle.ts';

/**
 * How CRM exports say where a person is in the funnel, mapped to the Leadloop lifecycle.
 *
 * HubSpot: the lifecycle stage (label or internal value) gives the furthest stage reached; the
 * lead status refines it the way sales teams use it: a status sales works (attempted to contact,
 * connected, in progress) means the lead was accepted (`sal`), an open deal means `opportunity`,
 * unqualified closes it (`disqualified`) and bad timing sends it to `nurture` — those two only
 * before a deal exists (a customer marked "bad timing" for an upsell is still a customer).
 */
const squash = (s: string) => s.toLowerCase().replace(/[^a-z]/g, '');

const lifecycleStages: Record<string, Stage> = {
  subscriber: 'inquiry', lead: 'inquiry', other: 'inquiry',
  marketingqualifiedlead: 'mql', mql: 'mql', salesqualifiedlead: 'sql', sql: 'sql',
  opportunity: 'opportunity', customer: 'won', evangelist: 'won',
};

const leadStatuses: Record<string, Stage | null> = {
  new: null, open: null, attemptedtocontact: 'sal', connected: 'sal', inprogress: 'sal', opendeal: 'opportunity',
  unqualified: 'disqualified', badtiming: 'nurture',
};

const rank = (s: Stage) => stages.indexOf(s);
const beforeDeal: ReadonlySet<Stage> = new Set(['inquiry', 'mql', 'sal', 'sql']);

/** `via`: the stage the lifecycle reached before the status moved the lead on (its history passes there). */
export type CrmStage = { stage: Stage; via?: Stage } | { error: { field: 'lifecycle_stage' | 'lead_status'; message: string } } | null;

/** The stage a HubSpot lifecycle stage + lead status describe; null when the row has neither. */
export function hubspotStage(lifecycle: string | undefined, status: string | undefined): CrmStage {
  if (!lifecycle && !status) return null;
  const base = lifecycle ? lifecycleStages[squash(lifecycle)] : 'inquiry';
  if (!base) return { error: { field: 'lifecycle_stage', message: `unknown lifecycle stage; HubSpot's are Subscriber, Lead, Marketing Qualified Lead, Sales Qualified Lead, Opportunity, Customer, Evangelist, Other` } };
  if (!status) return { stage: base };
  const refined = leadStatuses[squash(status)];
  if (refined === undefined) return { error: { field: 'lead_status', message: 'unknown lead status; HubSpot\'s are New, Open, In Progress, Open Deal, Unqualified, Attempted to Contact, Connected, Bad Timing' } };
  if (refined === null) return { stage: base };
  if (refined === 'disqualified' || refined === 'nurture') return beforeDeal.has(base) ? { stage: refined, via: base } : { stage: base };
  return rank(refined) > rank(base) ? { stage: refined, via: base } : { stage: base };
}

/** HubSpot's "Became a ... Date" fields by the stage they date (the earliest of a stage's sources). */
export function hubspotStageDates(v: Partial<Record<string, unknown>>): Partial<Record<Stage, Date>> {
  const out: Partial<Record<Stage, Date>> = {};
  const put = (stage: Stage, d: unknown) => {
    if (!(d instanceof Date)) return;
    const before = out[stage];
    if (!before || d < before) out[stage] = d;
  };
  put('inquiry', v.became_subscriber_at); put('inquiry', v.became_lead_at); put('inquiry', v.became_other_at);
  put('mql', v.became_mql_at); put('sql', v.became_sql_at); put('opportunity', v.became_opportunity_at);
  put('won', v.became_customer_at); put('won', v.became_evangelist_at);
  return out;
}
