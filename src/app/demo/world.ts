import type { BulkAccount } from '../../storage/bulk.repo.ts';
import type { CampaignSpec, ContentSpec } from './catalog-data.ts';
import type { Rng } from './prng.ts';
import type { Seniority } from './reference-data.ts';

/** Everything the per-contact generators share: the clock window, the catalog, the team, counters. */
export type DemoWorld = {
  rng: Rng;
  startMs: number;
  /** When the RevOps Summit (the one trade show of the year) takes place. */
  eventMs: number;
  nowMs: number;
  mintId: (ms: number) => string;
  campaigns: WorldCampaign[];
  /** Campaigns that bring first touches, with their weights (for weighted picks). */
  entryCampaigns: { items: WorldCampaign[]; weights: number[] };
  campaignByKey: Map<string, WorldCampaign>;
  content: WorldContent[];
  contentByKey: Map<string, WorldContent>;
  /** All companies; a company's row is written with the chunk of its first contact. */
  accounts: DemoAccount[];
  /** Running sum of the accounts' weights (bigger companies have more contacts). */
  accountCumulative: Float64Array;
  totalContacts: number;
  reps: WorldUser[];
  /** marketing@demo.example: cleans up lists and nurture. */
  marketingUser: WorldUser;
  /** Unique across the run (the database enforces both). */
  emails: Set<string>;
  domains: Set<string>;
  counters: { showcaseLeft: number };
};

export type WorldCampaign = { id: string; spec: CampaignSpec };
export type WorldContent = { id: string; url: string; spec: ContentSpec };
export type WorldUser = { id: string; email: string; name: string };

export type DemoAccount = { row: BulkAccount; fit: number; employees: number; people: Person[]; written: boolean };

export type Person = {
  index: number;
  id: string;
  kind: 'anonymous' | 'freemail' | 'business';
  account: DemoAccount | null;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  title: string | null;
  seniority: Seniority | null;
  department: string | null;
  country: string;
  phone: string | null;
  anonymousId: string;
  /** 0..1: how well the person and company match the ideal customer. */
  fit: number;
  /** 0..1: how actively the person engages with marketing. */
  engagement: number;
  entry: WorldCampaign;
  firstTouchMs: number;
  /** A recent buyer whose MQL is left waiting (or just accepted): the inboxes the demo opens on. */
  showcase: boolean;
  /** Ticked the marketing-email box on forms. */
  consentEmail: boolean;
  /** The contact the doors filed this person under (known once their first message is stored). */
  contactId: string | null;
};

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
