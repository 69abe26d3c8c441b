import type { Command } from 'commander';
import { getWorkspaceModel, listWorkspaceModels, refreshPredictions, trainWorkspaceModel, targetStages, type ModelView, type TargetStage } from '../app/prediction/models.ts';
import { progressBar } from './progress.ts';
import type { Config } from '../config.ts';
import { inWorkspace, refuse } from './runtime.ts';
import { registerModelActivate } from './model-activate.command.ts';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const n3 = (x: number | null) => (x === null ? '–' : x.toFixed(3));

/** The training report as a person reads it: what it learned from, what it left out and why, how it did against the rules. */
export function formatModelReport(m: ModelView): string {
  const r = m.report;
  const out = [
    `Model v${m.version}: reaches ${m.targetStage} within ${m.horizonDays} days (trained ${new Date(m.createdAt).toISOString().slice(0, 16).replace('T', ' ')} in ${r.trainingSeconds.toFixed(1)} s)`,
    `Leads with a known outcome: ${r.examples.labelled} (${r.classBalance.positives} reached it, ${r.classBalance.negatives} did not; ${pct(r.classBalance.rate)}); ${r.examples.tooRecent} too recent to know`,
    `Time split: train ${r.examples.train} from ${r.split.trainFrom.slice(0, 10)}, calibrate ${r.examples.validation} from ${r.split.validationFrom.slice(0, 10)}, holdout ${r.examples.holdout} from ${r.split.holdoutFrom.slice(0, 10)} to ${r.split.holdoutTo.slice(0, 10)}`,
    `Conversion rate by split: train ${pct(r.rates.train)}, calibrate ${pct(r.rates.validation)}, holdout ${pct(r.rates.holdout)}${Math.abs(r.rates.holdout - r.rates.train) > 0.5 * Math.max(r.rates.train, 0.01) ? '  ← the rate drifts over time: expect the probabilities to be off by as much' : ''}`,
    '',
    'Excluded as leaks (recorded after the outcome):',
    ...(r.excluded.length ? r.excluded.map((e) => `  ${e.label} (${e.field}): ${e.reason}`) : ['  none found']),
    ...(r.keptDespiteLeak.length ? [`Kept although flagged: ${r.keptDespiteLeak.join(', ')}`] : []),
    '',
    'Holdout (newest leads)   ROC-AUC  PR-AUC  log-loss  Brier  top-10% lift  top-10% capture',
    `  model                  ${n3(r.holdout.model.rocAuc)}    ${n3(r.holdout.model.prAuc)}   ${n3(r.holdout.model.logLoss)}     ${n3(r.holdout.model.brier)}  ${r.holdout.model.top10.lift.toFixed(2)}×         ${pct(r.holdout.model.top10.capture)}`,
    r.holdout.rules
      ? `  rule score (fit+eng.)  ${n3(r.holdout.rules.rocAuc)}    ${n3(r.holdout.rules.prAuc)}   –         –      ${r.holdout.rules.top10.lift.toFixed(2)}×         ${pct(r.holdout.rules.top10.capture)}`
      : '  rule score             – (no scores under an active definition on these leads)',
    '',
    'Calibration (holdout): predicted → observed',
    ...r.calibration.map((b) => `  ${pct(b.from).padStart(6)}–${pct(b.to).padEnd(6)} n=${String(b.count).padEnd(6)} predicted ${pct(b.meanPredicted).padStart(6)}  observed ${pct(b.observedRate).padStart(6)}`),
    '',
    'What weighs most (mean absolute effect on the log-odds):',
    ...r.importance.slice(0, 10).map((i) => `  ${i.label.padEnd(36)} ${i.meanAbsContribution.toFixed(3)}`),
  ];
  return out.join('\n');
}

/** `leadloop model train | list | evaluate | predict | activate`. */
export function registerModelCommands(program: Command, config: () => Config): void {
  const model = program.command('model').description('Conversion models trained on this workspace\'s history (inform; a signed definition decides)');
  model.command('train').description('Train a model and print its evaluation beside the rule score')
    .option('--target <stage>', Object.keys(targetStages).join(' | '), 'opportunity')
    .option('--horizon <days>', 'days after opening within which the lead must reach the target', '180')
    .option('--include <fields>', 'comma-separated fields to keep although flagged as leaks')
    .option('--exclude <fields>', 'comma-separated fields to leave out')
    .option('--json', 'print the model as JSON')
    .action(async (opts: { target: string; horizon: string; include?: string; exclude?: string; json?: boolean }) => {
      if (!(opts.target in targetStages)) return refuse(`--target must be one of ${Object.keys(targetStages).join(', ')}, not '${opts.target}'.`);
      const horizon = Number(opts.horizon);
      if (!Number.isInteger(horizon) || horizon < 1 || horizon > 3650) return refuse(`--horizon must be a whole number of days from 1 to 3650, not '${opts.horizon}'.`);
      const list = (s?: string) => s?.split(',').map((x) => x.trim()).filter(Boolean);
      await inWorkspace(config(), program.opts().workspace, async (rt, ws) => {
        console.error('Training on the closed history…');
        const result = await trainWorkspaceModel(rt.deps, ws, { targetStage: opts.target as TargetStage, horizonDays: horizon, include: list(opts.include), exclude: list(opts.exclude) });
        if (!result.ok) return refuse(result.message);
        console.log(opts.json ? JSON.stringify(result.value, null, 2) : formatModelReport(result.value));
      });
    });
  model.command('list').description('Trained models, newest first').action(async () => {
    await inWorkspace(config(), program.opts().workspace, async (rt, ws) => {
      const models = await listWorkspaceModels(rt.deps, ws);
      if (models.length === 0) return console.log('No model trained yet: leadloop model train');
      for (const m of models) console.log(`v${m.version}  ${m.id}  ${m.targetStage} within ${m.horizonDays} d  holdout ROC-AUC ${m.report.holdout.model.rocAuc.toFixed(3)}  ${new Date(m.createdAt).toISOString().slice(0, 10)}`);
    });
  });
  model.command('evaluate').argument('[model]', "model id or 'latest'", 'latest').description('Print a model\'s training report and holdout evaluation')
    .action(async (ref: string) => {
      await inWorkspace(config(), program.opts().workspace, async (rt, ws) => {
        const result = await getWorkspaceModel(rt.deps, ws, ref);
        if (!result.ok) return refuse(result.message);
        console.log(formatModelReport(result.value));
      });
    });
  registerModelActivate(model, program, config);
  model.command('predict').argument('[model]', "model id or 'latest'", 'latest').description('Score everyone as they are now and store the predictions')
    .action(async (ref: string) => {
      await inWorkspace(config(), program.opts().workspace, async (rt, ws) => {
        const bar = progressBar('Scoring');
        const result = await refreshPredictions(rt.deps, ws, { model: ref, onProgress: (done, total) => bar.update(done, total) });
        bar.stop();
        if (!result.ok) return refuse(result.message);
        console.log(`Scored ${result.value.length} people; export: GET /api/v1/models/${ref}/predictions.csv`);
      });
    });
}
