import { describe, expect, it } from 'vitest';
import { chooseNextAsset, inferBuyingStage, type CandidateAsset } from '../../../src/core/nurture/buying-stage.rules.ts';
import { renderEmail } from '../../../src/core/nurture/email-template.rules.ts';
import { chooseTrack, decideOnEmailAllowed, decideOnNewInquiry, decideOnStageChange, matchesEntry, type NurtureLead, type TrackForEntry } from '../../../src/core/nurture/nurture-enrollment.rules.ts';
import { emailBlocker, nextAllowedSend, planNextStep } from '../../../src/core/nurture/nurture-steps.rules.ts';
import { defaultBuyingStages, trackDefinition, type TrackStep } from '../../../src/core/nurture/nurture-track.schema.ts';

const cal = { timeZone: 'UTC', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00', holidays: [] };
const lead = (over: Partial<NurtureLead> = {}): NurtureLead => ({
  id: 'l1', contactId: 'c1', stage: 'inquiry', rating: null, recycleCount: 0, lastReasonCode: null, recheckAt: null, ...over,
});
const track = (id: string, over: Partial<TrackForEntry> = {}): TrackForEntry => ({
  id, name: id, priority: 0, active: true, entry: {}, exit: { stages: ['mql'] }, ...over,
});
const person = { persona: null, emailable: true };
const mon = new Date('2026-03-02T09:00:00Z');

describe('entry rules and one voice per person', () => {
  it('an unrated lead counts as cold; warm tracks do not take it', () => {
    expect(matchesEntry(track('cold', { entry: { ratings: ['cold'] } }), lead(), person)).toBe(true);
    expect(matchesEntry(track('warm', { entry: { ratings: ['warm'] } }), lead(), person)).toBe(false);
    expect(matchesEntry(track('warm', { entry: { ratings: ['warm'] } }), lead({ rating: 'warm' }), person)).toBe(true);
  });

  it('stages default to inquiry and nurture; personas must match; inactive tracks never match', () => {
    expect(matchesEntry(track('t'), lead({ stage: 'sal' }), person)).toBe(false);
    expect(matchesEntry(track('t', { entry: { personas: ['cfo'] } }), lead(), person)).toBe(false);
    expect(matchesEntry(track('t', { entry: { personas: ['cfo'] } }), lead(), { persona: 'cfo', emailable: true })).toBe(true);
    expect(matchesEntry(track('t', { active: false }), lead(), person)).toBe(false);
  });

  it('priority decides; a track for the recycle reason beats a higher-priority general one', () => {
    const tracks = [track('low', { priority: 1 }), track('high', { priority: 5 }), track('budget', { priority: 0, entry: { recycled_reasons: ['no_budget'] } })];
    expect(chooseTrack(tracks, lead(), person)?.id).toBe('high');
    const recycled = lead({ stage: 'nurture', recycleCount: 1, lastReasonCode: 'no_budget' });
    expect(chooseTrack(tracks, recycled, person)?.id).toBe('budget');
    expect(chooseTrack(tracks, lead({ stage: 'nurture', recycleCount: 1, lastReasonCode: 'timing' }), person)?.id).toBe('high');
  });
});

describe('stage changes', () => {
  const live = { id: 'e1', trackId: 'a', status: 'active' as const, exit: { stages: ['mql' as const] } };
  it('becoming MQL exits a track whose exit rules name mql; other sales stages pause', () => {
    expect(decideOnStageChange({ live, toStage: 'mql', lead: lead(), person, tracks: [], now: mon })).toEqual([{ kind: 'exit', enrollmentId: 'e1', reason: 'became_mql' }]);
    const keep = { ...live, exit: { stages: [] } };
    expect(decideOnStageChange({ live: keep, toStage: 'sal', lead: lead(), person, tracks: [], now: mon })).toEqual([{ kind: 'pause', enrollmentId: 'e1' }]);
    expect(decideOnStageChange({ live: { ...keep, status: 'paused' }, toStage: 'sql', lead: lead(), person, tracks: [], now: mon })).toEqual([]);
    expect(decideOnStageChange({ live, toStage: 'disqualified', lead: lead(), person, tracks: [], now: mon })).toEqual([{ kind: 'exit', enrollmentId: 'e1', reason: 'lead_disqualified' }]);
  });

  it('a recycle resumes a paused track at the recheck date, or moves to the reason track', () => {
    const recheck = new Date('2026-06-01T09:00:00Z');
    const recycled = lead({ stage: 'nurture', recycleCount: 1, lastReasonCode: 'not_ready', recheckAt: recheck });
    const paused = { ...live, status: 'paused' as const, exit: { stages: [] } };
    expect(decideOnStageChange({ live: paused, toStage: 'nurture', lead: recycled, person, tracks: [track('a')], now: mon }))
      .toEqual([{ kind: 'resume', enrollmentId: 'e1', at: recheck }]);
    const tracks = [track('a'), track('ready-later', { entry: { recycled_reasons: ['not_ready'] } })];
    expect(decideOnStageChange({ live: paused, toStage: 'nurture', lead: recycled, person, tracks, now: mon })).toEqual([
      { kind: 'exit', enrollmentId: 'e1', reason: 'superseded' }, { kind: 'enroll', trackId: 'ready-later', at: recheck, origin: 'recycle' },
    ]);
    expect(decideOnStageChange({ live: null, toStage: 'nurture', lead: recycled, person, tracks, now: mon })).toEqual([{ kind: 'enroll', trackId: 'ready-later', at: recheck, origin: 'recycle' }]);
  });
});

describe('steps, waits and branches', () => {
  const steps: TrackStep[] = trackDefinition.parse({
    steps: [
      { type: 'send_email', subject: 's', template: 't' },
      { type: 'wait', business_days: 3 },
      { type: 'branch', if: 'clicked', then: 3, else: 4 },
      { type: 'send_email', subject: 'clicked', template: 't' },
      { type: 'send_email', subject: 'not clicked', template: 't' },
    ],
  }).steps;

  it('a wait of 3 business days from Friday 16:00 ends on Wednesday 16:00', () => {
    const plan = planNextStep(steps, 1, null, new Date('2026-03-06T16:00:00Z'), cal);
    expect(plan).toEqual({ kind: 'wait', nextStep: 2, until: new Date('2026-03-11T16:00:00Z') });
  });

  it('branches on the last email’s clicks', () => {
    expect(planNextStep(steps, 2, { opened: true, clicked: true }, mon, cal)).toMatchObject({ kind: 'send', stepIndex: 3 });
    expect(planNextStep(steps, 2, { opened: true, clicked: false }, mon, cal)).toMatchObject({ kind: 'send', stepIndex: 4 });
    expect(planNextStep(steps, 5, null, mon, cal)).toEqual({ kind: 'finished', reason: 'finished' });
  });

  it('a branch loop without sends or waits finishes instead of spinning', () => {
    const loop: TrackStep[] = [{ type: 'branch', if: 'opened', then: 0, else: 0 }];
    expect(planNextStep(loop, 0, null, mon, cal)).toEqual({ kind: 'finished', reason: 'no_progress' });
  });

  it('refuses branches to steps that do not exist', () => {
    const r = trackDefinition.safeParse({ steps: [{ type: 'branch', if: 'opened', then: 7, else: 0 }] });
    expect(r.success).toBe(false);
  });
});

describe('frequency cap and consent', () => {
  const cap = { maxEmails: 2, days: 7 };
  it('allows two emails in any 7 days, then waits until the older one leaves the window', () => {
    expect(nextAllowedSend([], mon, cap)).toEqual(mon);
    const sent = [mon, new Date('2026-03-03T09:00:00Z')];
    expect(nextAllowedSend(sent, new Date('2026-03-04T09:00:00Z'), cap)).toEqual(new Date('2026-03-09T09:00:00Z'));
    expect(nextAllowedSend(sent, new Date('2026-03-09T09:00:00Z'), cap)).toEqual(new Date('2026-03-09T09:00:00Z'));
  });

  it('honours the track’s minimum gap', () => {
    expect(nextAllowedSend([mon], new Date('2026-03-02T10:00:00Z'), cap, 24)).toEqual(new Date('2026-03-03T09:00:00Z'));
  });

  it('no email without consent, after unsubscribe or a hard bounce', () => {
    const c = { email: 'a@b.io', consent: {}, unsubscribedAt: null };
    expect(emailBlocker(c)).toBeNull();
    const refused = { status: 'refused', source: 'form:f', at: '2026-03-01T10:00:00Z', basis: 'consent' };
    expect(emailBlocker({ ...c, consent: { email_marketing: refused } })).toBe('no_consent');
    expect(emailBlocker({ ...c, consent: { email_marketing: { ...refused, status: 'withdrawn' } } })).toBe('unsubscribed');
    expect(emailBlocker({ ...c, consent: { sales_email: refused } })).toBeNull();
    expect(emailBlocker(c, { optInRequired: { email_marketing: true } })).toBe('no_consent');
    expect(emailBlocker({ ...c, unsubscribedAt: mon })).toBe('unsubscribed');
    expect(emailBlocker({ ...c, consent: { email_bounced_at: '2026-03-01' } })).toBe('bounced');
  });
});

describe('buying stage and next asset', () => {
  const stages = defaultBuyingStages;
  const asset = (id: string, stage: string, over: Partial<CandidateAsset> = {}): CandidateAsset => ({ id, title: id, url: `https://x.io/${id}`, stage, personas: [], expiresOn: null, ...over });
  const assets = [asset('a1', 'awareness'), asset('a2', 'awareness'), asset('i1', 'interest'), asset('c1', 'consideration', { personas: ['cfo'] }), asset('c2', 'consideration')];

  it('infers the furthest stage consumed recently; nothing consumed means the first stage', () => {
    expect(inferBuyingStage([], stages, mon)).toBe('awareness');
    const consumed = [{ assetId: 'c1', stage: 'consideration', at: new Date('2026-02-20') }, { assetId: 'i1', stage: 'interest', at: new Date('2026-03-01') }];
    expect(inferBuyingStage(consumed, stages, mon)).toBe('consideration');
    expect(inferBuyingStage(consumed, stages, new Date('2027-03-01'))).toBe('awareness');
  });

  it('skips consumed and already-sent assets and moves forward when a stage is exhausted', () => {
    const base = { stages, persona: null, today: '2026-03-02', recentlySent: new Set<string>() };
    expect(chooseNextAsset(assets, { ...base, stage: 'awareness', consumed: new Set() })?.id).toBe('a1');
    expect(chooseNextAsset(assets, { ...base, stage: 'awareness', consumed: new Set(['a1']), recentlySent: new Set(['a2']) })?.id).toBe('i1');
    expect(chooseNextAsset(assets, { ...base, stage: 'evaluation', consumed: new Set() })?.id).toBe('c1');
  });

  it('prefers the persona’s assets, leaves out other personas’ and expired ones', () => {
    const base = { stages, today: '2026-03-02', recentlySent: new Set<string>(), consumed: new Set<string>(), stage: 'consideration' };
    expect(chooseNextAsset(assets, { ...base, persona: 'cfo' })?.id).toBe('c1');
    expect(chooseNextAsset(assets, { ...base, persona: 'cto' })?.id).toBe('c2');
    expect(chooseNextAsset([asset('old', 'consideration', { expiresOn: '2026-01-01' })], { ...base, persona: null })).toBeNull();
  });
});

describe('email rendering', () => {
  it('escapes untrusted text in HTML and always adds the unsubscribe link', () => {
    const r = renderEmail('Read: {{asset_title}}', 'Hi {{first_name}},\n{{asset_link}}', {
      firstName: '<b>Ada</b>', assetTitle: 'Guide <script>x</script>\r\nBcc: evil', assetLink: 'https://l/r/T1', unsubscribeLink: 'https://l/u/T2', preferencesLink: 'https://l/preferences/T3', openPixel: 'https://l/o/T4.gif',
    });
    expect(r.subject).toBe('Read: Guide <script>x</script> Bcc: evil');
    expect(r.html).not.toContain('<script>');
    expect(r.html).toContain('&lt;b&gt;Ada&lt;/b&gt;');
    expect(r.html).toContain('<a href="https://l/r/T1">');
    expect(r.text).toContain('Unsubscribe: https://l/u/T2');
    expect(r.html).toContain('<img src="https://l/o/T4.gif"');
  });
});

describe('entry rules for live inquiries', () => {
  const ebook = { assetId: '00000000-0000-7000-8000-000000000001', format: 'ebook', stage: 'awareness' };
  it('select by source (case-insensitive), consumed content and consent', () => {
    const bySource = track('s', { entry: { sources: ['LinkedIn'] } });
    expect(matchesEntry(bySource, lead({ source: 'linkedin' }), person)).toBe(true);
    expect(matchesEntry(bySource, lead({ source: 'google' }), person)).toBe(false);
    expect(matchesEntry(bySource, lead(), person)).toBe(false);
    const readers = track('r', { entry: { content_consumed: { formats: ['ebook'], buying_stages: ['awareness'] } } });
    expect(matchesEntry(readers, lead(), { ...person, consumed: [ebook] })).toBe(true);
    expect(matchesEntry(readers, lead(), { ...person, consumed: [{ ...ebook, stage: 'decision' }] })).toBe(false);
    // Not loaded: the rule cannot be shown to hold.
    expect(matchesEntry(readers, lead(), person)).toBe(false);
    const consenting = track('c', { entry: { consent: ['email_marketing'] } });
    expect(matchesEntry(consenting, lead(), person)).toBe(true);
    expect(matchesEntry(consenting, lead(), { ...person, emailable: false })).toBe(false);
  });

  it('a new inquiry enrolls in the best-fitting track (origin live_inquiry), never over a live track, never when not emailable', () => {
    const tracks = [track('general'), track('linkedin', { priority: 5, entry: { sources: ['linkedin'] } })];
    const inquiry = lead({ source: 'linkedin' });
    expect(decideOnNewInquiry({ live: null, lead: inquiry, person, tracks, now: mon })).toEqual([{ kind: 'enroll', trackId: 'linkedin', at: mon, origin: 'live_inquiry' }]);
    expect(decideOnNewInquiry({ live: { id: 'e1' }, lead: inquiry, person, tracks, now: mon })).toEqual([]);
    expect(decideOnNewInquiry({ live: null, lead: inquiry, person: { ...person, emailable: false }, tracks, now: mon })).toEqual([]);
    expect(decideOnNewInquiry({ live: null, lead: lead({ stage: 'mql' }), person, tracks, now: mon })).toEqual([]);
  });

  it('allowing marketing email enrolls the open lead now (origin consent) in a track it has not been through; never over a live track or before its recheck date', () => {
    const tracks = [track('general'), track('nurture-only', { priority: 9, entry: { stages: ['nurture'] } })];
    const none = new Set<string>();
    expect(decideOnEmailAllowed({ live: null, lead: lead(), person, tracks, priorTrackIds: none, now: mon })).toEqual([{ kind: 'enroll', trackId: 'general', at: mon, origin: 'consent' }]);
    expect(decideOnEmailAllowed({ live: null, lead: lead({ stage: 'nurture' }), person, tracks, priorTrackIds: none, now: mon })[0]).toMatchObject({ trackId: 'nurture-only' });
    expect(decideOnEmailAllowed({ live: null, lead: lead(), person, tracks, priorTrackIds: new Set(['general']), now: mon })).toEqual([]);
    expect(decideOnEmailAllowed({ live: { id: 'e1' }, lead: lead(), person, tracks, priorTrackIds: none, now: mon })).toEqual([]);
    expect(decideOnEmailAllowed({ live: null, lead: lead({ recheckAt: new Date('2026-04-01T00:00:00Z') }), person, tracks, priorTrackIds: none, now: mon })).toEqual([]);
    expect(decideOnEmailAllowed({ live: null, lead: lead({ stage: 'sal' }), person, tracks, priorTrackIds: none, now: mon })).toEqual([]);
  });

  it('the track schema refuses unknown consent purposes and empty lists', () => {
    const steps = [{ type: 'send_email', subject: 's', template: 't' }];
    expect(trackDefinition.safeParse({ steps, entry: { consent: ['sms'] } }).success).toBe(false);
    expect(trackDefinition.safeParse({ steps, entry: { sources: [] } }).success).toBe(false);
    expect(trackDefinition.safeParse({ steps, entry: { sources: ['google'], content_consumed: { formats: ['ebook'] }, consent: ['email_marketing'] } }).success).toBe(true);
  });
});
