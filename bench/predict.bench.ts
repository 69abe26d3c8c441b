/**
 * `npm run bench -- predict [--leads N]`: training time of a conversion model on N synthetic leads (default 100k,
 * ~30 mixed fields, a known signal), and the latency of scoring one person with it. Baselines in the same run:
 * one pass over the training rows (encode + one gradient evaluation's worth of work) and encoding one person.
 * With ../shared/data/bank-marketing present, bank-full (45k rows) is trained too.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Example, FieldInfo } from '../src/core/prediction/dataset.ts';
import { encode } from '../src/core/prediction/encoding.rules.ts';
import { linear, sigmoid } from '../src/core/prediction/logistic.rules.ts';
import { predict, trainModel } from '../src/core/prediction/train.rules.ts';
import { mulberry32 } from '../src/core/stats/prng.rules.ts';

function synthetic(n: number): { examples: Example[]; fields: FieldInfo[] } {
  const random = mulberry32(11);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const industries = ['SaaS', 'Retail', 'Finance', 'Health', 'Manufacturing', 'Education', 'Media', 'Logistics'];
  const seniorities = ['Individual', 'Manager', 'Director', 'VP', 'C-level'];
  const sources = ['google', 'linkedin', 'g2', 'newsletter', 'webinar', 'partner', 'direct'];
  const countries = ['US', 'DE', 'FR', 'GB', 'BR', 'IN', 'NL', 'ES', 'IT', 'CA', 'AU', 'JP'];
  const examples: Example[] = [];
  for (let i = 0; i < n; i++) {
    const seniority = pick(seniorities);
    const pricing = Math.floor(random() ** 2 * 8);
    const employees = Math.round(10 ** (1 + random() * 4));
    const z = -3 + seniorities.indexOf(seniority) * 0.4 + 0.35 * pricing + 0.3 * Math.log10(employees) + (random() - 0.5);
    const fields: Example['fields'] = {
      seniority, industry: pick(industries), country: pick(countries), first_source: pick(sources), latest_source: pick(sources),
      employees, annual_revenue: random() < 0.3 ? null : employees * 120_000, title: `Title ${Math.floor(random() * 400)}`,
      'activity:page_view': Math.floor(random() * 30), 'activity:content_view': Math.floor(random() * 10), 'activity:form_submit': Math.floor(random() * 3),
      'activity:email_click': Math.floor(random() * 6), 'activity:webinar_attended': random() < 0.2 ? 1 : 0, pricing_views: pricing,
      activities_30d: Math.floor(random() * 20), distinct_content: Math.floor(random() * 12), days_since_last_activity: random() < 0.1 ? null : random() * 90,
    };
    for (let k = 0; k < 12; k++) fields[`attr:custom_${k}`] = k % 3 === 0 ? pick(['a', 'b', 'c', 'd']) : random() < 0.2 ? null : Math.round(random() * 1000);
    examples.push({ id: String(i).padStart(7, '0'), at: i, label: random() < sigmoid(z) ? 1 : 0, fields, ruleScore: pricing * 5 });
  }
  const fields: FieldInfo[] = Object.keys(examples[0]!.fields).map((name) => ({
    name, label: name, group: name.startsWith('attr:') || ['seniority', 'industry', 'country', 'title', 'employees', 'annual_revenue'].includes(name) ? 'attribute' : 'engagement',
  }));
  return { examples, fields };
}

function timed<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const out = f();
  return [out, performance.now() - t0];
}

export async function main(argv: string[]): Promise<void> {
  const at = argv.indexOf('--leads');
  const n = at >= 0 ? Number(argv[at + 1]) : 100_000;
  const { examples, fields } = synthetic(n);
  const [trained, trainMs] = timed(() => trainModel({ examples, fields }));
  if (!trained.ok) throw new Error(trained.message);
  const { model, report } = trained.value;
  // Baseline: one pass over the same rows (encode each and compute its raw score): what a single epoch costs.
  const [, passMs] = timed(() => { let s = 0; for (const e of examples) s += linear(model.logistic, encode(e.fields, model.encoding)); return s; });
  const people = examples.slice(0, 20_000).map((e) => e.fields);
  const [, scoreMs] = timed(() => { let s = 0; for (const p of people) s += predict(model, p).probability; return s; });
  const [, encodeMs] = timed(() => { let s = 0; for (const p of people) s += encode(p, model.encoding).index.length; return s; });
  const perScoreMs = scoreMs / people.length;
  console.log(`train ${n} synthetic leads (${fields.length} fields, ${model.encoding.inputs.length} inputs): ${(trainMs / 1000).toFixed(2)} s `
    + `(one pass over the rows: ${passMs.toFixed(0)} ms; ${(trainMs / passMs).toFixed(1)}× a pass); holdout ROC-AUC ${report.holdout.model.rocAuc.toFixed(3)} vs rule ${report.holdout.rules?.rocAuc.toFixed(3)}`);
  console.log(`score one person with reasons: ${(perScoreMs * 1000).toFixed(1)} µs (encoding alone: ${((encodeMs / people.length) * 1000).toFixed(1)} µs; ${(scoreMs / encodeMs).toFixed(1)}×)`);
  const bank = path.resolve(import.meta.dirname, '../../shared/data/bank-marketing/bank-full.csv');
  let bankMs: number | null = null;
  if (existsSync(bank)) {
    const lines = readFileSync(bank, 'utf8').trim().split(/\r?\n/);
    const header = lines[0]!.split(',');
    const output = header.indexOf('Output');
    const bankExamples: Example[] = lines.slice(1).map((line, i) => {
      const cells = line.split(',');
      const f: Example['fields'] = {};
      header.forEach((h, j) => { if (j !== output) f[h] = /^-?\d+$/.test(cells[j]!) ? Number(cells[j]) : cells[j]!; });
      return { id: String(i).padStart(6, '0'), at: i, label: cells[output]!.trim() === 'yes' ? 1 : 0, fields: f, ruleScore: null };
    });
    const [b, ms] = timed(() => trainModel({ examples: bankExamples, fields: header.filter((_, j) => j !== output).map((h) => ({ name: h, label: h, group: 'attribute' as const })) }));
    bankMs = ms;
    if (b.ok) console.log(`bank-full (${bankExamples.length} rows): ${(ms / 1000).toFixed(2)} s; excluded ${b.value.report.excluded.map((e) => e.field).join(', ')}; holdout ROC-AUC ${b.value.report.holdout.model.rocAuc.toFixed(3)}`);
  } else {
    console.log(`bank-full skipped: ${bank} is absent (see ../shared/data/README.md)`);
  }
  console.log(JSON.stringify({ bench: 'predict', leads: n, train_seconds: trainMs / 1000, pass_ms: passMs, train_vs_pass: trainMs / passMs, score_us: perScoreMs * 1000, bank_train_seconds: bankMs === null ? null : bankMs / 1000 }));
}
