/**
 * The registry of personal data: every table and column (and JSON document) that can hold something
 * about a person (a contact), how a row is reached from that person, what erasure does to it, what a
 * contact merge does with the merged-away person's rows, and whether the export lists it.
 *
 * Erase, export and merge all read this one declaration (SQL: `src/storage/personal-data.repo.ts`,
 * merge: `src/storage/ingest.repo.ts` `applyMerge`), and `test/integration/privacy-registry.test.ts`
 * fails when a migration adds a column referencing a contact, or a column with a personal-data name,
 * that is not declared here (or acknowledged in `notAboutLeads`).
 *
 * Erasure keeps the shape of what happened and removes who it was: the contact row stays as an
 * anonymous tombstone (status `erased`), activities stay (type, time, source, campaign, content) so
 * funnel and attribution totals do not move, deals keep their amounts and lose the person.
 */

/** How a row belongs to the person. */
export type Reach =
  /** `column` holds the id of one of the person's contact rows (the contact and those merged into it). */
  | { by: 'contact'; column: string; where?: { column: string; equals: string } }
  /** `column` holds the id of one of the person's leads. */
  | { by: 'lead'; column: string; where?: { column: string; equals: string } }
  /** `column` is text or JSON that may mention one of the person's identifiers (email, anonymous/user/external ids). */
  | { by: 'mention'; column: string };

export type EraseAction =
  | { kind: 'null' }
  /** Replace text with a fixed word (the column is NOT NULL or its emptiness would mislead). */
  | { kind: 'tombstone'; value: string }
  /** A JSON document becomes `{}`. */
  | { kind: 'empty' }
  /** A JSON document keeps only these keys (what reports and attribution read; nothing a person typed). */
  | { kind: 'keep_keys'; keys: readonly string[] }
  /** A URL loses its query string and fragment (where forms and links put emails and click ids). */
  | { kind: 'strip_query' };

export type PersonalColumn = { column: string; holds: string; erase: EraseAction };

/**
 * What a contact merge does with the merged-away contact's rows: `move` (the reach column is set to the
 * winner, one generic statement), `custom` (a hand-written step in applyMerge: it has rules, e.g. one open
 * lead per person), `stays` (the row keeps naming the merged-away contact, e.g. the merge log itself).
 */
export type MergeRule = 'move' | 'custom' | 'stays';

export type PersonalDataEntry = {
  table: string;
  reach: Reach;
  /** `delete`: erasure deletes the row; `keep`: the row stays and its personal columns are erased. */
  rows: 'delete' | 'keep';
  columns: readonly PersonalColumn[];
  merge: MergeRule;
  /** Why the entry is shaped this way (shown in PRIVACY.md terms). */
  why: string;
};

/** Activity properties an erased person's activities keep: the vocabulary rules and reports read, nothing typed. */
export const keptActivityProperties = [
  'form_id', 'form_name', 'content_id', 'content_name', 'content_type', 'path',
  'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content', 'name',
] as const;

const nul: EraseAction = { kind: 'null' };

export const personalData: readonly PersonalDataEntry[] = [
  {
    table: 'contact', reach: { by: 'contact', column: 'id' }, rows: 'keep', merge: 'custom',
    why: 'the person; stays as an anonymous tombstone (status erased) so activities, leads and deals keep their counts',
    columns: [
      { column: 'email', holds: 'email address', erase: nul },
      { column: 'first_name', holds: 'name', erase: nul },
      { column: 'last_name', holds: 'name', erase: nul },
      { column: 'title', holds: 'job title', erase: nul },
      { column: 'seniority', holds: 'job seniority', erase: nul },
      { column: 'department', holds: 'department', erase: nul },
      { column: 'phone', holds: 'phone number', erase: nul },
      { column: 'country', holds: 'country', erase: nul },
      { column: 'attributes', holds: 'custom traits', erase: { kind: 'empty' } },
      { column: 'consent', holds: 'consent choices', erase: { kind: 'empty' } },
    ],
  },
  {
    table: 'contact', reach: { by: 'contact', column: 'merged_into_id' }, rows: 'keep', merge: 'custom',
    why: 'contacts folded into the person (their earlier anonymous visits) are part of the person; the merge repoints them',
    columns: [],
  },
  {
    table: 'contact_identity', reach: { by: 'contact', column: 'contact_id' }, rows: 'delete', merge: 'move',
    why: 'emails, anonymous ids, user ids and external ids that resolve to the person',
    columns: [{ column: 'value', holds: 'email / anonymous id / user id / external id', erase: nul }],
  },
  {
    table: 'activity', reach: { by: 'contact', column: 'contact_id' }, rows: 'keep', merge: 'move',
    why: 'what the person did; kept as anonymous facts (type, time, source, campaign, content) for funnel and attribution',
    columns: [
      { column: 'url', holds: 'page address (query strings carry emails and click ids)', erase: { kind: 'strip_query' } },
      { column: 'referrer', holds: 'previous page address', erase: nul },
      { column: 'properties', holds: 'event properties, form fields, context (IP address, user agent, anonymous id)', erase: { kind: 'keep_keys', keys: keptActivityProperties } },
    ],
  },
  {
    table: 'consent_event', reach: { by: 'contact', column: 'contact_id' }, rows: 'delete', merge: 'move',
    why: 'consent history per purpose; the suppression entry is what keeps the person from being contacted again',
    columns: [{ column: 'source', holds: 'where the choice was made', erase: nul }],
  },
  {
    table: 'consent_request', reach: { by: 'contact', column: 'contact_id' }, rows: 'delete', merge: 'move',
    why: 'double opt-in confirmations asked of the person (when, from which door, whether the email went out and was confirmed)',
    columns: [
      { column: 'source', holds: 'where the grant was made', erase: nul },
      { column: 'send_error', holds: "the mailer's answer (may quote the address)", erase: nul },
    ],
  },
  {
    table: 'lead', reach: { by: 'contact', column: 'contact_id' }, rows: 'keep', merge: 'custom',
    why: 'buying cycles; no personal columns, kept for the funnel (stages, times, scores)',
    columns: [],
  },
  {
    table: 'stage_transition', reach: { by: 'lead', column: 'lead_id' }, rows: 'keep', merge: 'stays',
    why: "the lead's stage history; notes are free text people wrote about the person",
    columns: [{ column: 'note', holds: 'free-text note', erase: nul }],
  },
  {
    table: 'assignment', reach: { by: 'lead', column: 'lead_id' }, rows: 'keep', merge: 'stays',
    why: 'who owned the lead; the note is free text',
    columns: [{ column: 'note', holds: 'free-text note', erase: nul }],
  },
  {
    table: 'alert', reach: { by: 'lead', column: 'lead_id' }, rows: 'keep', merge: 'stays',
    why: "alerts to reps name the person in their title, body and context",
    columns: [
      { column: 'title', holds: 'person name / email', erase: { kind: 'tombstone', value: 'Erased person' } },
      { column: 'body', holds: 'person details', erase: { kind: 'tombstone', value: '' } },
      { column: 'context', holds: 'person details', erase: { kind: 'empty' } },
      { column: 'email_detail', holds: 'mail server answer (names the address)', erase: nul },
    ],
  },
  {
    table: 'opportunity_contact_role', reach: { by: 'contact', column: 'contact_id' }, rows: 'delete', merge: 'custom',
    why: 'the person as a role on a deal; the deal keeps its amount and loses the person',
    columns: [{ column: 'role', holds: 'role on the deal', erase: nul }],
  },
  {
    table: 'contact_score', reach: { by: 'contact', column: 'contact_id' }, rows: 'delete', merge: 'custom',
    why: 'current score; its fit document holds trait values (title, country)',
    columns: [{ column: 'fit', holds: 'trait values', erase: { kind: 'empty' } }],
  },
  {
    table: 'score_event', reach: { by: 'contact', column: 'contact_id' }, rows: 'keep', merge: 'move',
    why: 'score history (rule labels and points); kept anonymous for scoring reports',
    columns: [],
  },
  {
    table: 'high_intent_signal', reach: { by: 'contact', column: 'contact_id' }, rows: 'keep', merge: 'move',
    why: 'high-intent reads; the detail names the page',
    columns: [{ column: 'detail', holds: 'page or asset read', erase: { kind: 'tombstone', value: 'erased' } }],
  },
  {
    table: 'content_rating', reach: { by: 'contact', column: 'contact_id' }, rows: 'keep', merge: 'move',
    why: 'ratings count for the content library; the comment is free text',
    columns: [{ column: 'comment', holds: 'free-text comment', erase: nul }],
  },
  {
    table: 'nurture_enrollment', reach: { by: 'contact', column: 'contact_id' }, rows: 'keep', merge: 'custom',
    why: 'nurture tracks; no personal columns (the nurture report counts them)',
    columns: [],
  },
  {
    table: 'nurture_send', reach: { by: 'contact', column: 'contact_id' }, rows: 'keep', merge: 'move',
    why: 'emails sent; the reason may quote the mail server naming the address',
    columns: [{ column: 'reason', holds: 'mail server answer', erase: nul }],
  },
  {
    table: 'sales_task', reach: { by: 'contact', column: 'contact_id' }, rows: 'delete', merge: 'move',
    why: "a rep's follow-up tasks; the title is free text that may name the person",
    columns: [{ column: 'title', holds: 'free text', erase: nul }],
  },
  {
    table: 'campaign_member', reach: { by: 'contact', column: 'contact_id' }, rows: 'delete', merge: 'stays',
    why: 'campaign membership (who was invited, registered, attended); one row per campaign and person, so a merge leaves the loser\'s rows where the winner has its own',
    columns: [],
  },
  {
    table: 'contact_prediction', reach: { by: 'contact', column: 'contact_id' }, rows: 'delete', merge: 'stays',
    why: "a conversion model's latest prediction; its explanation quotes trait values (title, custom attributes). A cache: the winner of a merge is re-predicted on its next activity",
    columns: [{ column: 'explanation', holds: 'trait values', erase: { kind: 'empty' } }],
  },
  {
    table: 'contact_touch_summary', reach: { by: 'contact', column: 'contact_id' }, rows: 'keep', merge: 'stays',
    why: "a cache of the person's qualifying activities (activity ids, times, channels, sources, campaign ids, UTM campaigns, content ids: the anonymous facts kept on activity) for attribution, kept like the activities it copies; the activity triggers queue both contacts of a merge and erasure's activity rewrite, and the next refresh rebuilds them",
    columns: [],
  },
  {
    table: 'contact_touch_dirty', reach: { by: 'contact', column: 'contact_id' }, rows: 'keep', merge: 'stays',
    why: 'a work queue of contacts whose touch summary is due for a rebuild (ids and a sequence number only; one row per writing statement); the next attribution refresh empties it',
    columns: [],
  },
  {
    table: 'lead_touch_span', reach: { by: 'contact', column: 'contact_id' }, rows: 'keep', merge: 'stays',
    why: "a cache for attribution's non-converting paths: per lead, its contact, opening and closing times and the span and path key of the contact's touch summary (ids, times and a hash only); the lead triggers queue a lead whose contact a merge changes, and the next refresh rewrites it",
    columns: [],
  },
  {
    table: 'contact_first_activity', reach: { by: 'contact', column: 'contact_id' }, rows: 'keep', merge: 'stays',
    why: "the time of the person's earliest activity (for time to sales-ready), kept like the activities it is computed from; the activity triggers recompute both contacts of a merge",
    columns: [],
  },
  {
    table: 'identity_conflict', reach: { by: 'contact', column: 'contact_id' }, rows: 'delete', merge: 'stays',
    why: 'two known people seen on one identity; the value is an email or id',
    columns: [{ column: 'value', holds: 'email / id', erase: nul }],
  },
  {
    table: 'identity_conflict', reach: { by: 'contact', column: 'other_contact_id' }, rows: 'delete', merge: 'stays',
    why: 'the same conflict seen from the other person',
    columns: [],
  },
  {
    table: 'contact_merge', reach: { by: 'contact', column: 'winner_id' }, rows: 'keep', merge: 'stays',
    why: 'the merge log (ids only); details name the message and identity that caused it',
    columns: [{ column: 'details', holds: 'message id and identity', erase: { kind: 'empty' } }],
  },
  {
    table: 'contact_merge', reach: { by: 'contact', column: 'loser_id' }, rows: 'keep', merge: 'stays',
    why: 'the merge log seen from the merged-away contact',
    columns: [{ column: 'details', holds: 'message id and identity', erase: { kind: 'empty' } }],
  },
  {
    table: 'import_external_ref', reach: { by: 'contact', column: 'record_id', where: { column: 'entity', equals: 'contact' } }, rows: 'delete', merge: 'stays',
    why: "the CRM export's id of the person",
    columns: [{ column: 'external_id', holds: 'external id', erase: nul }],
  },
  {
    table: 'crm_record_link', reach: { by: 'lead', column: 'local_id', where: { column: 'local_kind', equals: 'lead' } }, rows: 'keep', merge: 'stays',
    why: "the CRM's record id of the person's lead: kept so the erasure reaches the CRM (ContactErased); it holds no personal data of its own",
    columns: [{ column: 'pushed_state', holds: 'what was last pushed (stage)', erase: { kind: 'empty' } }],
  },
  {
    table: 'crm_sync_log', reach: { by: 'lead', column: 'local_id' }, rows: 'keep', merge: 'stays',
    why: 'sync log lines about the lead; the error may quote the CRM naming the person',
    columns: [{ column: 'error', holds: 'CRM error text', erase: nul }],
  },
  {
    table: 'dead_letter', reach: { by: 'mention', column: 'payload' }, rows: 'delete', merge: 'stays',
    why: 'refused messages keep their payload (traits, context with IP address and user agent)',
    columns: [
      { column: 'payload', holds: 'the refused message', erase: nul },
      { column: 'details', holds: 'why it was refused (may quote a value)', erase: nul },
    ],
  },
  {
    table: 'import_run_error', reach: { by: 'mention', column: 'value' }, rows: 'delete', merge: 'stays',
    why: 'import error reports quote the refused cell',
    columns: [{ column: 'value', holds: 'the refused cell', erase: nul }],
  },
  {
    table: 'webhook_delivery', reach: { by: 'mention', column: 'response_snippet' }, rows: 'keep', merge: 'stays',
    why: "a receiver's answer may echo what it was sent",
    columns: [{ column: 'response_snippet', holds: "receiver's answer", erase: nul }],
  },
];

/**
 * Columns with personal-data names that are not about leads (staff, company, catalogue) or hold only
 * thin references: acknowledged so the registry test knows they were looked at.
 */
export const notAboutLeads: Readonly<Record<string, string>> = {
  'app_user.email': 'staff sign-in (users manage their own account)',
  'app_user.name': 'staff name',
  'audit_log.ip': 'address of the staff member who acted',
  'account.name': 'a company, not a person',
  'webhook_event.payload': 'thin lifecycle events: ids and stages, never personal values',
  'processed_message.message_id': 'SDK message ids (random), for dedupe',
  'nurture_send.message_id': 'SMTP message id (random)',
  'identity_conflict.message_id': 'SDK message id (random)',
  'dead_letter.message_id': 'SDK message id (random)',
  'crm_sync_log.external_id': "the CRM's record id (kept with the link so the erasure propagates)",
  'crm_record_link.external_id': "the CRM's record id (kept so the erasure propagates)",
  'opportunity.external_id': 'a deal id',
  'import_run.file_name': 'the uploaded file name',
  'account.external_id': "a company's id in the CRM",
  'period_cost.note': "marketing's note on a cost",
  'opportunity_lead_event.note': 'system notes on linking a lead to a deal (ids and stages)',
  'definition_approval.comment': "an approver's comment on the lead definition",
  'definition_event.comment': "a staff comment on the lead definition",
};

/** Personal data the registry names, as `table.column` (for the registry test and PRIVACY.md). */
export function registeredColumns(): Set<string> {
  const out = new Set<string>();
  for (const e of personalData) {
    out.add(`${e.table}.${e.reach.column}`);
    for (const c of e.columns) out.add(`${e.table}.${c.column}`);
  }
  return out;
}

/** The contact-referencing columns whose rows a merge moves with one generic statement. */
export function movedOnMerge(): { table: string; column: string }[] {
  return personalData.filter((e) => e.merge === 'move' && e.reach.by === 'contact').map((e) => ({ table: e.table, column: e.reach.column }));
}

/** Entries whose rows a merge handles by hand (applyMerge names each; a test checks the two agree). */
export function customOnMerge(): string[] {
  return [...new Set(personalData.filter((e) => e.merge === 'custom').map((e) => e.table))];
}
