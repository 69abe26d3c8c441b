import { csvLines } from '../../core/csv.ts';
import { fail, ok, type Result } from '../../core/result.ts';
import { exportRegistered, findPerson } from '../../storage/personal-data.repo.ts';
import { recordAudit } from '../audit.ts';
import type { AppDeps, Principal } from '../context.ts';
import type { AuditActor } from '../audit.ts';
import { withTransaction } from '../transaction.ts';

/** One machine-readable document with everything the registry finds about a person (GDPR art. 15 and 20). */
export type PersonExport = {
  format: 'leadloop.person-export.v1';
  workspace_id: string;
  contact_id: string;
  exported_at: string;
  /** Table → its rows about the person, as stored (snake_case columns). */
  tables: Record<string, Record<string, unknown>[]>;
};

/**
 * Exports a person: the contact and those merged into it, identities, traits, consent history,
 * activities, leads and transitions, scores and their explanations, emails sent, ratings, deals they
 * are a role on. Read in one transaction (one snapshot); the export itself is audited (who, whom, when).
 */
export async function exportPerson(deps: AppDeps, workspaceId: string, contactId: string, actor: Principal | AuditActor): Promise<Result<PersonExport>> {
  const at = deps.clock.now();
  return withTransaction(deps, async (trx) => {
    const person = await findPerson(trx, workspaceId, contactId);
    if (!person) return fail('NotFound', `Contact ${contactId} does not exist in this workspace.`, [{ path: 'contact', message: 'unknown contact; check the id' }]);
    const tables = await exportRegistered(trx, workspaceId, person);
    await recordAudit(trx, {
      workspaceId, actor, action: 'contact.exported', object: { type: 'contact', id: person.rootId }, at,
      after: { tables: Object.fromEntries(Object.entries(tables).map(([t, rows]) => [t, rows.length])) },
    });
    return ok({ format: 'leadloop.person-export.v1', workspace_id: workspaceId, contact_id: person.rootId, exported_at: at.toISOString(), tables });
  });
}

const cell = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** The same export as one CSV per table (file name → CSV text): the columns are the union of the rows' keys. */
export function exportAsCsvFiles(doc: PersonExport): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [table, rows] of Object.entries(doc.tables)) {
    const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    files[`${table}.csv`] = csvLines([columns, ...rows.map((r) => columns.map((c) => cell(r[c])))]);
  }
  return files;
}
