// Plain-words renderings of routing rules, SLA durations, calendars and escalation steps.
import type { BusinessCalendar, RoutingRule, SlaPolicy } from './settings-api.ts';

const list = (xs: readonly string[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} or ${xs.at(-1)}`);
const fmtInt = (n: number) => new Intl.NumberFormat('en').format(n);

type Territory = Extract<RoutingRule, { kind: 'territory' }>;

export function describeConditions(when: Territory['when']): string {
  const parts: string[] = [];
  if (when.countries?.length) parts.push(`country is ${list(when.countries)}`);
  if (when.regions?.length) parts.push(`region is ${list(when.regions)}`);
  if (when.industries?.length) parts.push(`industry is ${list(when.industries)}`);
  const band = when.employeeCount;
  if (band) {
    if (band.min !== undefined && band.max !== undefined) parts.push(`employees ${fmtInt(band.min)}–${fmtInt(band.max)}`);
    else if (band.min !== undefined) parts.push(`employees ≥ ${fmtInt(band.min)}`);
    else if (band.max !== undefined) parts.push(`employees ≤ ${fmtInt(band.max)}`);
  }
  if (when.productInterests?.length) parts.push(`interested in ${list(when.productInterests)}`);
  return parts.join(' and ');
}

/** "employees ≥ 500 → team Enterprise (round robin)". `userName` turns a rep id into a name. */
export function describeRule(rule: RoutingRule, userName: (id: string) => string): string {
  switch (rule.kind) {
    case 'account_owner':
      return `Accounts with an owner → the account owner${rule.respectCapacity ? ' (unless at capacity)' : ''}`;
    case 'territory': {
      const target = 'team' in rule.assign ? `team ${rule.assign.team} (round robin)` : userName(rule.assign.rep);
      return `${rule.name}: ${describeConditions(rule.when) || 'any lead'} → ${target}`;
    }
    case 'round_robin':
      return `Any lead → team ${rule.team} (round robin)`;
    case 'fallback_queue':
      return `Otherwise → queue “${rule.queue}”`;
  }
}

const durationParts = (spec: string) => {
  const unit = (u: string) => Number(new RegExp(`(\\d+)${u}`).exec(spec)?.[1] ?? 0);
  return { w: unit('w'), d: unit('d'), h: unit('h'), m: unit('m') };
};
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** '240m' → '4 business hours'; '14d' (calendar time) → '14 days'; '90m' → '1 business hour 30 minutes'. */
export function describeDuration(spec: string, businessHours: boolean): string {
  const p = durationParts(spec);
  // Hours spelled as minutes (definitions store '240m') read better as hours.
  const hours = p.h + Math.floor(p.m / 60);
  const minutes = p.m % 60;
  const b = businessHours ? 'business ' : '';
  const out: string[] = [];
  if (p.w) out.push(plural(p.w, `${b}week`));
  if (p.d) out.push(plural(p.d, `${b}day`));
  if (hours) out.push(plural(hours, `${b}hour`));
  if (minutes) out.push(plural(minutes, `${out.length ? '' : b}minute`));
  return out.join(' ') || spec;
}

export const dayNames = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** [1,2,3,4,5] → 'Mon–Fri'; [1,3,5] → 'Mon, Wed, Fri'. */
export function describeDays(days: readonly number[]): string {
  const sorted = [...days].sort((a, b) => a - b);
  const runs: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] as number) + 1) j++;
    const from = dayNames[(sorted[i] as number) - 1];
    const to = dayNames[(sorted[j] as number) - 1];
    runs.push(j - i >= 2 ? `${from}–${to}` : j > i ? `${from}, ${to}` : `${from}`);
    i = j + 1;
  }
  return runs.join(', ');
}

export function describeCalendar(c: BusinessCalendar): string {
  const holidays = c.holidays.length ? ` (${plural(c.holidays.length, 'holiday')} off)` : '';
  return `${describeDays(c.days)} ${c.start}–${c.end} ${c.timeZone}${holidays}`;
}

type Step = SlaPolicy['escalation'][number];
const actionWords: Record<Step['action'], string> = { notify_owner: 'notify the owner', notify_manager: 'notify the manager', reassign: 'reassign' };

export function describeStep(step: Step): string {
  const when = step.after === 'breach' ? 'at the breach' : `${describeDuration(step.after, true)} after the breach`;
  const action = step.action === 'reassign' ? `reassign to ${step.to === 'queue' ? 'the queue' : 'the next rep'}` : actionWords[step.action];
  return `${when} ${action}`;
}

const clockNames = { accept: 'accept', firstTouch: 'first touch', opportunityDecision: 'opportunity decision' } as const;

/** Each running clock: 'first touch within 24 business hours' (+ its own escalation, when it has one). */
export function describeTargets(policy: SlaPolicy): { clock: string; target: string; escalation: string | null }[] {
  return (Object.keys(clockNames) as (keyof typeof clockNames)[]).flatMap((k) => {
    const c = policy[k];
    if (!c) return [];
    return [{ clock: clockNames[k], target: `within ${describeDuration(c.within, c.businessHours)}`, escalation: c.escalation?.length ? c.escalation.map(describeStep).join('; ') : null }];
  });
}

/** "Enterprise: first touch within 4 business hours, Mon–Fri 09:00–17:00 Europe/Berlin; escalate: at the breach notify the manager." */
export function describeTeamSla(team: string, policy: SlaPolicy, calendar: BusinessCalendar): string {
  const targets = describeTargets(policy).map((t) => `${t.clock} ${t.target}`).join(', ');
  const steps = policy.escalation.map(describeStep).join(', then ');
  const perClock = describeTargets(policy).filter((t) => t.escalation).map((t) => `${t.clock}: ${t.escalation}`).join('; ');
  const escalation = steps || perClock;
  return `${team}: ${targets || 'no SLA clocks'}; ${describeCalendar(calendar)}${escalation ? `; escalation: ${escalation}` : '; no escalation'}.`;
}
