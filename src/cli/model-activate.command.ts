import type { Command } from 'commander';
import type { Principal } from '../app/context.ts';
import { loadActiveDefinition } from '../app/definition-facts.ts';
import { createDefinitionDraft } from '../app/definitions/definition-lifecycle.ts';
import { getWorkspaceModel } from '../app/prediction/models.ts';
import { permissionsFor } from '../core/access.ts';
import { defaultDefinition } from '../core/definitions/default-definition.ts';
import { definitionWithModel, type PredictedUse } from '../core/definitions/predicted.ts';
import { findUserByEmail } from '../storage/users.repo.ts';
import type { Config } from '../config.ts';
import { inWorkspace, refuse } from './runtime.ts';

const uses: readonly PredictedUse[] = ['fit', 'engagement', 'mql'];

/**
 * `leadloop model activate <model>`: proposes using a trained model in the lead definition by creating a DRAFT — a
 * copy of the active definition with one predicted rule (and, with --inbox, the inbox sorted by the model). It never
 * activates anything: the draft goes through backtest, proposal and both sides' sign-off like every change.
 */
export function registerModelActivate(model: Command, program: Command, config: () => Config): void {
  model.command('activate').argument('<model>', "model id or 'latest'")
    .description('Create a definition draft that uses the model (never activates it: backtest, propose and both sign-offs follow)')
    .option('--threshold <p>', 'probability from 0 to 1: an MQL condition (with --use mql, the default when given), or the minimum for full points')
    .option('--use <kind>', `${uses.join(' | ')} (default: mql with --threshold, else fit)`)
    .option('--points <n>', 'points for --use fit or engagement (scaled by the probability unless --threshold is given)', '20')
    .option('--inbox', 'also sort the inbox by this model\'s probability')
    .option('--as <email>', 'author the draft as this user (their side owns it and proposes it)')
    .action(async (ref: string, opts: { threshold?: string; use?: string; points: string; inbox?: boolean; as?: string }) => {
      const threshold = opts.threshold === undefined ? undefined : Number(opts.threshold);
      if (threshold !== undefined && !(threshold >= 0 && threshold <= 1)) return refuse(`--threshold must be a probability from 0 to 1 (e.g. 0.4), not '${opts.threshold}'.`);
      const use = (opts.use ?? (threshold !== undefined ? 'mql' : 'fit')) as PredictedUse;
      if (!uses.includes(use)) return refuse(`--use must be one of ${uses.join(', ')}, not '${opts.use}'.`);
      const points = Number(opts.points);
      if (!Number.isInteger(points) || points < -1000 || points > 1000) return refuse(`--points must be a whole number from -1000 to 1000, not '${opts.points}'.`);
      await inWorkspace(config(), program.opts().workspace, async (rt, ws) => {
        const found = await getWorkspaceModel(rt.deps, ws, ref);
        if (!found.ok) return refuse(found.message);
        const m = found.value;
        let principal: Principal = { workspaceId: ws, kind: 'api_key', userId: null, apiKeyId: null, role: null, permissions: new Set() };
        if (opts.as) {
          const user = await findUserByEmail(rt.deps.db, ws, opts.as);
          if (!user) return refuse(`No user ${opts.as} in this workspace.`);
          principal = { workspaceId: ws, kind: 'user', userId: user.id, apiKeyId: null, role: user.role, permissions: permissionsFor({ role: user.role }) };
        }
        const active = await loadActiveDefinition(rt.deps.db, ws);
        const document = definitionWithModel(active?.definition ?? defaultDefinition, {
          modelId: m.id, modelVersion: m.version, targetStage: m.targetStage, use, points, minProbability: threshold, inbox: opts.inbox,
        });
        const draft = await createDefinitionDraft(rt.deps, principal, { document });
        if (!draft.ok) return refuse(`${draft.message}${draft.details?.length ? `\n${draft.details.map((d) => `  ${d.path}: ${d.message}`).join('\n')}` : ''}`);
        const rule = document.predicted!.at(-1)!;
        const what = rule.use === 'mql'
          ? `MQL when the probability of reaching ${m.targetStage} is at least ${Math.round(rule.minProbability! * 100)}%`
          : `${rule.points} ${rule.use} points ${rule.minProbability !== undefined ? `once the probability reaches ${Math.round(rule.minProbability * 100)}%` : '× the probability'}`;
        console.log([
          `Draft v${draft.value.version} created (${draft.value.id}): "${draft.value.name}"`,
          `  uses model v${m.version}: ${what}${opts.inbox ? '; the inbox sorted by its probability' : ''}`,
          `  based on ${active ? `the active definition v${active.record.version}` : 'the starter definition (nothing is active)'}.`,
          'Nothing is active yet: this command never activates. A model changes scores, MQLs and the inbox only once both sides sign.',
          'Next steps:',
          `  1. Backtest it:  POST /api/v1/definitions/${draft.value.id}/backtest  (or Definitions › the draft › Backtest)`,
          `  2. Propose it:   POST /api/v1/definitions/${draft.value.id}/propose   (its side, after the backtest of this revision)`,
          `  3. Sign-offs:    marketing and sales approvers each POST /api/v1/definitions/${draft.value.id}/approvals`,
          `  4. Activate:     POST /api/v1/definitions/${draft.value.id}/activate  (an approver or an admin)`,
          `Predictions for everyone: leadloop model predict ${m.id}`,
        ].join('\n'));
      });
    });
}
