import { z } from 'zod';
import { accountDto, activityDto, contactDto } from './contacts.contract.ts';
import { opportunityDto } from './catalog.contract.ts';
import { leadDto } from './leads.contract.ts';

export const accountOverviewDto = z.object({
  account: accountDto,
  people: z.array(contactDto).describe('Up to 200, latest touch first.'),
  leads: z.array(leadDto).describe('Up to 200, newest first.'),
  opportunities: z.array(opportunityDto).describe('Up to 200, newest first.'),
  counts: z.object({ people: z.number(), leads: z.number(), opportunities: z.number() }),
  activity: z.array(z.object({ type: z.string(), count: z.number(), last_90_days: z.number(), last_at: z.string() })).describe("What the account's people did, by kind."),
  recent_activity: z.array(activityDto).describe('The 20 latest activities of its people.'),
});
