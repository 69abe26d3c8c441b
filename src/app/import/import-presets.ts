import { fail, ok, type Result } from '../../core/result.ts';
import { becameFields } from './import-rows.schema.ts';

/** What a CSV import can create; each has its own canonical fields (the `generic` preset's headers). */
export const importEntities = ['contacts', 'accounts', 'leads', 'opportunities', 'activities', 'contact_roles'] as const;
export type ImportEntity = (typeof importEntities)[number];
export const presetNames = ['salesforce', 'hubspot', 'generic'] as const;
export type PresetName = (typeof presetNames)[number];

const contactFields = [
  'external_id', 'email', 'first_name', 'last_name', 'title', 'phone', 'country', 'company', 'website', 'industry',
  'employee_count', 'source', 'created_at', 'account_external_id', 'lifecycle_stage', 'lead_status', ...becameFields,
] as const;

export const entityFields = {
  contacts: contactFields,
  leads: [...contactFields, 'status', 'converted', 'converted_contact_id', 'converted_opportunity_id', 'converted_account_id', 'converted_date'],
  accounts: ['external_id', 'name', 'domain', 'industry', 'employee_count', 'country', 'annual_revenue', 'created_at'],
  opportunities: [
    'external_id', 'name', 'account_name', 'account_external_id', 'amount', 'currency', 'stage', 'close_date', 'won', 'closed',
    'source', 'created_at', 'contact_email', 'contact_external_id', 'lead_external_id',
  ],
  contact_roles: ['opportunity_external_id', 'contact_external_id', 'contact_email', 'role', 'is_primary'],
  activities: ['external_id', 'contact_email', 'contact_external_id', 'type', 'occurred_at', 'subject', 'url', 'source', 'medium', 'campaign'],
} as const satisfies Record<ImportEntity, readonly string[]>;

/** Required fields: every inner list needs at least one of its fields mapped to a column. */
export const requiredFields: Record<ImportEntity, string[][]> = {
  contacts: [['email', 'external_id']],
  leads: [['email', 'external_id']],
  accounts: [['name']],
  opportunities: [['name']],
  activities: [['type'], ['occurred_at'], ['contact_email', 'contact_external_id']],
  contact_roles: [['opportunity_external_id'], ['contact_external_id', 'contact_email']],
};

type HeaderMap = Record<string, string>;

const sfPerson: HeaderMap = {
  'first name': 'first_name', 'last name': 'last_name', title: 'title', email: 'email', phone: 'phone', 'lead source': 'source', 'created date': 'created_at',
  // API names, as Data Loader / Data Export write them.
  firstname: 'first_name', lastname: 'last_name', leadsource: 'source', createddate: 'created_at',
};
/** Salesforce lead conversion (report labels and API names). */
const sfConversion: HeaderMap = {
  converted: 'converted', isconverted: 'converted', 'converted contact id': 'converted_contact_id', convertedcontactid: 'converted_contact_id',
  'converted opportunity id': 'converted_opportunity_id', convertedopportunityid: 'converted_opportunity_id',
  'converted account id': 'converted_account_id', convertedaccountid: 'converted_account_id', 'converted date': 'converted_date', converteddate: 'converted_date',
};
/** HubSpot lifecycle columns: export labels and internal property names. */
const hsLifecycle: HeaderMap = {
  'lifecycle stage': 'lifecycle_stage', lifecyclestage: 'lifecycle_stage', 'lead status': 'lead_status', hs_lead_status: 'lead_status',
  'became a subscriber date': 'became_subscriber_at', hs_lifecyclestage_subscriber_date: 'became_subscriber_at',
  'became a lead date': 'became_lead_at', hs_lifecyclestage_lead_date: 'became_lead_at',
  'became an other lifecycle date': 'became_other_at', hs_lifecyclestage_other_date: 'became_other_at',
  'became a marketing qualified lead date': 'became_mql_at', hs_lifecyclestage_marketingqualifiedlead_date: 'became_mql_at',
  'became a sales qualified lead date': 'became_sql_at', hs_lifecyclestage_salesqualifiedlead_date: 'became_sql_at',
  'became an opportunity date': 'became_opportunity_at', hs_lifecyclestage_opportunity_date: 'became_opportunity_at',
  'became a customer date': 'became_customer_at', hs_lifecyclestage_customer_date: 'became_customer_at',
  'became an evangelist date': 'became_evangelist_at', hs_lifecyclestage_evangelist_date: 'became_evangelist_at',
};
const hsPerson: HeaderMap = {
  'record id': 'external_id', 'first name': 'first_name', 'last name': 'last_name', email: 'email', 'job title': 'title', 'company name': 'company',
  'phone number': 'phone', 'country/region': 'country', 'original source': 'source', 'create date': 'created_at', website: 'website',
  industry: 'industry', 'number of employees': 'employee_count', 'website url': 'website', 'associated company id': 'account_external_id',
};

/** Column names of Salesforce report exports and HubSpot exports, lower-cased. */
const presets: Record<Exclude<PresetName, 'generic'>, Record<ImportEntity, HeaderMap>> = {
  salesforce: {
    leads: {
      ...sfPerson, ...sfConversion, 'lead id': 'external_id', company: 'company', 'lead status': 'status', industry: 'industry', 'no. of employees': 'employee_count',
      country: 'country', website: 'website', id: 'external_id', status: 'status', numberofemployees: 'employee_count',
    },
    contacts: { ...sfPerson, 'contact id': 'external_id', 'account name': 'company', 'account id': 'account_external_id', 'mailing country': 'country', country: 'country' },
    accounts: {
      'account id': 'external_id', 'account name': 'name', website: 'domain', industry: 'industry', employees: 'employee_count',
      'billing country': 'country', 'annual revenue': 'annual_revenue', 'created date': 'created_at',
    },
    opportunities: {
      'opportunity id': 'external_id', 'opportunity name': 'name', 'account name': 'account_name', 'account id': 'account_external_id', amount: 'amount',
      currency: 'currency', 'opportunity currency': 'currency', stage: 'stage', 'close date': 'close_date', won: 'won', closed: 'closed',
      'lead source': 'source', 'created date': 'created_at', 'contact email': 'contact_email', 'primary contact email': 'contact_email', 'primary contact': 'contact_email',
      'contact id': 'contact_external_id', 'lead id': 'lead_external_id', 'converted lead id': 'lead_external_id',
    },
    contact_roles: {
      'opportunity id': 'opportunity_external_id', opportunityid: 'opportunity_external_id', 'contact id': 'contact_external_id', contactid: 'contact_external_id',
      role: 'role', 'contact role': 'role', primary: 'is_primary', 'is primary': 'is_primary', isprimary: 'is_primary', email: 'contact_email', 'contact email': 'contact_email',
    },
    activities: {
      'activity id': 'external_id', subject: 'subject', date: 'occurred_at', 'activity date': 'occurred_at', type: 'type', 'task type': 'type',
      email: 'contact_email', 'contact email': 'contact_email', 'contact id': 'contact_external_id', 'lead id': 'contact_external_id',
    },
  },
  hubspot: {
    contacts: { ...hsPerson, ...hsLifecycle },
    leads: { ...hsPerson, ...hsLifecycle },
    accounts: {
      'record id': 'external_id', 'company name': 'name', 'company domain name': 'domain', industry: 'industry', 'number of employees': 'employee_count',
      'country/region': 'country', 'annual revenue': 'annual_revenue', 'create date': 'created_at',
    },
    opportunities: {
      'record id': 'external_id', 'deal name': 'name', amount: 'amount', 'deal stage': 'stage', 'close date': 'close_date', 'create date': 'created_at',
      'associated contact': 'contact_email', 'associated company': 'account_name', currency: 'currency', 'deal currency code': 'currency', 'original source': 'source',
      'associated contact ids': 'contact_external_id', 'associated contact id': 'contact_external_id', 'contact ids': 'contact_external_id',
    },
    contact_roles: {
      'deal id': 'opportunity_external_id', 'record id (deal)': 'opportunity_external_id', 'deal record id': 'opportunity_external_id',
      'contact id': 'contact_external_id', 'record id (contact)': 'contact_external_id', 'contact record id': 'contact_external_id',
      'association label': 'role', 'association type': 'role', email: 'contact_email', 'contact email': 'contact_email',
    },
    activities: {
      'record id': 'external_id', 'activity date': 'occurred_at', 'activity type': 'type', 'associated contact': 'contact_email', subject: 'subject', 'call title': 'subject',
    },
  },
};

/** Prefix of external ids, so a Salesforce id and a HubSpot id never collide in one workspace. */
export function externalIdOf(preset: PresetName, raw: string): string {
  return preset === 'generic' ? raw : `${preset}:${raw}`;
}

export type ColumnPlan = { header: string; index: number; field: string | null; attribute: string | null };
export type ImportPlan = { preset: PresetName; columns: ColumnPlan[]; fields: Map<string, number>; attributeColumns: string[] };

const norm = (h: string) => h.trim().toLowerCase();
/** 'Lead Score (2024)' → 'lead_score_2024': the attribute key of an unmapped column. */
export const attributeKey = (h: string) => norm(h).replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '') || 'column';

const genericAliases: Partial<Record<ImportEntity, HeaderMap>> = {
  activities: { email: 'contact_email', contact_id: 'contact_external_id', date: 'occurred_at' },
  opportunities: { email: 'contact_email', account: 'account_name' },
};

function genericMap(entity: ImportEntity): HeaderMap {
  return { ...Object.fromEntries(entityFields[entity].flatMap((f) => [[f, f], [f.replace(/_/g, ' '), f]])), ...genericAliases[entity] };
}

function headerMapOf(preset: PresetName, entity: ImportEntity): HeaderMap {
  return preset === 'generic' ? genericMap(entity) : { ...genericMap(entity), ...presets[preset][entity] };
}

/** The preset whose column names match most headers; it must beat Leadloop's own field names (generic). */
export function detectPreset(entity: ImportEntity, headers: string[]): PresetName {
  const score = (map: HeaderMap) => headers.filter((h) => map[norm(h)] !== undefined).length;
  let best: PresetName = 'generic';
  let bestScore = score(genericMap(entity));
  for (const name of ['salesforce', 'hubspot'] as const) {
    const s = score(presets[name][entity]);
    if (s > bestScore) { best = name; bestScore = s; }
  }
  return best;
}

/** Parses '--map "Col A=email,Col B=title"' (a field of '-' ignores the column). */
export function parseMapping(spec: string | undefined): Result<Record<string, string>> {
  if (!spec?.trim()) return ok({});
  const out: Record<string, string> = {};
  for (const pair of spec.split(',')) {
    const at = pair.lastIndexOf('=');
    if (at <= 0) return fail('ValidationFailed', `Mapping '${pair}' must look like 'Column name=field'.`, [{ path: 'mapping', message: pair }]);
    out[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return ok(out);
}

/**
 * Decides which column feeds which field: preset names, then explicit mapping overrides; other
 * columns become custom attributes. Refuses unknown fields and missing required columns.
 */
export function planColumns(entity: ImportEntity, headers: string[], preset: PresetName | 'auto', mapping: Record<string, string>): Result<ImportPlan> {
  const chosen = preset === 'auto' ? detectPreset(entity, headers) : preset;
  const map = headerMapOf(chosen, entity);
  const known = new Set<string>(entityFields[entity]);
  const overrides = new Map(Object.entries(mapping).map(([k, v]) => [norm(k), v]));
  for (const [column, field] of Object.entries(mapping)) {
    if (!headers.some((h) => norm(h) === norm(column))) return fail('ValidationFailed', `--map names column '${column}', which is not in the file. Columns: ${headers.join(', ')}.`, [{ path: 'mapping', message: `unknown column ${column}` }]);
    if (field !== '-' && !known.has(field)) return fail('ValidationFailed', `--map maps '${column}' to '${field}', which is not a ${entity} field. Fields: ${[...known].join(', ')} (or '-' to ignore the column).`, [{ path: 'mapping', message: `unknown field ${field}` }]);
  }
  const fields = new Map<string, number>();
  const columns: ColumnPlan[] = headers.map((header, index) => {
    const override = overrides.get(norm(header));
    const field = override !== undefined ? (override === '-' ? null : override) : map[norm(header)] ?? null;
    const ignored = override === '-' || header === '';
    if (field && !fields.has(field)) fields.set(field, index);
    return { header, index, field: field && fields.get(field) === index ? field : null, attribute: !field && !ignored ? attributeKey(header) : null };
  });
  const missing = requiredFields[entity].filter((any) => !any.some((f) => fields.has(f)));
  if (missing.length) {
    const expected = (f: string) => [...Object.entries(map)].filter(([, v]) => v === f).map(([h]) => `'${h}'`).slice(0, 3).join(' or ');
    const what = missing.map((any) => any.map((f) => `${f} (${expected(f)})`).join(' or ')).join('; ');
    return fail('ValidationFailed', `The file lacks required ${entity} column(s): ${what}. Preset: ${chosen}. Columns found: ${headers.join(', ')}. Map a column with --map "Column=field".`,
      missing.map((any) => ({ path: any.join('|'), message: 'missing column' })));
  }
  return ok({ preset: chosen, columns, fields, attributeColumns: columns.filter((c) => c.attribute).map((c) => c.header) });
}
