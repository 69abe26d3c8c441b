/**
 * The demo company's marketing programs and content library. Each campaign carries how much
 * first-touch traffic it brings and how good that traffic is (`quality` scales the odds of
 * moving down the waterfall), so the sources report has winners and a laggard to flag.
 */

export const SITE = 'https://www.example-saas.com';

export type Channel =
  | 'organic_search' | 'paid_search' | 'paid_social' | 'email' | 'webinar' | 'event'
  | 'content_syndication' | 'referral' | 'direct' | 'partner';

export type CampaignSpec = {
  key: string; name: string; channel: Channel; utmSource: string; utmMedium: string; utmCampaign: string | null;
  /** Share of first touches. */ weight: number;
  /** Multiplies the odds of progressing (MQL, acceptance, win). */ quality: number;
  /** Average monthly cost in USD (0 for unpaid programs). */ monthlyCost: number;
  landing: string; referrer: string | null;
};

export const campaignSpecs: readonly CampaignSpec[] = [
  { key: 'organic', name: 'Organic search', channel: 'organic_search', utmSource: 'google', utmMedium: 'organic', utmCampaign: null, weight: 24, quality: 1, monthlyCost: 2500, landing: '/blog/what-is-an-mql', referrer: 'https://www.google.com/' },
  { key: 'brand', name: 'Google Ads - Brand', channel: 'paid_search', utmSource: 'google', utmMedium: 'cpc', utmCampaign: 'brand-search', weight: 7, quality: 1.35, monthlyCost: 6000, landing: '/', referrer: 'https://www.google.com/' },
  { key: 'nonbrand', name: 'Google Ads - Lead scoring keywords', channel: 'paid_search', utmSource: 'google', utmMedium: 'cpc', utmCampaign: 'lead-scoring-keywords', weight: 10, quality: 0.9, monthlyCost: 18000, landing: '/lp/lead-scoring', referrer: 'https://www.google.com/' },
  { key: 'linkedin', name: 'LinkedIn Ads - Revenue leaders', channel: 'paid_social', utmSource: 'linkedin', utmMedium: 'paid_social', utmCampaign: 'revenue-leaders-ebook', weight: 11, quality: 0.85, monthlyCost: 22000, landing: '/resources/ebook-lead-management-playbook', referrer: 'https://www.linkedin.com/' },
  { key: 'newsletter', name: 'Monthly newsletter', channel: 'email', utmSource: 'newsletter', utmMedium: 'email', utmCampaign: 'monthly-newsletter', weight: 5, quality: 0.9, monthlyCost: 800, landing: '/blog/sla-between-marketing-and-sales', referrer: null },
  { key: 'nurture', name: 'Nurture email track', channel: 'email', utmSource: 'nurture', utmMedium: 'email', utmCampaign: 'nurture-track', weight: 0, quality: 1, monthlyCost: 1200, landing: '/resources/case-study-northwind', referrer: null },
  { key: 'webinar', name: 'Webinar series - Pipeline Mastery', channel: 'webinar', utmSource: 'webinar', utmMedium: 'email', utmCampaign: 'pipeline-mastery-webinars', weight: 8, quality: 1.25, monthlyCost: 5000, landing: '/webinars/pipeline-mastery', referrer: null },
  { key: 'event', name: 'RevOps Summit booth', channel: 'event', utmSource: 'revops-summit', utmMedium: 'event', utmCampaign: 'revops-summit', weight: 5, quality: 1.1, monthlyCost: 7000, landing: '/events/revops-summit', referrer: null },
  { key: 'syndication', name: 'Content syndication - TechTarget', channel: 'content_syndication', utmSource: 'techtarget', utmMedium: 'syndication', utmCampaign: 'syndicated-ebook', weight: 9, quality: 0.45, monthlyCost: 12000, landing: '/resources/ebook-lead-management-playbook', referrer: null },
  { key: 'referral', name: 'Customer referral program', channel: 'referral', utmSource: 'customer-referral', utmMedium: 'referral', utmCampaign: 'refer-a-peer', weight: 4, quality: 1.8, monthlyCost: 1500, landing: '/demo', referrer: 'https://www.g2.com/' },
  { key: 'direct', name: 'Direct traffic', channel: 'direct', utmSource: '(direct)', utmMedium: '(none)', utmCampaign: null, weight: 10, quality: 1.1, monthlyCost: 0, landing: '/', referrer: null },
  { key: 'partner', name: 'Partner co-marketing - CRM marketplace', channel: 'partner', utmSource: 'crm-marketplace', utmMedium: 'partner', utmCampaign: 'marketplace-listing', weight: 7, quality: 1.4, monthlyCost: 4000, landing: '/integrations/crm', referrer: 'https://marketplace.example-crm.com/' },
];

export type BuyingStage = 'awareness' | 'interest' | 'consideration' | 'evaluation' | 'decision' | 'post-purchase';

export type ContentSpec = {
  key: string; title: string; path: string; format: string; stage: BuyingStage; personas: string[]; topics: string[];
  gated: boolean; /** Visiting it signals buying intent. */ highIntent: boolean; publishedDaysAgo: number;
};

const c = (key: string, title: string, path: string, format: string, stage: BuyingStage, personas: string[], topics: string[], gated = false, highIntent = false, publishedDaysAgo = 400): ContentSpec =>
  ({ key, title, path, format, stage, personas, topics, gated, highIntent, publishedDaysAgo });

export const contentSpecs: readonly ContentSpec[] = [
  c('blog-mql', 'What is an MQL, really?', '/blog/what-is-an-mql', 'blog_post', 'awareness', ['marketing_leader', 'practitioner'], ['lead-qualification']),
  c('blog-sla', 'Writing an SLA between marketing and sales', '/blog/sla-between-marketing-and-sales', 'blog_post', 'awareness', ['marketing_leader', 'sales_leader'], ['sla', 'alignment']),
  c('blog-attribution', 'Seven attribution models explained', '/blog/attribution-models-explained', 'blog_post', 'awareness', ['marketing_leader', 'revops'], ['attribution'], false, false, 300),
  c('blog-recycle', 'Why recycled leads close faster', '/blog/why-recycled-leads-close', 'blog_post', 'awareness', ['practitioner', 'revops'], ['nurture', 'lead-qualification'], false, false, 200),
  c('blog-funnel', 'The waterfall is not dead', '/blog/the-waterfall-is-not-dead', 'blog_post', 'awareness', ['executive', 'marketing_leader'], ['funnel'], false, false, 120),
  c('guide-scoring', 'A practical guide to lead scoring', '/guides/lead-scoring', 'guide', 'interest', ['practitioner', 'revops'], ['lead-scoring']),
  c('ebook-playbook', 'The lead management playbook (ebook)', '/resources/ebook-lead-management-playbook', 'ebook', 'interest', ['marketing_leader', 'sales_leader'], ['lead-management', 'alignment'], true),
  c('ebook-benchmarks', 'B2B funnel benchmarks report', '/resources/b2b-funnel-benchmarks', 'report', 'interest', ['executive', 'revops'], ['funnel', 'analytics'], true, false, 250),
  c('checklist-sla', 'Lead hand-off SLA checklist', '/resources/sla-checklist', 'checklist', 'interest', ['sales_leader', 'revops'], ['sla'], true, false, 180),
  c('webinar-pipeline', 'Webinar: Pipeline Mastery', '/webinars/pipeline-mastery', 'webinar', 'consideration', ['marketing_leader', 'sales_leader'], ['pipeline', 'alignment'], true),
  c('webinar-attribution', 'Webinar: Attribution without the hype', '/webinars/attribution-without-hype', 'webinar', 'consideration', ['marketing_leader', 'revops'], ['attribution'], true, false, 150),
  c('video-tour', 'Product tour (video)', '/product/tour', 'video', 'consideration', ['practitioner', 'revops'], ['product']),
  c('integrations', 'CRM integrations', '/integrations/crm', 'page', 'consideration', ['revops'], ['integrations']),
  c('compare', 'Leadloop vs. spreadsheets', '/compare/spreadsheets', 'page', 'consideration', ['marketing_leader', 'executive'], ['product']),
  c('case-northwind', 'Case study: Northwind doubles SQLs', '/resources/case-study-northwind', 'case_study', 'evaluation', ['marketing_leader', 'executive'], ['lead-management'], false, true),
  c('case-contoso', 'Case study: Contoso cuts speed-to-lead to 5 minutes', '/resources/case-study-contoso', 'case_study', 'evaluation', ['sales_leader', 'executive'], ['sla'], false, true, 220),
  c('roi', 'ROI calculator', '/tools/roi-calculator', 'tool', 'evaluation', ['executive', 'revops'], ['roi'], false, true),
  c('security', 'Security and compliance overview', '/trust/security', 'page', 'evaluation', ['revops', 'executive'], ['security']),
  c('pricing', 'Pricing', '/pricing', 'page', 'decision', ['executive', 'marketing_leader', 'sales_leader'], ['pricing'], false, true),
  c('demo', 'Request a demo', '/demo', 'page', 'decision', ['marketing_leader', 'sales_leader', 'executive'], ['product'], true, true),
  c('contact-sales', 'Talk to sales', '/contact-sales', 'page', 'decision', ['executive', 'sales_leader'], ['product'], true, true),
  c('onboarding', 'Onboarding guide', '/docs/onboarding', 'guide', 'post-purchase', ['practitioner', 'revops'], ['onboarding']),
  c('academy', 'Leadloop Academy course', '/academy/certification', 'course', 'post-purchase', ['practitioner'], ['training'], false, false, 90),
  c('release-notes', 'What is new this quarter', '/blog/release-notes', 'blog_post', 'post-purchase', ['practitioner', 'revops'], ['product'], false, false, 45),
];

/** Generic site pages (not catalogued as content) for plain page views. */
export const sitePages = ['/', '/product', '/product/scoring', '/product/attribution', '/about', '/customers', '/blog', '/careers'];

/** Forms on the site; the first form submit turns a visitor into a known contact with an inquiry. */
export type FormId = 'ebook-download' | 'newsletter-signup' | 'webinar-registration' | 'contact-sales' | 'demo-request' | 'event-badge-scan' | 'syndication-lead';
