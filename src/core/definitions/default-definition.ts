import { defaultInquiryRule, defaultRatingMatrix, type LeadDefinition } from './definition-schema.ts';

/**
 * The definition a new workspace starts from: a B2B SaaS selling to mid-market companies.
 * It references no content asset ids (those are per workspace); content rules go by format,
 * buying stage and URL instead. A VP at a 500-person software company scores fit 72 (A);
 * two pricing page views and a case study download score 35 (level 2) → A2 → MQL.
 */
export const defaultDefinition: LeadDefinition = {
  schemaVersion: 1,
  name: 'B2B SaaS starter definition',
  description: 'Mid-market software buyers; decision makers in marketing, sales and revenue operations.',
  fit: {
    rules: [
      {
        id: 'title-vp-clevel', label: 'title VP or C-level', match: 'any', points: 30,
        conditions: [
          { field: 'contact.title', op: 'matches', pattern: '\\b(vp|vice president|chief|ceo|cmo|cro|coo|cfo|cto|founder)\\b' },
          { field: 'contact.seniority', op: 'in', values: ['vp', 'c_level', 'executive', 'owner'] },
        ],
      },
      {
        id: 'title-director', label: 'title Director / Head of', match: 'all', points: 20,
        conditions: [
          { field: 'contact.title', op: 'matches', pattern: '\\b(director|head of)\\b' },
          { field: 'contact.title', op: 'matches', pattern: '\\b(vp|vice president|chief)\\b', not: true },
        ],
      },
      {
        id: 'title-manager', label: 'title Manager', match: 'all', points: 10,
        conditions: [{ field: 'contact.title', op: 'contains', values: ['manager'] }],
      },
      {
        id: 'department-gtm', label: 'marketing, sales or RevOps', match: 'any', points: 8,
        conditions: [{ field: 'contact.department', op: 'in', values: ['marketing', 'sales', 'revenue operations', 'revops'] }],
      },
      {
        id: 'industry-saas', label: 'industry SaaS', match: 'all', points: 25,
        conditions: [{ field: 'account.industry', op: 'in', values: ['software', 'saas', 'internet', 'information technology'] }],
      },
      {
        id: 'size-midmarket', label: '200–1000 employees', match: 'all', points: 17,
        conditions: [{ field: 'account.employeeCount', op: 'between', min: 200, max: 1000 }],
      },
      {
        id: 'size-smb', label: '50–199 employees', match: 'all', points: 10,
        conditions: [{ field: 'account.employeeCount', op: 'between', min: 50, max: 199 }],
      },
      {
        id: 'size-enterprise', label: 'over 1000 employees', match: 'all', points: 12,
        conditions: [{ field: 'account.employeeCount', op: 'gte', value: 1001 }],
      },
      {
        id: 'region-served', label: 'region we sell to', match: 'all', points: 5,
        conditions: [{ field: 'account.region', op: 'in', values: ['NA', 'EMEA'] }],
      },
    ],
    grades: [{ grade: 'A', min: 60 }, { grade: 'B', min: 40 }, { grade: 'C', min: 20 }, { grade: 'D' }],
  },
  engagement: {
    halfLifeDays: 30,
    rules: [
      { id: 'pricing-page', label: 'pricing page', type: ['page_view', 'content_view'], url: '/pricing*', points: 10, cap: { max: 3, perDays: 30 } },
      { id: 'case-study-download', label: 'case study download', type: 'content_download', format: 'case_study', points: 15, cap: { max: 2, perDays: 30 } },
      { id: 'ebook-download', label: 'ebook or whitepaper download', type: 'content_download', format: ['ebook', 'whitepaper'], points: 8, cap: { max: 3, perDays: 30 } },
      { id: 'webinar', label: 'webinar', type: ['webinar_attended', 'event_attended'], points: 15, cap: { max: 2, perDays: 30 } },
      { id: 'demo-request', label: 'demo request', type: 'form_submit', properties: { form_id: 'demo-request' }, points: 40 },
      { id: 'email-click', label: 'email click', type: 'email_click', points: 3, cap: { max: 5, perDays: 30 } },
      { id: 'careers-page', label: 'careers page', type: 'page_view', url: '/careers*', points: -10, cap: { max: 1, perDays: 30 } },
    ],
    levels: [{ level: 1, min: 60 }, { level: 2, min: 30 }, { level: 3, min: 5 }, { level: 4 }],
  },
  rating: { matrix: defaultRatingMatrix },
  inquiry: defaultInquiryRule,
  mql: {
    ratings: ['qualified'],
    handRaises: [
      { id: 'demo-request', label: 'demo request', type: 'form_submit', properties: { form_id: 'demo-request' }, minFitGrade: 'C' },
      { id: 'contact-sales', label: 'contact sales form', type: 'form_submit', properties: { form_id: 'contact-sales' }, minFitGrade: 'C' },
    ],
  },
  highIntent: { contentIds: [], urls: ['/pricing*', '/demo*', '/compare*'] },
  negative: [
    {
      id: 'unsubscribed', label: 'unsubscribed', match: 'all', exclude: true,
      conditions: [{ field: 'contact.unsubscribed', op: 'equals', value: true }],
    },
    {
      id: 'student', label: 'student or intern', match: 'any', points: -50,
      conditions: [{ field: 'contact.title', op: 'contains', values: ['student', 'intern', 'trainee'] }],
    },
    {
      id: 'competitor', label: 'works at a competitor', match: 'any', exclude: true,
      conditions: [{ field: 'contact.emailDomain', op: 'in', values: ['competitor.example'] }],
    },
  ],
  sla: {
    acceptWithinBusinessHours: 4,
    firstTouchWithinBusinessHours: 24,
    opportunityDecisionWithinDays: 30,
    businessHours: { timezone: 'UTC', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' },
    holidays: [],
    escalation: [
      { on: 'accept', afterBusinessHours: 0, action: 'notify', to: 'owner' },
      { on: 'accept', afterBusinessHours: 4, action: 'notify', to: 'owner_manager' },
      { on: 'accept', afterBusinessHours: 8, action: 'reassign', to: 'sales_manager' },
      { on: 'first_touch', afterBusinessHours: 0, action: 'notify', to: 'owner_manager' },
    ],
  },
};
