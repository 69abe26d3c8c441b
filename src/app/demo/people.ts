import {
  companyParts, countries, departments, firstNames, freeMailDomains, industries, lastNames, seniorities, slug, titleFor,
  type Seniority,
} from './reference-data.ts';
import { DAY, HOUR, type DemoAccount, type DemoWorld, type Person } from './world.ts';

const industryWeights = industries.map((i) => i.weight);
const countryWeights = countries.map((c) => c.weight);
const seniorityWeights = seniorities.map((s) => s.weight);
const departmentWeights = departments.map((d) => d.weight);
const regionFit: Record<string, number> = { 'North America': 1, EMEA: 0.95, APAC: 0.75, LATAM: 0.6 };

/** The ideal customer has 50-5,000 employees; very small companies rarely buy, giants buy slowly. */
function sizeFit(employees: number): number {
  if (employees < 10) return 0.15;
  if (employees < 50) return 0.55;
  if (employees <= 5000) return 1;
  return 0.8;
}

/** All the demo's companies: long-tailed sizes, unique domains. */
export function generateAccounts(world: DemoWorld, count: number): DemoAccount[] {
  const { rng } = world;
  const accounts: DemoAccount[] = [];
  for (let i = 0; i < count; i++) {
    const industry = rng.weighted(industries, industryWeights);
    const country = rng.weighted(countries, countryWeights);
    const employees = Math.max(2, Math.min(250_000, Math.round(rng.logNormal(110, 1.7))));
    const suffix = industry.name === 'Software' ? rng.pick(['Software', 'Labs', 'Cloud', 'Analytics', 'Systems'])
      : industry.name === 'Financial Services' ? rng.pick(['Capital', 'Bank', 'Insurance', 'Partners'])
        : rng.pick(companyParts.suffixes);
    let base = `${rng.pick(companyParts.adjectives)} ${rng.pick(companyParts.nouns)}`;
    let domain = `${slug(base)}.${country.tld}`;
    if (world.domains.has(domain)) domain = `${slug(base + suffix)}.${country.tld}`;
    if (world.domains.has(domain)) {
      base = `${base} ${rng.pick(companyParts.nouns)}`;
      domain = `${slug(base + suffix)}.${country.tld}`;
    }
    for (let n = 2; world.domains.has(domain); n++) domain = `${slug(base + suffix)}${n}.${country.tld}`;
    world.domains.add(domain);
    const createdMs = world.startMs - rng.int(30, 900) * DAY;
    const fit = industry.fit * sizeFit(employees) * (regionFit[country.region] ?? 0.7);
    accounts.push({
      row: {
        id: world.mintId(createdMs), name: `${base} ${suffix}`, domain, industry: industry.name, employeeCount: employees,
        country: country.code, region: country.region, annualRevenue: Math.round(employees * rng.logNormal(160_000, 0.5)),
        createdAt: createdMs,
      },
      fit, employees, people: [], written: false,
    });
  }
  return accounts;
}

/** First touches get more frequent over the year (a growing company): density rises linearly 0.6 → 1.4. */
// Stratified by contact number, so contacts come in time order: chunks are time slices and the
// indexes on contact and activity ids (UUIDv7) are filled mostly at their right edge.
function firstTouchMs(world: DemoWorld, index: number): number {
  const u = (index + world.rng.next()) / world.totalContacts;
  const x = (-0.6 + Math.sqrt(0.36 + 1.6 * u)) / 0.8;
  return Math.min(world.startMs + x * (world.nowMs - world.startMs), world.nowMs - 2 * HOUR);
}

function uniqueEmail(world: DemoWorld, local: string, domain: string): string {
  let email = `${local}@${domain}`;
  for (let n = 2; world.emails.has(email); n++) email = `${local}${n}@${domain}`;
  world.emails.add(email);
  return email;
}

const emailLocal = (first: string, last: string, style: number): string => {
  const f = slug(first);
  const l = slug(last);
  return style < 0.6 ? `${f}.${l}` : style < 0.85 ? `${f[0]}${l}` : `${f}`;
};

/** Weighted pick by binary search over the running sum (there can be 25,000 companies). */
function pickAccount(world: DemoWorld): DemoAccount {
  const cumulative = world.accountCumulative;
  const target = world.rng.next() * cumulative[cumulative.length - 1]!;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid]! > target) hi = mid;
    else lo = mid + 1;
  }
  return world.accounts[lo]!;
}

export function accountWeights(accounts: readonly DemoAccount[]): Float64Array {
  const cumulative = new Float64Array(accounts.length);
  let sum = 0;
  accounts.forEach((a, i) => { sum += 1 + Math.log10(a.employees); cumulative[i] = sum; });
  return cumulative;
}

/**
 * People for one chunk: ~20% anonymous visitors, ~12% signing up with free mail (no account),
 * the rest at companies (bigger ones get more contacts; colleagues come in over the year).
 */
export function generatePeople(world: DemoWorld, count: number, firstIndex: number): Person[] {
  const { rng } = world;
  const people: Person[] = [];
  for (let i = 0; i < count; i++) {
    const index = firstIndex + i;
    const roll = rng.next();
    const kind: Person['kind'] = roll < 0.2 ? 'anonymous' : roll < 0.32 ? 'freemail' : 'business';
    const entry = rng.weighted(world.entryCampaigns.items, world.entryCampaigns.weights);
    const anonymousId = `anon-${index.toString(36)}-${Math.floor(rng.next() * 0xffffff).toString(16).padStart(6, '0')}`;
    // Booth visitors all meet us on the two days of the summit.
    const touchMs = entry.spec.channel === 'event' ? world.eventMs + rng.between(0, 32) * HOUR : firstTouchMs(world, index);
    if (kind === 'anonymous') {
      people.push({
        index, id: world.mintId(touchMs), kind, account: null, firstName: null, lastName: null, email: null, title: null,
        seniority: null, department: null, country: rng.weighted(countries, countryWeights).code, phone: null, anonymousId,
        fit: 0, engagement: rng.next() * 0.3, entry, firstTouchMs: touchMs, showcase: false, consentEmail: false, contactId: null,
      });
      continue;
    }
    const account = kind === 'business' && world.accounts.length > 0 ? pickAccount(world) : null;
    const firstName = rng.pick(firstNames);
    const lastName = rng.pick(lastNames);
    let seniority: Seniority = rng.weighted(seniorities, seniorityWeights).level;
    // Students and freelancers mostly sign up with free mail.
    if (kind === 'freemail' && rng.chance(0.3)) seniority = rng.chance(0.6) ? 'student' : 'consultant';
    if (kind === 'business' && (seniority === 'student')) seniority = 'individual_contributor';
    const dept = rng.weighted(departments, departmentWeights);
    const department = seniority === 'c_level' && rng.chance(0.3) ? 'Executive' : dept.name;
    const senFit = seniorities.find((s) => s.level === seniority)!.fit;
    const deptFit = departments.find((d) => d.name === department)?.fit ?? 0.5;
    const personFit = 0.5 * senFit + 0.5 * deptFit;
    const fit = account ? Math.pow(account.fit, 0.7) * personFit : 0.4 * personFit * senFit;
    const domain = account ? account.row.domain! : rng.pick(freeMailDomains);
    const email = uniqueEmail(world, kind === 'freemail' && rng.chance(0.4) ? `${slug(firstName)}${slug(lastName)}${rng.int(1, 99)}` : emailLocal(firstName, lastName, rng.next()), domain);
    // Engagement is skewed: most people touch a few things, a few binge.
    const engagement = Math.min(1, Math.pow(rng.next(), 1.6) * (0.7 + 0.6 * entry.spec.quality / 1.8) + 0.15 * fit);
    const person: Person = {
      index, id: world.mintId(touchMs), kind, account, firstName, lastName, email, title: titleFor(seniority, department, rng.next()),
      seniority, department, country: account?.row.country ?? rng.weighted(countries, countryWeights).code,
      phone: rng.chance(0.35) ? `+1-555-${String(rng.int(100, 999))}-${String(rng.int(1000, 9999))}` : null,
      anonymousId, fit, engagement, entry, firstTouchMs: touchMs, showcase: false, consentEmail: rng.chance(0.85), contactId: null,
    };
    if (world.counters.showcaseLeft > 0 && account && fit > 0.35 && seniority !== 'consultant') {
      world.counters.showcaseLeft--;
      person.showcase = true;
      person.engagement = Math.max(person.engagement, 0.6);
      const ms = world.nowMs - rng.between(6, 25) * DAY;
      person.firstTouchMs = ms;
      person.id = world.mintId(ms);
    }
    account?.people.push(person);
    people.push(person);
  }
  return people;
}
