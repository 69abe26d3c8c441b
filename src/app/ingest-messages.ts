import type { ActivityType } from '../core/activity.ts';
import { campaignOfProperties, normalizeActivityProperties } from '../core/activity-vocabulary.rules.ts';
import { mapActivity } from '../core/event-mapping.rules.ts';
import { emailDomain, normalizeEmail } from '../core/identity.ts';
import { identityKey, resolveIdentities, type IdentityRequest } from '../core/identity-resolution.rules.ts';
import { MAX_MESSAGE_BYTES, parseMessage, type MessageIssue, type MessageType, type SegmentMessage } from '../core/segment-message.schema.ts';
import { deriveTouch, eventTime, type TouchSource } from '../core/touch.rules.ts';
import { COLUMN_RANGES, storableIssues, toStorable, toStorableString } from '../core/storable.rules.ts';
import { contactPatchFromTraits } from '../core/traits.rules.ts';
import { traitWriteMode, type IngestTrust } from '../core/ingest-trust.rules.ts';
import { insertDeadLetters, type NewDeadLetter } from '../storage/dead-letters.repo.ts';
import { newId } from '../storage/ids.ts';
import {
  applyTouches, insertActivitiesBulk, insertConflicts, insertProcessedMessages, loadIdentitySnapshot,
  lockIdentitiesAndFindSeen, patchContactsFromTraits, writeIdentityPlan,
  type ActivityInsert, type ContactTouch,
} from '../storage/ingest.repo.ts';
import { applyMerges } from './contact-merge.ts';
import { admitUnsuppressed } from './privacy/suppression.ts';
import { publish } from './events/dispatcher.ts';
import { recordContactConsents, untrackedContacts } from './consent.ts';
import type { AppDeps } from './context.ts';
import { isFreeMailDomain } from './free-mail.ts';
import { applyGroups } from './ingest-groups.ts';
import { stopwatch, type IngestContext, type IngestPipeline, type PersistedActivity } from './ingest-pipeline.ts';
import { withTransaction } from './transaction.ts';

export type IngestInput = {
  messages: readonly unknown[];
  /** /v1/track etc. fix the type; /v1/batch reads it from each message. */
  endpointType?: MessageType;
  /** The batch envelope's sentAt, used for messages without their own. */
  batchSentAt?: Date;
  channel: string;
  /** The sending key's kind: a public (browser) key only fills empty traits and keeps other channels' consent. */
  trust: IngestTrust;
  /** Bytes of the whole body: when it is under the per-message limit no message needs measuring. */
  bodyBytes?: number;
};

export type MessageError = { index: number; messageId: string | null; reason: string; message: string; details: MessageIssue[] };
export type IngestOutcome = {
  accepted: number; stored: number; duplicates: number; errors: MessageError[];
  /** The contact each message was attributed to (null for invalid or duplicate messages). */
  contactIds: (string | null)[];
};

type Prepared = { index: number; msg: SegmentMessage; messageId: string | null; occurredAt: Date; email: string | null };

// Events before this are almost certainly a broken clock (or seconds sent as milliseconds).
const EARLIEST = Date.UTC(2000, 0, 1);
const FUTURE_SLACK_MS = 24 * 3600_000;

const reasonText: Record<string, string> = {
  MessageTooLarge: `message is larger than ${MAX_MESSAGE_BYTES / 1024} KB`,
  InvalidMessage: 'message failed validation', UnknownType: 'unknown message type', TimestampOutOfRange: 'timestamp out of range',
  UnstorableValue: 'message holds data that cannot be stored',
};

/** Trait values that land in numeric columns, checked against the column (account.employee_count is an integer). */
function columnRangeIssues(msg: SegmentMessage): MessageIssue[] {
  if (msg.type !== 'group' || !msg.traits) return [];
  const issues: MessageIssue[] = [];
  for (const key of ['employees', 'employee_count']) {
    const n = Number(msg.traits[key]);
    if (Number.isFinite(n) && Math.abs(n) > COLUMN_RANGES.int4.max) {
      issues.push({ path: `traits.${key}`, message: `${n} is out of range: the employee count is at most ${COLUMN_RANGES.int4.max.toLocaleString('en-US')}; send the number of employees.` });
    }
  }
  return issues;
}

function validate(input: IngestInput, receivedAt: Date): { prepared: Prepared[]; errors: MessageError[]; dead: NewDeadLetter[] } {
  const prepared: Prepared[] = [];
  const errors: MessageError[] = [];
  const dead: NewDeadLetter[] = [];
  const measure = (input.bodyBytes ?? Infinity) > MAX_MESSAGE_BYTES;
  input.messages.forEach((raw, index) => {
    const rawId = (raw as { messageId?: unknown } | null)?.messageId;
    // A refused message's own fields are untrusted: what we answer and dead-letter must itself be storable.
    const messageId = typeof rawId === 'string' || typeof rawId === 'number' ? toStorableString(String(rawId), 200) : null;
    const reject = (reason: string, issues: MessageIssue[]) => {
      // Issue texts may quote the message (cut mid-emoji): clean them too.
      const details = issues.map((d) => ({ path: toStorableString(d.path, 500), message: toStorableString(d.message, 2000) }));
      errors.push({ index, messageId, reason, message: `${reasonText[reason] ?? reason}: ${details.map((d) => `${d.path || 'message'}: ${d.message}`).join('; ')}`, details });
      const type = (raw as { type?: unknown } | null)?.type;
      const messageType = input.endpointType ?? (typeof type === 'string' ? toStorableString(type, 50) : null);
      dead.push({ channel: input.channel, stage: 'validate', reason, messageId, messageType, details, payload: toStorable(raw) });
    };
    // First, before anything recursive (JSON.stringify, zod) or PostgreSQL sees it.
    const unstorable = storableIssues(raw, { limits: { maxStringChars: MAX_MESSAGE_BYTES * 16 } });
    if (unstorable.length) return reject('UnstorableValue', unstorable);
    if (measure) {
      const bytes = Buffer.byteLength(JSON.stringify(raw) ?? '');
      if (bytes > MAX_MESSAGE_BYTES) return reject('MessageTooLarge', [{ path: '', message: `${bytes} bytes; the limit is ${MAX_MESSAGE_BYTES} bytes per message` }]);
    }
    const parsed = parseMessage(raw, input.endpointType);
    if (!parsed.ok) return reject(parsed.reason, parsed.details);
    const msg = parsed.message;
    const outOfRange = columnRangeIssues(msg);
    if (outOfRange.length) return reject('InvalidMessage', outOfRange);
    const occurredAt = eventTime(receivedAt, msg, input.batchSentAt);
    const t = occurredAt.getTime();
    if (t < EARLIEST || t > receivedAt.getTime() + FUTURE_SLACK_MS) {
      return reject('TimestampOutOfRange', [{ path: 'timestamp', message: `${occurredAt.toISOString()} is before 2000 or more than a day in the future` }]);
    }
    const traits = msg.type === 'identify' ? { ...msg.context?.traits, ...msg.traits } : undefined;
    const rawEmail = traits?.email;
    const email = typeof rawEmail === 'string' ? normalizeEmail(rawEmail) : null;
    if (typeof rawEmail === 'string' && rawEmail.trim() && !email) return reject('InvalidMessage', [{ path: 'traits.email', message: `'${rawEmail.slice(0, 100)}' is not a valid email address` }]);
    prepared.push({ index, msg, messageId: msg.messageId ?? null, occurredAt, email });
  });
  return { prepared, errors, dead };
}

function identityRequest(p: Prepared): IdentityRequest {
  const m = p.msg;
  return {
    anonymousId: m.anonymousId ?? null, userId: m.userId ?? null, email: p.email,
    previousId: m.type === 'alias' ? m.previousId : null, cause: m.type, messageId: p.messageId,
  };
}

function lockKeysOf(requests: IdentityRequest[]): string[] {
  const keys: string[] = [];
  for (const r of requests) {
    if (r.anonymousId) keys.push(identityKey('anonymous_id', r.anonymousId));
    if (r.userId) keys.push(identityKey('user_id', r.userId));
    if (r.email) keys.push(identityKey('email', r.email));
    if (r.previousId) keys.push(identityKey('anonymous_id', r.previousId), identityKey('user_id', r.previousId));
  }
  return keys;
}

const isActivityMessage = (m: SegmentMessage): m is Extract<SegmentMessage, { type: 'track' | 'page' | 'screen' }> =>
  m.type === 'track' || m.type === 'page' || m.type === 'screen';

/**
 * Ingests a batch of Segment-shaped messages set-wise in one transaction: valid messages are
 * stored (identity resolved, activities persisted, post-persist steps run), invalid ones are
 * answered and dead-lettered, retried ones (same messageId) are recognized and stored once.
 * It returns only after the transaction committed: an acknowledged event is durable.
 */
export async function ingestMessages(deps: AppDeps, pipeline: IngestPipeline, workspaceId: string, input: IngestInput): Promise<IngestOutcome> {
  const lap = stopwatch(pipeline);
  const receivedAt = deps.clock.now();
  const { prepared: valid, errors, dead } = validate(input, receivedAt);
  const contactIds: (string | null)[] = input.messages.map(() => null);
  // The same messageId twice in one batch (an SDK retrying into the same flush) counts once.
  const seenInBatch = new Set<string>();
  let duplicates = 0;
  const unique = valid.filter((p) => {
    if (!p.messageId) return true;
    if (seenInBatch.has(p.messageId)) { duplicates++; return false; }
    seenInBatch.add(p.messageId);
    return true;
  });
  const ctx: IngestContext = { workspaceId, receivedAt, channel: input.channel };
  const lookups = unique.some((p) => isActivityMessage(p.msg)) ? await pipeline.lookups(deps.db, workspaceId) : null;

  lap('validate');
  const result = await withTransaction(deps, async (trx) => {
    lap('begin');
    await insertDeadLetters(trx, workspaceId, dead, receivedAt);
    if (unique.length === 0) return { stored: 0, duplicates: 0, stepDead: 0 };
    const admitted = await admitUnsuppressed(trx, workspaceId, unique, receivedAt, () => pipeline.countDrop('erased person (suppressed)'));
    const withIds = admitted.filter((p) => p.messageId);
    const seen = await lockIdentitiesAndFindSeen(trx, workspaceId, lockKeysOf(admitted.map(identityRequest)),
      withIds.filter((p) => isActivityMessage(p.msg)).map((p) => p.messageId!), withIds.filter((p) => !isActivityMessage(p.msg)).map((p) => p.messageId!));
    lap('lock+dedupe');
    const fresh = seen.size ? admitted.filter((p) => !p.messageId || !seen.has(p.messageId)) : admitted;
    let dups = admitted.length - fresh.length;
    if (fresh.length === 0) return { stored: 0, duplicates: dups, stepDead: 0 };

    // Resolve identity.
    const requests = fresh.map(identityRequest);
    const kinds: string[] = [];
    const values: string[] = [];
    for (const r of requests) {
      if (r.anonymousId) { kinds.push('anonymous_id'); values.push(r.anonymousId); }
      if (r.userId) { kinds.push('user_id'); values.push(r.userId); }
      if (r.previousId) { kinds.push('anonymous_id', 'user_id'); values.push(r.previousId, r.previousId); }
    }
    const emails = [...new Set(requests.flatMap((r) => (r.email ? [r.email] : [])))];
    const snapshot = await loadIdentitySnapshot(trx, workspaceId, { kinds, values, emails });
    const firstMs = fresh[0]!.occurredAt.getTime();
    const plan = resolveIdentities(snapshot, requests, () => newId(firstMs));
    // Accounts are matched by the email's domain, skipping free-mail domains.
    const domainOf = (email: string | null) => {
      const d = email ? emailDomain(email) : null;
      return d && !isFreeMailDomain(d) ? d : null;
    };
    await writeIdentityPlan(trx, workspaceId, {
      emails: plan.emails.map((e) => ({ ...e, domain: domainOf(e.email) })),
      contacts: plan.newContacts.map((c) => ({ id: c.id, email: c.email, domain: domainOf(c.email) })),
      bindings: plan.bindings,
      rebindings: plan.rebindings,
    });
    for (const c of plan.newContacts) {
      await publish(trx, 'ContactCreated', { workspaceId, contactId: c.id, email: c.email, accountId: null, origin: 'ingest', at: receivedAt });
    }
    // Merges are rare: a batch without any issues no statement for them (here or below).
    if (plan.merges.length) await applyMerges(trx, workspaceId, plan.merges, receivedAt);
    await insertConflicts(trx, workspaceId, plan.conflicts, receivedAt);
    fresh.forEach((p, i) => { contactIds[p.index] = plan.contactOf[i]!; });
    lap('identity');

    // Traits (identify) and accounts (group).
    const patches = new Map<string, ReturnType<typeof contactPatchFromTraits>>();
    fresh.forEach((p, i) => {
      if (p.msg.type !== 'identify') return;
      const traits = { ...p.msg.context?.traits, ...p.msg.traits };
      // Consent is dated at the message and sourced by the door (a form's own records name the form).
      // Never after receipt: a future-dated grant would outrank every later refusal.
      const patch = contactPatchFromTraits(traits, { at: p.occurredAt < receivedAt ? p.occurredAt : receivedAt, source: `${input.channel}:identify`, context: p.msg.context });
      const id = plan.contactOf[i]!;
      const prev = patches.get(id);
      patches.set(id, prev ? { ...prev, ...patch, attributes: { ...prev.attributes, ...patch.attributes }, consent: [...prev.consent ?? [], ...patch.consent ?? []] } : patch);
    });
    await recordContactConsents(trx, workspaceId, new Map([...patches].flatMap(([id, patch]) => (patch.consent ? [[id, patch.consent]] : []))), { door: { trust: input.trust, channel: input.channel }, now: receivedAt });
    await patchContactsFromTraits(trx, workspaceId, [...patches].flatMap(([id, { consent: _, ...patch }]) => {
      const hasFields = patch.firstName || patch.lastName || patch.title || patch.phone || patch.country || Object.keys(patch.attributes).length;
      return hasFields ? [{ ...patch, contactId: id, attributes: Object.keys(patch.attributes).length ? patch.attributes : undefined }] : [];
    }), traitWriteMode(input.trust));
    await applyGroups(trx, workspaceId, fresh.flatMap((p, i) => (p.msg.type === 'group' ? [{ msg: p.msg, contactId: plan.contactOf[i]! }] : [])), traitWriteMode(input.trust));
    // The winners' scores are rebuilt from their merged histories now (ContactsMerged: scoring), with
    // this batch's traits and accounts, and before its activities are stored, which are then scored
    // incrementally once.
    if (plan.merges.length) {
      for (const step of pipeline.steps) await step.merged?.(trx, ctx, plan.merges);
      await publish(trx, 'ContactsMerged', { workspaceId, merges: plan.merges.map((m) => ({ winnerId: m.winnerId, loserId: m.loserId })), at: receivedAt });
    }

    lap('traits+groups');
    // A person who refused tracking/profiling is not profiled: their page and screen views are not
    // stored (counted as drops); hand-raises (forms, track events) still are.
    const viewers = fresh.flatMap((p, i) => (p.msg.type === 'page' || p.msg.type === 'screen' ? [plan.contactOf[i]!] : []));
    const untracked = viewers.length ? await untrackedContacts(trx, workspaceId, viewers) : new Set<string>();
    // Persist activities.
    const rows: ActivityInsert[] = [];
    const persisted: PersistedActivity[] = [];
    const touches = new Map<string, ContactTouch>();
    fresh.forEach((p, i) => {
      const m = p.msg;
      if (!isActivityMessage(m)) return;
      if ((m.type === 'page' || m.type === 'screen') && untracked.has(plan.contactOf[i]!)) { pipeline.countDrop('tracking refused'); return; }
      const page = m.context?.page;
      // The activity vocabulary (formId → form_id, url/path, utm_* from context.campaign), once.
      const properties = normalizeActivityProperties(m.properties ?? {}, { url: page?.url, campaign: m.context?.campaign });
      const url = (typeof properties.url === 'string' ? properties.url : page?.url) ?? null;
      const referrer = (typeof properties.referrer === 'string' ? properties.referrer : page?.referrer) ?? null;
      const mapped = mapActivity({ type: m.type, event: m.type === 'track' ? m.event : undefined, url, properties },
        (k) => lookups!.contentByUrl.get(k), (id) => lookups!.contentIds.has(id));
      const touch: TouchSource | null = deriveTouch({ campaign: campaignOfProperties(properties), referrer, url });
      const contactId = plan.contactOf[i]!;
      const props = m.type === 'track' ? properties : { ...properties, ...(m.name ? { name: m.name } : {}) };
      if (mapped.contentId && props.content_id === undefined) props.content_id = mapped.contentId;
      const a: PersistedActivity = {
        id: newId(p.occurredAt.getTime()), contactId, type: mapped.type as ActivityType, occurredAt: p.occurredAt,
        source: touch?.source ?? null, medium: touch?.medium ?? null,
        campaignId: touch?.campaign ? lookups!.campaignByUtm.get(touch.campaign.toLowerCase()) ?? null : null,
        utmCampaign: touch?.campaign ?? null, contentId: mapped.contentId, url: url?.slice(0, 2000) ?? null,
        eventName: m.type === 'track' ? m.event : m.type === 'screen' ? m.name ?? null : null, properties: props, messageId: p.messageId,
      };
      persisted.push(a);
      rows.push({ ...a, referrer: referrer?.slice(0, 2000) ?? null, properties: JSON.stringify(props), idempotencyKey: p.messageId });
      if (touch) {
        const cur = touches.get(contactId);
        if (!cur) touches.set(contactId, { contactId, firstAt: p.occurredAt, first: touch, latestAt: p.occurredAt, latest: touch });
        else {
          if (p.occurredAt < cur.firstAt) { cur.firstAt = p.occurredAt; cur.first = touch; }
          if (p.occurredAt >= cur.latestAt) { cur.latestAt = p.occurredAt; cur.latest = touch; }
        }
      }
    });
    lap('build rows');
    const storedIds = await insertActivitiesBulk(trx, workspaceId, rows, receivedAt);
    const stored = storedIds.size === persisted.length ? persisted : persisted.filter((a) => storedIds.has(a.id));
    dups += persisted.length - stored.length;
    await insertProcessedMessages(trx, workspaceId, fresh.flatMap((p) => (!isActivityMessage(p.msg) && p.messageId ? [{ messageId: p.messageId, type: p.msg.type }] : [])));
    lap('insert activities');
    const touchedContacts = new Set(stored.map((a) => a.contactId));
    await applyTouches(trx, workspaceId, [...touches.values()].filter((t) => touchedContacts.has(t.contactId)));
    lap('touches');

    // Post-persist steps (scoring, qualification, alerts...).
    let stepDead = 0;
    for (const step of pipeline.steps) {
      const verdicts = (await step.run(trx, ctx, stored)) ?? [];
      const deadVerdicts = verdicts.filter((v) => v.outcome === 'dead_letter');
      for (const v of verdicts) if (v.outcome === 'drop') pipeline.countDrop(`${step.name}: ${v.reason}`);
      await insertDeadLetters(trx, workspaceId, deadVerdicts.map((v) => ({
        channel: input.channel, stage: step.name, reason: v.reason, messageId: stored.find((a) => a.id === v.activityId)?.messageId ?? null,
        messageType: 'activity', details: [{ path: 'activity_id', message: v.activityId }], payload: { activity_id: v.activityId },
      })), receivedAt);
      stepDead += deadVerdicts.length;
      lap(`step ${step.name}`);
    }
    // Scoring, qualification, alerts, sales touches: the ActivitiesStored subscribers (src/app/compose.ts).
    if (stored.length) await publish(trx, 'ActivitiesStored', { workspaceId, activities: stored, at: receivedAt, channel: input.channel });
    lap('activities stored: subscribers');
    // People this batch made known (their first email): their anonymous history is judged now. Known
    // people identifying again (SDKs do on every page) cost nothing here.
    const madeKnown = new Set([...plan.emails.map((e) => e.contactId), ...plan.newContacts.flatMap((c) => (c.email ? [c.id] : []))]);
    const identified = new Map<string, Date>();
    fresh.forEach((p, i) => { if (p.msg.type === 'identify' && p.email && madeKnown.has(plan.contactOf[i]!)) identified.set(plan.contactOf[i]!, p.occurredAt); });
    if (identified.size) {
      for (const step of pipeline.steps) await step.identified?.(trx, ctx, identified);
      await publish(trx, 'ContactsIdentified', { workspaceId, contacts: [...identified].map(([contactId, at]) => ({ contactId, at })), at: receivedAt });
    }
    return { stored: stored.length, duplicates: dups, stepDead, identityOnly: fresh.length - persisted.length };
  });

  lap('commit');
  const c = pipeline.counters;
  c.received += input.messages.length;
  c.stored += result.stored;
  c.duplicates += result.duplicates + duplicates;
  c.deadLettered += dead.length + result.stepDead;
  c.identityOnly += result.identityOnly ?? 0;
  return { accepted: valid.length, stored: result.stored, duplicates: result.duplicates + duplicates, errors, contactIds };
}
