import { SITE, sitePages, type FormId } from './catalog-data.ts';
import {
  downloadMessage, formFields, groupMessage, identifyMessage, pageMessage, touchOf, trackMessage,
  type Act, type SegmentMessage, type Touch,
} from './acts.ts';
import { DAY, HOUR, MINUTE, type DemoWorld, type Person, type WorldContent } from './world.ts';

/** One person's marketing acts (what they do on the site, in email, at events), collected unordered. */
export type Journey = { person: Person; acts: Act[] };

function send(j: Journey, ms: number, message: SegmentMessage | null): void {
  if (message) j.acts.push({ kind: 'message', ms, person: j.person, message });
}

function form(j: Journey, ms: number, formId: string, path: string, touch: Touch, extra: Record<string, string> = {}): void {
  j.acts.push({ kind: 'form', ms, person: j.person, formId, fields: formFields(j.person, path, touch, extra) });
}

function visit(j: Journey, ms: number, path: string, touch: Touch, item: WorldContent | null = null): void {
  send(j, ms, pageMessage(j.person, path, touch, item?.spec.title ?? null));
}

function contentByPath(world: DemoWorld, path: string): WorldContent | null {
  return world.content.find((c) => c.spec.path === path) ?? null;
}

/** Returning visits come from search, a bookmark or retargeting ads. */
function sessionTouch(world: DemoWorld): Touch {
  const key = world.rng.weighted(['direct', 'organic', 'brand', 'linkedin'], [45, 35, 10, 10]);
  return touchOf(world.campaignByKey.get(key)!);
}

function content(world: DemoWorld, key: string): WorldContent {
  return world.contentByKey.get(key)!;
}

const earlyContent = ['blog-mql', 'blog-sla', 'blog-attribution', 'blog-recycle', 'blog-funnel', 'guide-scoring', 'video-tour', 'compare', 'integrations'];
const earlyWeights = [10, 8, 7, 5, 5, 6, 4, 3, 3];
const gatedContent = ['ebook-playbook', 'ebook-benchmarks', 'checklist-sla'];
const lateContent = ['case-northwind', 'case-contoso', 'roi', 'security', 'integrations', 'video-tour', 'compare'];

/** The first touch, shaped by the channel that brought the person. */
export function firstTouch(world: DemoWorld, j: Journey): void {
  const { spec } = j.person.entry;
  const ms = j.person.firstTouchMs;
  // Booth scans and syndicated leads arrive with their contact details (see identify).
  if (j.person.kind !== 'anonymous' && (spec.channel === 'event' || spec.channel === 'content_syndication')) return;
  visit(j, ms, spec.landing, touchOf(j.person.entry), contentByPath(world, spec.landing));
}

/** Anonymous browsing: a few page views and content reads in the first days after the first touch. */
export function browse(world: DemoWorld, j: Journey, fromMs: number, untilMs: number, count: number): void {
  const { rng } = world;
  for (let i = 0; i < count; i++) {
    const ms = fromMs + rng.next() * Math.max(MINUTE, untilMs - fromMs);
    const touch = sessionTouch(world);
    if (rng.chance(0.55)) {
      const item = content(world, rng.weighted(earlyContent, earlyWeights));
      visit(j, ms, item.spec.path, touch, item);
    } else {
      visit(j, ms, rng.pick(sitePages), touch);
    }
  }
}

/** The act that makes the person known: a form, a badge scan, a syndicated lead. */
export function identify(world: DemoWorld, j: Journey, ms: number): FormId {
  const { rng, campaignByKey } = world;
  const { person } = j;
  // Enrichment tools know companies, not free-mail addresses.
  if (person.kind === 'business') j.acts.push({ kind: 'enrich', ms: ms + 10 * MINUTE, person });
  const { spec } = person.entry;
  const touch = ms === person.firstTouchMs ? touchOf(person.entry) : sessionTouch(world);
  if (spec.channel === 'event') {
    // The badge-scan list, sent by the events team through the Segment API.
    send(j, ms, identifyMessage(person));
    send(j, ms + 1000, groupMessage(person));
    send(j, ms + 2000, trackMessage(person, 'Event Attended', { event_name: 'RevOps Summit', booth: 'B12' }, touchOf(campaignByKey.get('event')!), SITE + spec.landing));
    return 'event-badge-scan';
  }
  if (spec.channel === 'content_syndication') {
    // The partner posts each lead to our forms endpoint with its UTM parameters.
    form(j, ms, 'syndication-lead', spec.landing, touchOf(person.entry), { partner: spec.utmSource });
    send(j, ms + 60_000, groupMessage(person));
    return 'syndication-lead';
  }
  const formId: FormId = spec.channel === 'webinar' ? 'webinar-registration'
    : spec.channel === 'paid_social' ? 'ebook-download'
      : spec.channel === 'referral' && rng.chance(0.5) ? 'demo-request'
        : rng.weighted(['ebook-download', 'newsletter-signup', 'webinar-registration', 'contact-sales', 'demo-request'] as const, [40, 20, 15, 15, 10]);
  formSubmit(world, j, ms, formId, touch);
  // Enrichment runs on new known people: the company arrives as a group call.
  send(j, ms + 90_000, groupMessage(person));
  return formId;
}

function formSubmit(world: DemoWorld, j: Journey, ms: number, formId: FormId, touch: Touch): void {
  const { rng } = world;
  if (formId === 'ebook-download') {
    const item = content(world, rng.pick(gatedContent));
    visit(j, ms - 40_000, item.spec.path, touch, item);
    form(j, ms, formId, item.spec.path, touch);
    send(j, ms + 2000, downloadMessage(j.person, item, touch));
  } else if (formId === 'webinar-registration') {
    const item = content(world, rng.chance(0.6) ? 'webinar-pipeline' : 'webinar-attribution');
    const webinar = world.campaignByKey.get('webinar')!;
    const regTouch = j.person.entry.spec.channel === 'webinar' ? touch : touchOf(webinar);
    visit(j, ms - 30_000, item.spec.path, regTouch, item);
    form(j, ms, formId, item.spec.path, regTouch);
    // Most registrants attend the live session a few days later (the webinar tool reports it).
    const liveMs = ms + rng.between(1, 9) * DAY;
    if (liveMs < world.nowMs && rng.chance(0.55)) {
      send(j, liveMs, trackMessage(j.person, 'Webinar Attended', { url: item.url, webinar_title: item.spec.title, minutes: rng.int(10, 60) }, touchOf(webinar), item.url));
    }
  } else {
    const path = formId === 'demo-request' ? '/demo' : formId === 'contact-sales' ? '/contact-sales' : '/blog';
    visit(j, ms - 45_000, path, touch, contentByPath(world, path));
    form(j, ms, formId, path, touch);
  }
}

/** Marketing engagement of a known person between two instants: email, content, events, site visits. */
export function engage(world: DemoWorld, j: Journey, fromMs: number, untilMs: number, count: number): void {
  const { rng } = world;
  if (untilMs <= fromMs) return;
  const newsletter = touchOf(world.campaignByKey.get('newsletter')!);
  const fitBoost = j.person.fit;
  for (let i = 0; i < count; i++) {
    const ms = fromMs + rng.next() * (untilMs - fromMs);
    const kind = rng.weighted(['open', 'click', 'visit', 'content', 'download', 'pricing', 'webinar', 'event'], [30, 9, 18, 20, 4, 3 + 6 * fitBoost, 3, 1]);
    switch (kind) {
      case 'open':
        send(j, ms, trackMessage(j.person, 'Email Opened', { email_subject: 'Monthly newsletter' }, newsletter));
        break;
      case 'click': {
        const item = content(world, rng.pick(earlyContent));
        send(j, ms, trackMessage(j.person, 'Email Link Clicked', { email_subject: 'Monthly newsletter', url: item.url }, newsletter));
        visit(j, ms + 5000, item.spec.path, newsletter, item);
        break;
      }
      case 'visit':
        visit(j, ms, rng.pick(sitePages), sessionTouch(world));
        break;
      case 'content': {
        const item = content(world, rng.chance(0.6) ? rng.weighted(earlyContent, earlyWeights) : rng.pick(lateContent));
        visit(j, ms, item.spec.path, sessionTouch(world), item);
        break;
      }
      case 'download':
        formSubmit(world, j, ms, 'ebook-download', sessionTouch(world));
        break;
      case 'pricing':
        visit(j, ms, '/pricing', sessionTouch(world), content(world, 'pricing'));
        break;
      case 'webinar':
        formSubmit(world, j, ms, 'webinar-registration', touchOf(world.campaignByKey.get('webinar')!));
        break;
      default: {
        if (world.eventMs < fromMs || world.eventMs > untilMs) break;
        const event = world.campaignByKey.get('event')!;
        send(j, world.eventMs + rng.between(0, 32) * HOUR, trackMessage(j.person, 'Event Attended', { event_name: 'RevOps Summit' }, touchOf(event), SITE + '/events/revops-summit'));
      }
    }
  }
}

/**
 * Buying intent: a demo request for the eager; for everyone pricing and the evaluation content
 * (case studies read and downloaded) that the agreement scores.
 */
export function intentSignal(world: DemoWorld, j: Journey, ms: number): void {
  const { rng } = world;
  const touch = sessionTouch(world);
  visit(j, ms - 30 * MINUTE, '/pricing', touch, content(world, 'pricing'));
  const [first, second] = rng.chance(0.5) ? ['case-northwind', 'case-contoso'] : ['case-contoso', 'case-northwind'];
  for (const [i, key] of [first!, second!].entries()) {
    if (i === 1 && !rng.chance(0.75)) break;
    const item = content(world, key);
    visit(j, ms - (20 - 8 * i) * MINUTE, item.spec.path, touch, item);
    send(j, ms - (19 - 8 * i) * MINUTE, downloadMessage(j.person, item, touch));
  }
  if (rng.chance(0.35 + 0.3 * j.person.fit)) formSubmit(world, j, ms, 'demo-request', touch);
  else visit(j, ms, '/tools/roi-calculator', touch, content(world, 'roi'));
}

/** Customers read onboarding material after the deal closes. */
export function postPurchase(world: DemoWorld, j: Journey, fromMs: number): void {
  const { rng } = world;
  for (const key of ['onboarding', 'academy', 'release-notes']) {
    const ms = fromMs + rng.between(2, 40) * DAY;
    if (ms >= world.nowMs || !rng.chance(0.6)) continue;
    const item = content(world, key);
    visit(j, ms, item.spec.path, touchOf(world.campaignByKey.get('direct')!), item);
  }
}

/** A past lead comes back and asks for contact: the start of a new buying cycle. */
export function returnVisit(world: DemoWorld, j: Journey, ms: number): void {
  formSubmit(world, j, ms, world.rng.chance(0.5) ? 'contact-sales' : 'demo-request', sessionTouch(world));
}
