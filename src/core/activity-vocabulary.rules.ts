/**
 * One activity vocabulary for every door. Whatever the door (`/v1/*`, `/t.js`, the forms endpoint,
 * `POST /api/v1/activities`, CSV imports, nurture tracking), the same human act is stored with the
 * same property keys, so a definition rule written once matches it from every door. Keys follow the
 * Segment spec's snake_case (`form_id`, `content_id`, `url`, `utm_source`...). Real senders spell
 * them many ways (`formId`, `formID`, `Form ID`, `contentId`, `assetId`): those aliases are renamed
 * here, once, and rule matching reads definitions' keys through the same table.
 */

export const canonicalPropertyKeys = [
  'form_id', 'form_name', 'content_id', 'content_name', 'content_type', 'url', 'path',
  'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content',
] as const;
export type CanonicalPropertyKey = (typeof canonicalPropertyKeys)[number];

/**
 * Aliases per canonical key, as squashed spellings (lowercase letters and digits only), so
 * `formId`, `FormID`, `form-id` and `Form ID` are all `formid`. Only keys listed here are renamed;
 * every other property is kept exactly as sent.
 */
const aliases: Record<CanonicalPropertyKey, readonly string[]> = {
  form_id: ['formid', 'formguid', 'hsformid', 'formkey'],
  form_name: ['formname', 'formtitle'],
  content_id: ['contentid', 'assetid', 'contentassetid'],
  content_name: ['contentname', 'contenttitle', 'assetname', 'assettitle'],
  content_type: ['contenttype', 'contentformat', 'assettype', 'assetformat'],
  url: ['url', 'pageurl', 'downloadurl', 'fileurl', 'asseturl'],
  path: ['path', 'pagepath', 'pathname'],
  utm_source: ['utmsource'],
  utm_medium: ['utmmedium'],
  utm_campaign: ['utmcampaign', 'utmcampaignname'],
  utm_term: ['utmterm'],
  utm_content: ['utmcontent'],
};

const squash = (key: string) => key.toLowerCase().replace(/[^a-z0-9]/g, '');
const canonicalBySquashed = new Map<string, CanonicalPropertyKey>(
  canonicalPropertyKeys.flatMap((k) => [[squash(k), k] as const, ...aliases[k].map((a) => [a, k] as const)]),
);

/** The canonical key a property key stands for (`formId` → `form_id`); unknown keys come back unchanged. */
export function canonicalPropertyKey(key: string): string {
  return canonicalBySquashed.get(squash(key)) ?? key;
}

// formId, formID, form-id: the spellings found in practice (the demo once wrote `formId`).
const spellings = new Map<string, readonly string[]>(canonicalPropertyKeys.map((k) => {
  const camel = k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  return [k, [...new Set([k, camel, camel.replace(/Id$/, 'ID'), k.replace(/_/g, '-')])]];
}));

/**
 * The spellings under which history stored before this vocabulary may hold a canonical key
 * (`form_id` → `form_id`, `formId`, `formID`, `form-id`...). Rule matching and the backtest reader
 * look at these, so a definition still matches activities recorded with an alias.
 */
export function storedSpellings(key: string): readonly string[] {
  const canonical = canonicalPropertyKey(key);
  return spellings.get(canonical) ?? [key];
}
/** Reads a canonical property from stored properties, falling back to the alias spellings of older history. */
export function readProperty(properties: Record<string, unknown>, key: string): unknown {
  const canonical = canonicalPropertyKey(key);
  const direct = properties[canonical];
  if (direct !== undefined) return direct;
  for (const spelling of storedSpellings(canonical)) {
    const v = properties[spelling];
    if (v !== undefined) return v;
  }
  return undefined;
}

/** Campaign tags as Segment's `context.campaign` carries them (`name` is utm_campaign). */
export type CampaignTags = { source?: string | null; medium?: string | null; name?: string | null; term?: string | null; content?: string | null };

/** What a door knows about an act besides its properties: the URL it happened at and its campaign tags. */
export type ActivityDoorContext = { url?: string | null; campaign?: CampaignTags | null; contentId?: string | null };

const campaignKeys = [['source', 'utm_source'], ['medium', 'utm_medium'], ['name', 'utm_campaign'], ['term', 'utm_term'], ['content', 'utm_content']] as const;
const idKeys = new Set<string>(['form_id', 'content_id']);
const MAX_ID = 200;
const MAX_URL = 2000;
const MAX_TAG = 200;

function scalarText(v: unknown, max: number): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t ? t.slice(0, max) : undefined;
}

/** A form name that is really an id (`demo-request`, `contact_us_2`): no spaces, id characters only. */
const idLike = /^[A-Za-z0-9][\w.:-]{0,99}$/;

/** The path of a URL (absolute or bare), without query or fragment; null when it has none. */
export function pathOfUrl(url: string): string | null {
  const noScheme = url.trim().replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '');
  const path = noScheme.replace(/[?#].*$/, '');
  if (path.startsWith('/')) return path;
  return noScheme !== url.trim() ? '/' : null;
}

/** utm_* parameters of a URL's query (all five). */
export function campaignOfUrl(url: string | null | undefined): CampaignTags {
  if (!url || !url.includes('utm_')) return {};
  const query = url.split('#')[0]!.split('?')[1] ?? '';
  const out: CampaignTags = {};
  for (const pair of query.split('&')) {
    const [k = '', v = ''] = pair.split('=');
    let value: string;
    try { value = decodeURIComponent(v.replace(/\+/g, ' ')); } catch { value = v; }
    const hit = campaignKeys.find(([, utm]) => utm === k);
    if (hit && value.trim()) out[hit[0]] = value;
  }
  return out;
}

const hasTags = (c: CampaignTags | null | undefined): c is CampaignTags => !!c && campaignKeys.some(([k]) => !!scalarText(c[k], MAX_TAG));

/**
 * The canonical properties of an activity. Alias keys are renamed to the canonical key (when the
 * canonical key is not already there: then the alias is kept as sent, nothing is lost); ids become
 * trimmed strings; `url` and `path` are filled from the door's URL; the campaign tags come from the
 * properties' utm_* keys, else the door's campaign, else the URL's utm_* parameters (one source,
 * never mixed). A slug-like `form_name` stands in for a missing `form_id`.
 * Example: ({ formId: 'demo-request' }, { url: 'https://a.co/demo?utm_source=li' }) →
 * { form_id: 'demo-request', url: 'https://a.co/demo?utm_source=li', path: '/demo', utm_source: 'li' }.
 */
export function normalizeActivityProperties(properties: Readonly<Record<string, unknown>>, door: ActivityDoorContext = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const renamed: [string, string, unknown][] = [];
  for (const [key, value] of Object.entries(properties)) {
    const canonical = canonicalPropertyKey(key);
    if (canonical === key) out[key] = value;
    else renamed.push([key, canonical, value]);
  }
  // Exact canonical keys win over aliases; the first alias fills a missing canonical key.
  for (const [key, canonical, value] of renamed) {
    if (out[canonical] === undefined && value !== undefined && value !== null && value !== '') out[canonical] = value;
    else out[key] = value;
  }
  for (const key of idKeys) {
    if (out[key] === undefined) continue;
    const id = scalarText(out[key], MAX_ID);
    if (id !== undefined) out[key] = id;
    else if (out[key] === null || out[key] === '') delete out[key];
  }
  const formName = scalarText(out.form_name, MAX_ID);
  if (out.form_id === undefined && formName && idLike.test(formName)) out.form_id = formName;
  if (out.content_id === undefined && door.contentId) out.content_id = door.contentId;

  const url = scalarText(out.url, MAX_URL) ?? scalarText(door.url, MAX_URL);
  if (url) out.url = url;
  if (out.path === undefined && url) {
    const path = pathOfUrl(url);
    if (path) out.path = path;
  }

  const fromProps: CampaignTags = Object.fromEntries(campaignKeys.map(([k, utm]) => [k, scalarText(out[utm], MAX_TAG)]));
  const tags = [fromProps, door.campaign, campaignOfUrl(url)].find(hasTags);
  if (tags) for (const [k, utm] of campaignKeys) {
    const v = scalarText(tags[k], MAX_TAG);
    if (v) out[utm] = v;
  }
  return out;
}

/** The campaign tags canonical properties carry (for a door's source/medium/campaign columns). */
export function campaignOfProperties(properties: Readonly<Record<string, unknown>>): { [K in keyof CampaignTags]?: string } {
  const out: { [K in keyof CampaignTags]?: string } = {};
  for (const [k, utm] of campaignKeys) {
    const v = scalarText(properties[utm], MAX_TAG);
    if (v) out[k] = v;
  }
  return out;
}

/** The columns a door stores beside the properties; what it did not know stays null. */
export type ActivityColumns = { url: string | null; source: string | null; medium: string | null; utmCampaign: string | null; contentId: string | null };

/**
 * Canonical properties and columns together, for doors that take columns directly (REST, CSV,
 * nurture): the columns state the campaign and content when given, and are filled from the
 * canonical properties when not, so both always tell the same story.
 */
export function canonicalActivity(input: { properties?: Readonly<Record<string, unknown>> | null } & Partial<ActivityColumns>): { properties: Record<string, unknown> } & ActivityColumns {
  const columnsCampaign: CampaignTags = { source: input.source, medium: input.medium, name: input.utmCampaign };
  const properties = normalizeActivityProperties(input.properties ?? {}, {
    url: input.url, contentId: input.contentId, campaign: hasTags(columnsCampaign) ? columnsCampaign : null,
  });
  // The door's own columns are the sender's statement: they win over tags found in properties.
  if (hasTags(columnsCampaign)) for (const [k, utm] of campaignKeys) {
    const v = scalarText(columnsCampaign[k], MAX_TAG);
    if (v) properties[utm] = v;
  }
  const tags = campaignOfProperties(properties);
  return {
    properties,
    url: input.url ?? (typeof properties.url === 'string' ? properties.url : null),
    source: input.source ?? tags.source ?? null,
    medium: input.medium ?? tags.medium ?? null,
    utmCampaign: input.utmCampaign ?? tags.name ?? null,
    contentId: input.contentId ?? null,
  };
}

/** Only the canonical properties of an activity: what must be the same for the same act from every door. */
export function canonicalView(properties: Readonly<Record<string, unknown>>): Partial<Record<CanonicalPropertyKey, unknown>> {
  const out: Partial<Record<CanonicalPropertyKey, unknown>> = {};
  for (const k of canonicalPropertyKeys) if (properties[k] !== undefined) out[k] = properties[k];
  return out;
}

/**
 * Form fields never stored (defence in depth: the snippet already skips them): passwords, card
 * numbers and codes, and anything that looks like a secret or a one-time token.
 */
export const secretFieldName = /pass(word)?|pwd|secret|token|csrf|xsrf|nonce|captcha|cvv|cvc|csc|card.?(number|num|no)|cc.?(num|number|exp|csc)|iban|ssn|social.?security/i;
