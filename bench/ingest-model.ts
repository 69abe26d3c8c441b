import { sql } from 'kysely';
import type { Example } from '../src/core/prediction/dataset.ts';
import { trainModel } from '../src/core/prediction/train.rules.ts';
import { mulberry32 } from '../src/core/stats/prng.rules.ts';
import { describeFields } from '../src/app/prediction/prediction-features.ts';
import type { Db } from '../src/storage/db.ts';
import { insertModel } from '../src/storage/predictions.repo.ts';

/**
 * `bench ingest --with-model`: a conversion model (trained on synthetic leads with the real feature names: title,
 * seniority, engagement counts by type, recency) stored in the bench workspace, and the active definition made to
 * read it (an MQL condition at 95%, so qualification barely changes), so every batch re-predicts its people inside
 * the ingest transaction. Written straight to storage: a bench sets up, it does not go through sign-off.
 */
export async function installBenchModel(db: Db, workspaceId: string): Promise<string> {
  const random = mulberry32(7);
  const seniorities = ['Individual', 'Manager', 'Director', 'VP'];
  const examples: Example[] = [];
  for (let i = 0; i < 4000; i++) {
    const seniority = seniorities[Math.floor(random() * seniorities.length)]!;
    const pages = Math.floor(random() * 12);
    const forms = random() < 0.2 ? 1 : 0;
    const z = -3 + seniorities.indexOf(seniority) * 0.5 + 0.2 * pages + 1.5 * forms + (random() - 0.5);
    examples.push({
      id: String(i).padStart(6, '0'), at: i, label: random() < 1 / (1 + Math.exp(-z)) ? 1 : 0, ruleScore: null,
      fields: {
        title: `Title ${Math.floor(random() * 40)}`, seniority, first_source: random() < 0.5 ? 'google' : 'linkedin', first_medium: random() < 0.5 ? 'organic' : 'paid_social',
        activities_total: pages + forms, activities_30d: pages, distinct_content: Math.floor(pages / 3), days_since_last_activity: random() * 30,
        'activity:page_view': pages, 'activity:form_submit': forms,
      },
    });
  }
  const trained = trainModel({ examples, fields: describeFields(examples) });
  if (!trained.ok) throw new Error(trained.message);
  const model = await db.transaction().execute((trx) => insertModel(trx, workspaceId, {
    targetStage: 'opportunity', horizonDays: 90, model: trained.value.model, report: trained.value.report, createdBy: null, at: new Date(),
  }));
  await sql`UPDATE lead_definition SET document = document || ${JSON.stringify({ predicted: [{ id: 'likely', model: model.id, use: 'mql', minProbability: 0.95 }] })}::jsonb
    WHERE workspace_id = ${workspaceId} AND status = 'active'`.execute(db);
  return model.id;
}
