import { SITE, sitePages, type FormId } from './catalog-data.ts';
import { DAY, HOUR, MINUTE, type DemoWorld, type DraftActivity, type Person, type WorldCampaign, type WorldContent } from './world.ts';

/** One person's activities, collected unordered; the chunk sorts them and mints ids afterwards. */
export type Journey = { person: Person; drafts: DraftActivity[] };

type Touch = Pick<DraftActivity, 'source' | 'medium' | 'campaignId' | 'utmCampaign' | 'referrer'>;

const noTouch: Touch = { source: null, medium: null, campaignId: null, utmCampaign: null, referrer: null };

export function touchOf(campaign: WorldCampaign): Touch {
  const s = campaign.spec;
  return { source: s.utmSource, medium: s.utmMedium, campaignId: campaign.id, utmCampaign: s.utmCampaign, referrer: s.referrer };
}

type Extra = Partial<Pick<DraftActivity, 'contentId' | 'url' | 'eventName' | 'properties' | 'actorUserId'>>;

function add(j: Journey, ms: number, type: string, touch: Touch, extra: Extra = {}): void {
  j.drafts.push({
    id: '', contactId: j.person.id, type, occurredAt: ms, source: touch.source, medium: touch.medium, campaignId: touch.campaignId,
    utmCampaign: touch.utmCampaign, referrer: touch.referrer, contentId: extra.contentId ?? null, url: extra.url ?? null,
    eventName: extra.eventName ?? null, properties: extra.properties ?? null, actorUserId: extra.actorUserId ?? null, idempotencyKey: null,
  });
}

function pageView(j: Journey, ms: number, path: string, touch: Touch, content: WorldContent | null = null): void {
  add(j, ms, 'page_view', touch, { url: SITE + path, contentId: content?.id ?? null });
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

/** The first touch, shaped by the channel that brought the person. Returns when the person could first identify. */
export function firstTouch(world: DemoWorld, j: Journey): void {
  const { spec } = j.person.entry;
  const touch = touchOf(j.person.entry);
  const ms = j.person.firstTouchMs;
  switch (spec.channel) {
    case 'event':
      add(j, ms, 'event_attended', touch, { eventName: 'RevOps Summit', url: SITE + spec.landing, properties: { booth: 'B12' } });
      break;
    case 'content_syndication': {
      const ebook = content(world, 'ebook-playbook');
      add(j, ms, 'content_download', touch, { contentId: ebook.id, url: ebook.url, properties: { via: 'syndication' } });
      break;
    }
    default:
      pageView(j, ms, spec.landing, touch, contentByPath(world, spec.landing));
  }
}

/** Anonymous browsing: a few page views and content views in the first days after the first touch. */
export function browse(world: DemoWorld, j: Journey, fromMs: number, untilMs: number, count: number): void {
  const { rng } = world;
  for (let i = 0; i < count; i++) {
    const ms = fromMs + rng.next() * Math.max(MINUTE, untilMs - fromMs);
    const touch = sessionTouch(world);
    if (rng.chance(0.55)) {
      const item = content(world, rng.weighted(earlyContent, earlyWeights));
      add(j, ms, 'content_view', touch, { contentId: item.id, url: item.url });
    } else {
      pageView(j, ms, rng.pick(sitePages), touch);
    }
  }
}

/** The first form submit (or badge scan) that makes the person known; the inquiry starts here. */
export function identify(world: DemoWorld, j: Journey, ms: number): FormId {
  const { rng } = world;
  const { spec } = j.person.entry;
  const touch = ms === j.person.firstTouchMs ? touchOf(j.person.entry) : sessionTouch(world);
  if (spec.channel === 'event') return 'event-badge-scan';
  if (spec.channel === 'content_syndication') {
    add(j, ms + 1000, 'form_submit', touch, { eventName: 'syndication-lead', properties: { formId: 'syndication-lead', partner: spec.utmSource } });
    return 'syndication-lead';
  }
  const formId: FormId = spec.channel === 'webinar' ? 'webinar-registration'
    : spec.channel === 'paid_social' ? 'ebook-download'
      : spec.channel === 'referral' && rng.chance(0.5) ? 'demo-request'
        : rng.weighted(['ebook-download', 'newsletter-signup', 'webinar-registration', 'contact-us', 'demo-request'] as const, [40, 20, 15, 15, 10]);
  formSubmit(world, j, ms, formId, touch);
  return formId;
}

function formSubmit(world: DemoWorld, j: Journey, ms: number, formId: FormId, touch: Touch): void {
  const { rng } = world;
  const props: Record<string, unknown> = { formId };
  if (formId === 'ebook-download') {
    const item = content(world, rng.pick(gatedContent));
    pageView(j, ms - 40_000, item.spec.path, touch, item);
    add(j, ms, 'form_submit', touch, { eventName: formId, url: item.url, contentId: item.id, properties: props });
    add(j, ms + 2000, 'content_download', touch, { contentId: item.id, url: item.url });
  } else if (formId === 'webinar-registration') {
    const item = content(world, rng.chance(0.6) ? 'webinar-pipeline' : 'webinar-attribution');
    const webinar = world.campaignByKey.get('webinar')!;
    const regTouch = j.person.entry.spec.channel === 'webinar' ? touch : touchOf(webinar);
    pageView(j, ms - 30_000, item.spec.path, regTouch, item);
    add(j, ms, 'form_submit', regTouch, { eventName: formId, url: item.url, contentId: item.id, properties: props });
    // Most registrants attend the live session a few days later.
    const liveMs = ms + rng.between(1, 9) * DAY;
    if (liveMs < world.nowMs && rng.chance(0.55)) {
      add(j, liveMs, 'webinar_attended', touchOf(webinar), { contentId: item.id, url: item.url, eventName: item.spec.title, properties: { minutes: rng.int(10, 60) } });
    }
  } else {
    const path = formId === 'demo-request' ? '/demo' : formId === 'contact-us' ? '/contact-sales' : '/blog';
    const item = contentByPath(world, path);
    pageView(j, ms - 45_000, path, touch, item);
    add(j, ms, 'form_submit', touch, { eventName: formId, url: SITE + path, contentId: item?.id ?? null, properties: props });
  }
}

/** Marketing engagement of a known person between two instants: email, content, events, site visits. */
export function engage(world: DemoWorld, j: Journey, fromMs: number, untilMs: number, count: number): void {
  const { rng } = world;
  if (untilMs <= fromMs) return;
  const newsletter = world.campaignByKey.get('newsletter')!;
  const fitBoost = j.person.fit;
  for (let i = 0; i < count; i++) {
    const ms = fromMs + rng.next() * (untilMs - fromMs);
    const kind = rng.weighted(['open', 'click', 'visit', 'content', 'download', 'pricing', 'webinar', 'event'], [30, 9, 18, 20, 4, 3 + 6 * fitBoost, 3, 1]);
    switch (kind) {
      case 'open':
        add(j, ms, 'email_open', touchOf(newsletter), { eventName: 'Monthly newsletter' });
        break;
      case 'click': {
        const item = content(world, rng.pick(earlyContent));
        add(j, ms, 'email_click', touchOf(newsletter), { url: item.url, contentId: item.id });
        pageView(j, ms + 5000, item.spec.path, touchOf(newsletter), item);
        break;
      }
      case 'visit':
        pageView(j, ms, rng.pick(sitePages), sessionTouch(world));
        break;
      case 'content': {
        const item = content(world, rng.chance(0.6) ? rng.weighted(earlyContent, earlyWeights) : rng.pick(lateContent));
        add(j, ms, 'content_view', sessionTouch(world), { contentId: item.id, url: item.url });
        break;
      }
      case 'download':
        formSubmit(world, j, ms, 'ebook-download', sessionTouch(world));
        break;
      case 'pricing':
        pageView(j, ms, '/pricing', sessionTouch(world), content(world, 'pricing'));
        break;
      case 'webinar':
        formSubmit(world, j, ms, 'webinar-registration', touchOf(world.campaignByKey.get('webinar')!));
        break;
      default:
        if (world.eventMs < fromMs || world.eventMs > untilMs) break;
        add(j, world.eventMs + rng.between(0, 32) * HOUR, 'event_attended', touchOf(world.campaignByKey.get('event')!), { eventName: 'RevOps Summit', url: SITE + '/events/revops-summit' });
    }
  }
}

/** What tips a lead over the MQL line: a demo request for the eager, pricing and ROI for the rest. */
export function intentSignal(world: DemoWorld, j: Journey, ms: number): string {
  const { rng } = world;
  const touch = sessionTouch(world);
  if (rng.chance(0.35 + 0.3 * j.person.fit)) {
    formSubmit(world, j, ms, 'demo-request', touch);
    return 'demo request';
  }
  pageView(j, ms - 10 * MINUTE, '/pricing', touch, content(world, 'pricing'));
  const item = content(world, rng.chance(0.5) ? 'roi' : rng.pick(['case-northwind', 'case-contoso']));
  add(j, ms - 3 * MINUTE, 'content_view', touch, { contentId: item.id, url: item.url });
  return 'pricing and evaluation content';
}

/** A salesperson acting on the lead (stops the follow-up SLA clock). */
export function salesTouch(j: Journey, ms: number, type: 'sales_call' | 'sales_email' | 'meeting', actorUserId: string, note: string): void {
  add(j, ms, type, noTouch, { actorUserId, eventName: note, properties: type === 'sales_call' ? { outcome: note } : null });
}

/** While in nurture: the nurture track's emails, some opened and clicked. */
export function nurtureEmails(world: DemoWorld, j: Journey, fromMs: number, untilMs: number): void {
  const { rng } = world;
  const nurture = world.campaignByKey.get('nurture')!;
  const steps = Math.min(6, Math.floor((untilMs - fromMs) / (14 * DAY)));
  for (let i = 1; i <= steps; i++) {
    const ms = fromMs + i * 14 * DAY + rng.between(0, 2) * HOUR;
    if (!rng.chance(0.45)) continue;
    add(j, ms, 'email_open', touchOf(nurture), { eventName: `Nurture step ${i}` });
    if (rng.chance(0.3)) {
      const item = content(world, rng.pick(lateContent));
      add(j, ms + 3 * MINUTE, 'email_click', touchOf(nurture), { url: item.url, contentId: item.id });
      pageView(j, ms + 4 * MINUTE, item.spec.path, touchOf(nurture), item);
    }
  }
}

/** Customers read onboarding material after the deal closes. */
export function postPurchase(world: DemoWorld, j: Journey, fromMs: number): void {
  const { rng } = world;
  for (const key of ['onboarding', 'academy', 'release-notes']) {
    const ms = fromMs + rng.between(2, 40) * DAY;
    if (ms >= world.nowMs || !rng.chance(0.6)) continue;
    const item = content(world, key);
    add(j, ms, 'content_view', touchOf(world.campaignByKey.get('direct')!), { contentId: item.id, url: item.url });
  }
}

/** A past lead comes back and asks for contact: the start of a new buying cycle. */
export function returnVisit(world: DemoWorld, j: Journey, ms: number): FormId {
  const formId: FormId = world.rng.chance(0.5) ? 'contact-us' : 'demo-request';
  formSubmit(world, j, ms, formId, sessionTouch(world));
  return formId;
}
