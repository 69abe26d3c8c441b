import { z } from 'zod';

/**
 * The Segment HTTP tracking API's message shapes (also what RudderStack sends). Unknown fields are
 * kept (looseObject): SDKs add `_metadata`, `integrations`, `channel`... that we neither need nor refuse.
 */
export const MAX_MESSAGE_BYTES = 32 * 1024;
export const MAX_BATCH_BYTES = 500 * 1024;

// Segment's SDKs historically send numeric ids; they are coerced to strings.
const id = z.union([z.string(), z.number()]).transform((v) => String(v)).pipe(z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'));
// Browser SDKs send `"userId": ""` (RudderStack v3 before identify) or `null` for "not known yet":
// an empty or blank optional id is absent, not invalid. Required ids (groupId, alias) still refuse it.
const blankIsAbsent = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalId = z.preprocess(blankIsAbsent, id.nullish());
// A timestamp is an ISO 8601 string (SDKs serialize Date with toJSON), or a Date inside this process.
const timestamp = z.union([z.string(), z.date()]).transform((v, ctx) => {
  const d = v instanceof Date ? v : /^\d{4}-\d{2}-\d{2}/.test(v) ? new Date(v) : new Date(NaN);
  if (Number.isNaN(d.getTime())) {
    ctx.addIssue({ code: 'custom', message: `must be an ISO 8601 date-time like 2026-01-31T09:00:00Z (got '${String(v).slice(0, 40)}')` });
    return z.NEVER;
  }
  return d;
});
const record = z.record(z.string(), z.unknown());

const campaignSchema = z.looseObject({
  source: z.string().max(200).optional(), medium: z.string().max(200).optional(), name: z.string().max(200).optional(),
  term: z.string().max(200).optional(), content: z.string().max(200).optional(),
});
export const contextSchema = z.looseObject({
  campaign: campaignSchema.optional(),
  page: z.looseObject({ url: z.string().max(2000).optional(), referrer: z.string().max(2000).optional(), path: z.string().max(2000).optional(), title: z.string().max(500).optional() }).optional(),
  traits: record.optional(),
  ip: z.string().max(64).optional(),
  userAgent: z.string().max(1000).optional(),
});

const common = {
  messageId: z.preprocess(blankIsAbsent, id.optional()),
  anonymousId: optionalId,
  userId: optionalId,
  timestamp: timestamp.optional(),
  originalTimestamp: timestamp.optional(),
  sentAt: timestamp.optional(),
  // Set by a CDP (Segment, RudderStack) that received the message before forwarding it here.
  receivedAt: timestamp.optional(),
  context: contextSchema.optional(),
};

const needsId = (m: { userId?: string | null; anonymousId?: string | null }) => Boolean(m.userId || m.anonymousId);
const needsIdIssue = { message: 'either userId or anonymousId is required', path: ['userId'] };

export const identifySchema = z.looseObject({ type: z.literal('identify'), ...common, traits: record.optional() }).refine(needsId, needsIdIssue);
export const trackSchema = z.looseObject({ type: z.literal('track'), ...common, event: z.string().trim().min(1, 'must not be empty').max(200), properties: record.optional() }).refine(needsId, needsIdIssue);
export const pageSchema = z.looseObject({ type: z.literal('page'), ...common, name: z.string().max(300).nullish(), category: z.string().max(300).nullish(), properties: record.optional() }).refine(needsId, needsIdIssue);
export const screenSchema = z.looseObject({ type: z.literal('screen'), ...common, name: z.string().max(300).nullish(), properties: record.optional() }).refine(needsId, needsIdIssue);
export const groupSchema = z.looseObject({ type: z.literal('group'), ...common, groupId: id, traits: record.optional() }).refine(needsId, needsIdIssue);
export const aliasSchema = z.looseObject({ type: z.literal('alias'), ...common, previousId: id, userId: id });

export const messageSchemas = {
  identify: identifySchema, track: trackSchema, page: pageSchema, screen: screenSchema, group: groupSchema, alias: aliasSchema,
} as const;
export type MessageType = keyof typeof messageSchemas;
export const messageTypes = Object.keys(messageSchemas) as MessageType[];
export function isMessageType(value: unknown): value is MessageType {
  return typeof value === 'string' && Object.hasOwn(messageSchemas, value);
}

export type IdentifyMessage = z.infer<typeof identifySchema>;
export type TrackMessage = z.infer<typeof trackSchema>;
export type PageMessage = z.infer<typeof pageSchema>;
export type ScreenMessage = z.infer<typeof screenSchema>;
export type GroupMessage = z.infer<typeof groupSchema>;
export type AliasMessage = z.infer<typeof aliasSchema>;
export type SegmentMessage = IdentifyMessage | TrackMessage | PageMessage | ScreenMessage | GroupMessage | AliasMessage;

export type MessageIssue = { path: string; message: string };
export type ParsedMessage = { ok: true; message: SegmentMessage } | { ok: false; reason: string; details: MessageIssue[] };

/**
 * Validates one message. `type` comes from the message or, for /v1/track etc., from the endpoint.
 * Example: parseMessage({ event: 'x', anonymousId: 'a' }, 'track') → { ok: true, message: {...} }.
 */
export function parseMessage(raw: unknown, endpointType?: MessageType): ParsedMessage {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, reason: 'InvalidMessage', details: [{ path: '', message: 'a message must be a JSON object' }] };
  }
  const declared = (raw as { type?: unknown }).type;
  const type = endpointType ?? declared;
  if (!isMessageType(type)) {
    return { ok: false, reason: 'UnknownType', details: [{ path: 'type', message: `must be one of ${messageTypes.join(', ')} (got ${JSON.stringify(declared ?? null)})` }] };
  }
  const parsed = messageSchemas[type].safeParse({ ...raw, type });
  if (parsed.success) return { ok: true, message: parsed.data };
  return {
    ok: false, reason: 'InvalidMessage',
    details: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
  };
}
