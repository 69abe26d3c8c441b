/**
 * The benchmark's synthetic traffic: visitors of ten events each (page views, content downloads,
 * custom events); every tenth visitor identifies with a business email mid-visit, so identity
 * resolution (anonymous → known merges, account matching) is part of the measured work.
 */
export const EVENTS_PER_VISITOR = 10;
// Every fourth page past the guides is a pricing page, so scoring has engagement to count: some
// known visitors (VP title, a software account) see three and download a case study → A2 → MQL.
const pages = Array.from({ length: 50 }, (_, i) => `https://acme.example/${i < 10 ? `resources/guide-${i}` : i % 4 === 0 ? `pricing-${i}` : `page-${i}`}`);
// Recent traffic (two weeks back from today, one event a second), so engagement has not decayed away.
const base = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 14 * 86_400_000;

export type BenchEvent = { type: 'page' | 'track' | 'identify'; messageId: string; anonymousId: string; timestamp: string; url?: string; event?: string; email?: string; utm?: boolean };

export function benchEvent(i: number, run: string): BenchEvent {
  const visitor = Math.floor(i / EVENTS_PER_VISITOR);
  const step = i % EVENTS_PER_VISITOR;
  const common = { messageId: `${run}-${i}`, anonymousId: `${run}-v${visitor}`, timestamp: new Date(base + i * 1000).toISOString() };
  if (step === 5 && visitor % 10 === 0) return { ...common, type: 'identify', email: `person${visitor}@company${visitor % 997}.example` };
  if (step % 4 === 3) return { ...common, type: 'track', event: step === 3 ? 'Content Downloaded' : 'Pricing Calculator Used', url: pages[visitor % 10]! };
  return { ...common, type: 'page', url: pages[(visitor + step) % pages.length]!, utm: step === 0 };
}

/** The Segment message a client would send for a bench event. */
export function segmentMessage(e: BenchEvent): Record<string, unknown> {
  const m: Record<string, unknown> = { type: e.type, messageId: e.messageId, anonymousId: e.anonymousId, timestamp: e.timestamp };
  if (e.type === 'identify') m.traits = { email: e.email, plan: 'trial', title: 'VP Marketing' };
  else if (e.type === 'track') { m.event = e.event; m.properties = { url: e.url, format: 'pdf' }; }
  else m.properties = { url: e.url, title: 'Acme', referrer: e.utm ? undefined : 'https://www.google.com/' };
  if (e.utm) m.context = { campaign: { source: 'linkedin', medium: 'paid_social', name: 'q1-launch' } };
  return m;
}
