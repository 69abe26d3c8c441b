import { fail, ok, type Result } from './result.ts';

/**
 * The lead lifecycle: a waterfall with detours. This one table is the only source of allowed
 * moves; the API's errors and the web app's buttons are both derived from it.
 */
export const stages = ['inquiry', 'mql', 'sal', 'sql', 'opportunity', 'won', 'lost', 'nurture', 'disqualified'] as const;
export type Stage = (typeof stages)[number];

export const closedStages: readonly Stage[] = ['won', 'lost', 'disqualified'];

/**
 * Waterfall rank of a stage: how far down the funnel a lead got. `lost` ranks with `opportunity`
 * (only an opportunity can be lost); detours (nurture, disqualified) rank 0 so they never raise it.
 * The reports' SQL (stageRankCase) and the stage-history summary are both built from this table.
 */
export const waterfallRank: Readonly<Record<Stage, number>> = {
  inquiry: 1, mql: 2, sal: 3, sql: 4, opportunity: 5, lost: 5, won: 6, nurture: 0, disqualified: 0,
};
/** Stages in which the lead is in sales' hands (nurture pauses, SLAs run). */
export const salesStages: readonly Stage[] = ['mql', 'sal', 'sql', 'opportunity'];

export type TransitionAction =
  | 'qualify' | 'requalify' | 'accept' | 'reject' | 'recycle' | 'hand_back'
  | 'convert' | 'open_opportunity' | 'win' | 'lose' | 'disqualify' | 'nurture';

export type TransitionRule = {
  from: Stage;
  to: Stage;
  action: TransitionAction;
  /** Which reason outcome the reason code must have; null when no reason is needed. */
  reason: 'nurture' | 'disqualified' | 'lost' | null;
  /** Moving back to marketing after sales saw the lead counts as a recycle. */
  recycle: boolean;
  label: string;
};

const t = (from: Stage, to: Stage, action: TransitionAction, label: string, reason: TransitionRule['reason'] = null, recycle = false): TransitionRule =>
  ({ from, to, action, label, reason, recycle });

export const transitionTable: readonly TransitionRule[] = [
  t('inquiry', 'mql', 'qualify', 'Mark sales-ready (MQL)'),
  t('inquiry', 'nurture', 'nurture', 'Move to nurture'),
  t('inquiry', 'disqualified', 'disqualify', 'Disqualify', 'disqualified'),
  t('mql', 'sal', 'accept', 'Accept'),
  t('mql', 'nurture', 'reject', 'Reject and recycle to nurture', 'nurture', true),
  t('mql', 'disqualified', 'reject', 'Reject and disqualify', 'disqualified'),
  t('sal', 'sql', 'convert', 'Qualify as SQL'),
  t('sal', 'nurture', 'hand_back', 'Hand back to marketing', 'nurture', true),
  t('sal', 'disqualified', 'disqualify', 'Disqualify', 'disqualified'),
  t('sql', 'opportunity', 'open_opportunity', 'Open opportunity'),
  t('sql', 'nurture', 'hand_back', 'Hand back to marketing', 'nurture', true),
  t('sql', 'disqualified', 'disqualify', 'Disqualify', 'disqualified'),
  t('opportunity', 'won', 'win', 'Mark won'),
  t('opportunity', 'lost', 'lose', 'Mark lost', 'lost'),
  t('opportunity', 'nurture', 'recycle', 'Recycle to nurture', 'nurture', true),
  t('nurture', 'mql', 'requalify', 'Re-qualify (MQL)'),
  t('nurture', 'disqualified', 'disqualify', 'Disqualify', 'disqualified'),
];

export function isStage(value: string): value is Stage {
  return (stages as readonly string[]).includes(value);
}

export function isClosed(stage: Stage): boolean {
  return closedStages.includes(stage);
}

export function allowedTransitions(from: Stage): TransitionRule[] {
  return transitionTable.filter((rule) => rule.from === from);
}

export type ReasonCode = { code: string; label: string; outcome: 'nurture' | 'disqualified' | 'lost' };

export type TransitionRequest = { from: Stage; to: Stage; reasonCode?: string | null };

export type TransitionDecision = {
  rule: TransitionRule;
  reason: ReasonCode | null;
  /** The lead's recycle count after the move. */
  recycleIncrement: 0 | 1;
  closes: boolean;
};

/**
 * Decides whether a lead may move `from` → `to` with the given reason, against the workspace's
 * reason taxonomy. Refusals name what is allowed, so the caller can act on the message.
 * @example decideTransition({ from: 'mql', to: 'nurture', reasonCode: 'timing' }, taxonomy)
 */
export function decideTransition(request: TransitionRequest, taxonomy: readonly ReasonCode[]): Result<TransitionDecision> {
  const { from, to } = request;
  const rule = transitionTable.find((r) => r.from === from && r.to === to);
  if (!rule) {
    const allowed = allowedTransitions(from).map((r) => r.to);
    const list = allowed.length ? allowed.join(', ') : 'none (the lead is closed; open a new lead for a new buying cycle)';
    return fail('TransitionNotAllowed', `A lead cannot move from ${from} to ${to}. Allowed from ${from}: ${list}.`, [
      { path: 'to', message: `allowed: ${allowed.join(', ') || 'none'}` },
    ]);
  }
  const code = request.reasonCode ?? null;
  if (rule.reason === null) {
    return ok({ rule, reason: code ? findReason(taxonomy, code) ?? null : null, recycleIncrement: 0, closes: isClosed(to) });
  }
  const fitting = taxonomy.filter((r) => r.outcome === rule.reason).map((r) => r.code);
  if (!code) {
    return fail('ReasonRequired', `Moving a lead from ${from} to ${to} needs a reason_code. Use one of: ${fitting.join(', ')}.`, [
      { path: 'reason_code', message: `required; one of ${fitting.join(', ')}` },
    ]);
  }
  const reason = findReason(taxonomy, code);
  if (!reason || reason.outcome !== rule.reason) {
    return fail('UnknownReason', `Reason '${code}' cannot be used to move a lead to ${to}. Use one of: ${fitting.join(', ')}.`, [
      { path: 'reason_code', message: `one of ${fitting.join(', ')}` },
    ]);
  }
  return ok({ rule, reason, recycleIncrement: rule.recycle ? 1 : 0, closes: isClosed(to) });
}

function findReason(taxonomy: readonly ReasonCode[], code: string): ReasonCode | undefined {
  return taxonomy.find((r) => r.code === code);
}

/** The taxonomy a new workspace starts with; admins can change it. */
export const defaultReasonCodes: readonly ReasonCode[] = [
  { code: 'not_ready', label: 'Not ready / timing', outcome: 'nurture' },
  { code: 'no_budget', label: 'No budget now', outcome: 'nurture' },
  { code: 'no_response', label: 'No response after follow-up', outcome: 'nurture' },
  { code: 'wrong_contact', label: 'Wrong contact, right account', outcome: 'nurture' },
  { code: 'bad_fit', label: 'Bad fit', outcome: 'disqualified' },
  { code: 'competitor', label: 'Competitor', outcome: 'disqualified' },
  { code: 'duplicate', label: 'Duplicate', outcome: 'disqualified' },
  { code: 'spam', label: 'Spam / fake', outcome: 'disqualified' },
  { code: 'student', label: 'Student / job seeker', outcome: 'disqualified' },
  { code: 'lost_to_competitor', label: 'Lost to competitor', outcome: 'lost' },
  { code: 'lost_price', label: 'Lost on price', outcome: 'lost' },
  { code: 'lost_no_decision', label: 'No decision', outcome: 'lost' },
];

/**
 * The stages on the shortest way from `from` to `to` through the transition table (excluding
 * `from`), using only the rules `usable` accepts (`last`: the rule would arrive at `to`); null when
 * there is none. Imported histories and the lead–deal rule both walk the table with it.
 */
export function shortestStagePath(from: Stage, to: Stage, usable: (rule: TransitionRule, last: boolean) => boolean): Stage[] | null {
  if (from === to) return [];
  const previous = new Map<Stage, Stage>([[from, from]]);
  const queue: Stage[] = [from];
  while (queue.length > 0 && !previous.has(to)) {
    const at = queue.shift()!;
    for (const rule of transitionTable) {
      if (rule.from !== at || previous.has(rule.to) || !usable(rule, rule.to === to)) continue;
      previous.set(rule.to, at);
      queue.push(rule.to);
    }
  }
  if (!previous.has(to)) return null;
  const path: Stage[] = [];
  for (let s = to; s !== from; s = previous.get(s)!) path.unshift(s);
  return path;
}
