/**
 * The vocabulary of revenue attribution: one opportunity's journey in, credits out.
 * Kept apart from the models so that reports, storage mappers and the web app can share it.
 */

/** Models that split each deal's amount over its own touches (an AttributionWorkspace computes them). */
export const dealModels = [
  'first_touch', 'last_touch', 'lead_creation', 'linear', 'u_shaped', 'w_shaped', 'full_path', 'time_decay', 'markov_path',
] as const;
export type DealModel = (typeof dealModels)[number];
/**
 * Models that credit channels over the whole period's journeys (standard Markov removal-effect
 * allocation, Shapley values): channel totals, not a split of each deal over its touches.
 */
export const portfolioModels = ['markov', 'shapley'] as const;
export type PortfolioModel = (typeof portfolioModels)[number];
export const attributionModels = [...dealModels, ...portfolioModels] as const;
export type AttributionModel = (typeof attributionModels)[number];

export type OpportunityStatus = 'open' | 'won' | 'lost';

export type AttributionOpportunity = {
  id: string;
  /** Integer cents; negative amounts (credit notes) are apportioned by their absolute value. */
  amountCents: number;
  createdAt: Date;
  closedAt: Date | null;
  status: OpportunityStatus;
};

/** One activity of one of the opportunity's contacts that can earn credit. */
export type AttributionTouch = {
  id: string;
  at: Date;
  channel: string;
  source: string | null;
  campaign: string | null;
  contentId: string | null;
};

export type Journey = {
  opportunity: AttributionOpportunity;
  /** When the lead that fed the opportunity was created; null when the deal has no lead (sales-sourced). */
  leadCreatedAt: Date | null;
  /** Preferably in time order (then no sorting happens); equal times keep their input order. */
  touches: readonly AttributionTouch[];
};

/**
 * Why a touch got its share. Positional roles come first: a touch holding several positions
 * (the first touch that also created the lead) lists all of them and `role` is the first listed.
 */
export const creditRoles = [
  'first', 'lead_creation', 'opportunity_creation', 'close', 'last', 'middle',
  'even', 'decay', 'channel_share', 'unattributed',
] as const;
export type CreditRole = (typeof creditRoles)[number];

export type AttributionCredit = {
  opportunityId: string;
  model: AttributionModel;
  /** null only for the explicit unattributed credit of a journey with no touch that qualifies. */
  touchId: string | null;
  cents: number;
  /** The touch's exact share of the opportunity, in [0, 1]; cents is this share rounded. */
  weight: number;
  role: CreditRole;
  roles: readonly CreditRole[];
  at: Date | null;
  channel: string | null;
  source: string | null;
  campaign: string | null;
  contentId: string | null;
};

export type TimeDecayAnchor = 'opportunity_creation' | 'close';

export type AttributionOptions = {
  /** Touches earlier than this many days before the opportunity was created get nothing; null = no limit. */
  lookbackDays: number | null;
  /** A touch this many days older than the newest one weighs half as much in time_decay. */
  halfLifeDays: number;
  /** What time_decay measures age against; `close` falls back to creation while the deal is open. */
  decayAnchor: TimeDecayAnchor;
};

export const defaultAttributionOptions: AttributionOptions = {
  lookbackDays: 365,
  halfLifeDays: 7,
  decayAnchor: 'close',
};

const roleMasks: Record<CreditRole, number> = Object.fromEntries(
  creditRoles.map((role, i) => [role, 1 << i]),
) as Record<CreditRole, number>;

/** Bit of a role in the compact role mask the attribution workspace stores per touch. */
export function roleBit(role: CreditRole): number {
  return roleMasks[role];
}

const rolesCache = new Map<number, readonly CreditRole[]>();

/** The roles in a mask, in priority order; the arrays are shared and frozen, so callers must not mutate them. */
export function rolesOfMask(mask: number): readonly CreditRole[] {
  let roles = rolesCache.get(mask);
  if (!roles) {
    roles = Object.freeze(creditRoles.filter((role) => (mask & roleMasks[role]) !== 0));
    rolesCache.set(mask, roles);
  }
  return roles;
}

/** True when the deal is decided and its close date bounds the window. */
export function isClosed(opportunity: AttributionOpportunity): opportunity is AttributionOpportunity & { closedAt: Date } {
  return opportunity.status !== 'open' && opportunity.closedAt !== null;
}
