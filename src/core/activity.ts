/**
 * What a person did or had done to them. Stored as text; this list is the vocabulary scoring
 * rules, reports and the UI share. Custom `track` events are `custom` with their event name.
 */
export const activityTypes = [
  'page_view', 'screen_view', 'content_view', 'content_download', 'form_submit',
  'email_sent', 'email_open', 'email_click', 'email_bounce', 'unsubscribe',
  'event_registered', 'event_attended', 'webinar_attended', 'meeting',
  'sales_call', 'sales_email', 'sales_touch', 'content_rating', 'custom',
] as const;
export type ActivityType = (typeof activityTypes)[number];

/** Activities that are a salesperson acting on the lead (they stop follow-up SLA clocks). */
export const salesTouchTypes: readonly ActivityType[] = ['sales_call', 'sales_email', 'sales_touch', 'meeting'];

export function isActivityType(value: string): value is ActivityType {
  return (activityTypes as readonly string[]).includes(value);
}

/** The shape core rules see of an activity (scoring, attribution, backtest). */
export type ActivityFact = {
  id: string;
  contactId: string;
  type: ActivityType;
  occurredAt: Date;
  source: string | null;
  medium: string | null;
  campaign: string | null;
  contentId: string | null;
  url: string | null;
  eventName: string | null;
  properties: Record<string, unknown>;
};

/** The shape core rules see of a content asset. */
export type ContentFact = {
  id: string;
  url: string | null;
  urls: string[];
  buyingStage: string | null;
  topics: string[];
  personas: string[];
  format: string;
};

/** Contact and account fields available to fit rules. */
export type ContactFact = {
  id: string;
  email: string | null;
  title: string | null;
  seniority: string | null;
  department: string | null;
  country: string | null;
  unsubscribed: boolean;
  attributes: Record<string, unknown>;
  /**
   * The person's stored predictions by model id, for `predicted` rules: the app supplies them only when the
   * definition reads a model; absent or missing a model: no prediction yet (the rule adds nothing).
   */
  predictions?: Readonly<Record<string, PredictionFact>>;
};

/** A trained model's probability for a person, with what it predicts (for the explanation's words). */
export type PredictionFact = { probability: number; modelVersion: number; targetStage: string };

export type AccountFact = {
  id: string;
  name: string;
  domain: string | null;
  industry: string | null;
  employeeCount: number | null;
  country: string | null;
  region: string | null;
  annualRevenue: number | null;
  attributes: Record<string, unknown>;
};
