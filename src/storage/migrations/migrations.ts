import type { Migration } from 'kysely';
import * as systemOfRecord from './2026-11-22-system-of-record.ts';
import * as definitions from './2026-11-22-13-definitions.ts';
import * as reports from './2026-11-22-12-reports.ts';
import * as capture from './2026-11-22-10-capture.ts';
import * as imports from './2026-11-22-11-imports.ts';
import * as handoff from './2026-11-22-14-handoff.ts';
import * as nurture from './2026-11-22-15-nurture.ts';
import * as ingestPerf from './2026-11-22-16-ingest-perf.ts';
import * as webhookResponse from './2026-11-22-17-webhook-response.ts';
import * as merge from './2026-11-22-18-merge.ts';
import * as contentLookups from './2026-11-22-19-content-lookups.ts';
import * as leadSummary from './2026-11-22-20-lead-summary.ts';
import * as importContactRoles from './2026-12-02-40-import-contact-roles.ts';
import * as consentShape from './2026-12-02-50-consent-shape.ts';
import * as enrollmentOrigin from './2026-12-02-60-enrollment-origin.ts';
import * as identityReads from './2026-12-02-70-identity-reads.ts';
import * as opportunityLeadEvents from './2026-12-02-71-opportunity-lead-events.ts';
import * as leadSummaryFresh from './2026-12-03-00-lead-summary-fresh.ts';
import * as auditLog from './2026-12-03-10-audit-log.ts';
import * as definitionGovernance from './2026-12-03-11-definition-governance.ts';
import * as signIn from './2026-12-03-20-sign-in.ts';
import * as oneRatingPerPerson from './2026-12-03-30-one-rating-per-person.ts';
import * as lifecycleWebhooks from './2026-12-03-60-lifecycle-webhooks.ts';
import * as changeCursor from './2026-12-03-61-change-cursor.ts';
import * as crm from './2026-12-03-70-crm.ts';
import * as crmRemoteState from './2026-12-04-10-crm-remote-state.ts';
import * as crmOauthRequest from './2026-12-04-11-crm-oauth-request.ts';
import * as privacy from './2026-12-04-20-privacy.ts';
import * as lists from './2026-12-04-30-lists.ts';
import * as salesTasks from './2026-12-04-40-sales-tasks.ts';
import * as campaignMembers from './2026-12-04-41-campaign-members.ts';
import * as predictionModels from './2026-12-04-70-prediction-models.ts';
import * as consentConfirmation from './2026-12-05-10-consent-confirmation.ts';
import * as contactTouchSummary from './2026-12-05-50-contact-touch-summary.ts';
import * as contactTouchDealColumns from './2026-12-05-51-contact-touch-deal-columns.ts';
import * as dropLeadOpened from './2026-12-06-10-drop-lead-opened.ts';
import * as leadSummaryAfterSal from './2026-12-06-30-lead-summary-after-sal.ts';
import * as contactFirstActivity from './2026-12-07-10-contact-first-activity.ts';
import * as leadSummaryOpenedAt from './2026-12-07-50-lead-summary-opened-at.ts';
import * as leadSummaryFloatSeconds from './2026-12-08-10-lead-summary-float-seconds.ts';
import * as leadHistoryColumns from './2026-12-08-20-lead-history-columns.ts';
import * as leadTouchSpan from './2026-12-08-30-lead-touch-span.ts';
import * as dealTouchPath from './2026-12-08-40-deal-touch-path.ts';
import * as leadContactFirstAt from './2026-12-09-10-lead-contact-first-at.ts';
import * as dealTouchValues from './2026-12-09-20-deal-touch-values.ts';

/**
 * The static list of frozen migrations, bundled in code (never discovered on disk at run time).
 * Append only; names sort in application order.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-22-system-of-record': systemOfRecord,
  // Features are keyed '2026-11-23-…' although their files say '-22-': Kysely runs migrations in key
  // order, and '2026-11-22-1…' would sort before '2026-11-22-system…' on a fresh database.
  '2026-11-23-10-capture': capture,
  '2026-11-23-11-imports': imports,
  '2026-11-23-12-reports': reports,
  '2026-11-23-13-definitions': definitions,
  '2026-11-23-14-handoff': handoff,
  '2026-11-23-15-nurture': nurture,
  '2026-11-23-16-ingest-perf': ingestPerf,
  '2026-11-23-17-webhook-response': webhookResponse,
  '2026-11-23-18-merge': merge,
  '2026-11-23-19-content-lookups': contentLookups,
  '2026-11-23-20-lead-summary': leadSummary,
  '2026-12-02-40-import-contact-roles': importContactRoles,
  '2026-12-02-50-consent-shape': consentShape,
  '2026-12-02-60-enrollment-origin': enrollmentOrigin,
  '2026-12-02-70-identity-reads': identityReads,
  '2026-12-02-71-opportunity-lead-events': opportunityLeadEvents,
  '2026-12-03-00-lead-summary-fresh': leadSummaryFresh,
  '2026-12-03-10-audit-log': auditLog,
  '2026-12-03-11-definition-governance': definitionGovernance,
  '2026-12-03-20-sign-in': signIn,
  '2026-12-03-30-one-rating-per-person': oneRatingPerPerson,
  '2026-12-03-60-lifecycle-webhooks': lifecycleWebhooks,
  '2026-12-03-61-change-cursor': changeCursor,
  '2026-12-03-70-crm': crm,
  '2026-12-04-10-crm-remote-state': crmRemoteState,
  '2026-12-04-11-crm-oauth-request': crmOauthRequest,
  '2026-12-04-20-privacy': privacy,
  '2026-12-04-30-lists': lists,
  '2026-12-04-40-sales-tasks': salesTasks,
  '2026-12-04-41-campaign-members': campaignMembers,
  '2026-12-04-70-prediction-models': predictionModels,
  '2026-12-05-10-consent-confirmation': consentConfirmation,
  '2026-12-05-50-contact-touch-summary': contactTouchSummary,
  '2026-12-05-51-contact-touch-deal-columns': contactTouchDealColumns,
  '2026-12-06-10-drop-lead-opened': dropLeadOpened,
  '2026-12-06-30-lead-summary-after-sal': leadSummaryAfterSal,
  '2026-12-07-10-contact-first-activity': contactFirstActivity,
  '2026-12-07-50-lead-summary-opened-at': leadSummaryOpenedAt,
  '2026-12-08-10-lead-summary-float-seconds': leadSummaryFloatSeconds,
  '2026-12-08-20-lead-history-columns': leadHistoryColumns,
  '2026-12-08-30-lead-touch-span': leadTouchSpan,
  '2026-12-08-40-deal-touch-path': dealTouchPath,
  '2026-12-09-10-lead-contact-first-at': leadContactFirstAt,
  '2026-12-09-20-deal-touch-values': dealTouchValues,
};
