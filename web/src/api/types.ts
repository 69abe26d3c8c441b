// The API's JSON shapes, inferred from the server's zod contract so the two cannot drift.
import type { z } from 'zod';
import type { apiKeyDto, userDto } from '../../../src/server/contract/admin.contract.ts';
import type { campaignDto, contentDto, opportunityDto } from '../../../src/server/contract/catalog.contract.ts';
import type { accountDto, activityDto, contactDto } from '../../../src/server/contract/contacts.contract.ts';
import type { inboxSortDto, leadDto, leadPredictionDto, qualificationDto, transitionDto } from '../../../src/server/contract/leads.contract.ts';

export type User = z.infer<typeof userDto>;
export type ApiKey = z.infer<typeof apiKeyDto>;
export type CreatedApiKey = ApiKey & { key: string };
export type Contact = z.infer<typeof contactDto>;
export type Account = z.infer<typeof accountDto>;
export type Activity = z.infer<typeof activityDto>;
export type ContentAsset = z.infer<typeof contentDto>;
export type Campaign = z.infer<typeof campaignDto>;
export type Opportunity = z.infer<typeof opportunityDto>;
export type StageTransition = z.infer<typeof transitionDto>;

/** A lead's open SLA clock due first, as GET /api/v1/leads (and /leads/:id) carry it; null when none runs. */
export type LeadSla = NonNullable<z.infer<typeof leadDto>['sla']>;
export type LeadQualification = z.infer<typeof qualificationDto>;
export type LeadPrediction = z.infer<typeof leadPredictionDto>;
export type InboxSort = z.infer<typeof inboxSortDto>;
export type Lead = z.infer<typeof leadDto> & { contact?: Contact | null; account?: Account | null; qualification?: LeadQualification | null; prediction?: LeadPrediction | null };
export type AllowedTransition = Lead['allowed_transitions'][number];

export type Page<T> = { data: T[]; next_cursor: string | null };
export type ReasonCode = { code: string; label: string; outcome: string };
export type Me = { user: User | null; workspace_id: string; permissions: string[]; via: string; csrf_token: string | null; warnings: { code: string; message: string }[] };
/** The answer of sign-in, accepting an invitation and changing the password. */
export type SignedIn = { user: User; expires_at: string; csrf_token: string };
