/** The sObjects the Salesforce conformance server knows (salesforce-server.ts): fields, required and read-only ones. */

export type Value = string | number | boolean | null;
export type SfRecord = Record<string, Value> & { Id: string };

export const prefixes: Record<string, string> = {
  Lead: '00Q', Contact: '003', Account: '001', Opportunity: '006', User: '005', OpportunityContactRole: '00K', Task: '00T',
};
const common = ['Id', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp', 'IsDeleted', 'OwnerId'];
export const schema: Record<string, { fields: string[]; required: string[]; readOnly: string[] }> = {
  Lead: {
    fields: [...common, 'FirstName', 'LastName', 'Name', 'Company', 'Email', 'Title', 'Phone', 'LeadSource', 'Status', 'Rating', 'Description',
      'IsConverted', 'ConvertedDate', 'ConvertedContactId', 'ConvertedAccountId', 'ConvertedOpportunityId',
      // The custom fields the setup guide asks an admin to create (README: "Salesforce setup").
      'Leadloop_Id__c', 'Leadloop_Score__c', 'Leadloop_Rating__c', 'Leadloop_Why__c', 'Leadloop_Stage__c'],
    required: ['LastName', 'Company'],
    readOnly: ['Name', 'IsConverted', 'ConvertedDate', 'ConvertedContactId', 'ConvertedAccountId', 'ConvertedOpportunityId'],
  },
  Contact: { fields: [...common, 'FirstName', 'LastName', 'Name', 'Email', 'AccountId', 'Title'], required: ['LastName'], readOnly: ['Name'] },
  Account: { fields: [...common, 'Name', 'Website'], required: ['Name'], readOnly: [] },
  Opportunity: {
    fields: [...common, 'Name', 'AccountId', 'StageName', 'Amount', 'CurrencyIsoCode', 'CloseDate', 'IsClosed', 'IsWon', 'LeadSource', 'Description'],
    required: ['Name', 'StageName', 'CloseDate'], readOnly: ['IsClosed', 'IsWon'],
  },
  OpportunityContactRole: { fields: [...common, 'OpportunityId', 'ContactId', 'Role', 'IsPrimary'], required: ['OpportunityId', 'ContactId'], readOnly: [] },
  User: { fields: [...common, 'Username', 'Email', 'Name', 'IsActive'], required: ['Username', 'Email'], readOnly: [] },
  Task: { fields: [...common, 'Subject', 'WhoId', 'WhatId', 'Description', 'Status', 'ActivityDate'], required: ['Subject'], readOnly: [] },
};
/** Opportunity stages as a default org defines them (OpportunityStage: IsClosed/IsWon). */
export const closedStages: Record<string, { won: boolean }> = { 'Closed Won': { won: true }, 'Closed Lost': { won: false } };

export type SalesforceApiError = { message: string; errorCode: string; fields?: string[] };

/** What Salesforce refuses about a record's fields before looking at other records: unknown, read-only, missing, bad email. */
export function schemaErrors(type: string, fields: Record<string, unknown>, creating: boolean): SalesforceApiError[] {
  const def = schema[type]!;
  const errors: SalesforceApiError[] = [];
  for (const key of Object.keys(fields)) {
    if (key === 'attributes') continue;
    if (!def.fields.includes(key)) errors.push({ message: `No such column '${key}' on sobject of type ${type}`, errorCode: 'INVALID_FIELD', fields: [key] });
    else if (def.readOnly.includes(key) || ['Id', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp', 'IsDeleted'].includes(key)) {
      errors.push({ message: `Unable to create/update fields: ${key}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`, errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: [key] });
    }
  }
  if (creating) {
    const missing = def.required.filter((f) => fields[f] === undefined || fields[f] === null || fields[f] === '');
    if (missing.length) errors.push({ message: `Required fields are missing: [${missing.join(', ')}]`, errorCode: 'REQUIRED_FIELD_MISSING', fields: missing });
  }
  if (type === 'Lead' && typeof fields.Email === 'string' && fields.Email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(fields.Email)) {
    errors.push({ message: `Email: invalid email address: ${fields.Email}`, errorCode: 'INVALID_EMAIL_ADDRESS', fields: ['Email'] });
  }
  return errors;
}
