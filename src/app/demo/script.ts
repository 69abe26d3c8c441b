import type { Act } from './acts.ts';
import { browse, engage, firstTouch, identify, intentSignal, returnVisit, type Journey } from './journey.ts';
import { DAY, HOUR, MINUTE, type DemoWorld, type Person } from './world.ts';

/**
 * A person's marketing year, written up front: the first touch, anonymous browsing, the act that
 * makes them known, engagement, and (for the buyers among them) intent signals. Whether a signal
 * makes an MQL is for the lead definition to say when the traffic goes through the doors; what sales
 * does next is simulated when the MQL appears (sales.ts).
 */
export function scriptPerson(world: DemoWorld, person: Person): Act[] {
  const { rng } = world;
  const j: Journey = { person, acts: [] };
  const t0 = person.firstTouchMs;
  const endMs = world.nowMs - MINUTE;
  firstTouch(world, j);
  if (person.kind === 'anonymous') {
    browse(world, j, t0 + MINUTE, Math.min(endMs, t0 + rng.between(1, 5) * DAY), rng.int(0, 3));
    return clamp(world, j, t0);
  }
  const immediate = person.entry.spec.channel === 'event' || person.entry.spec.channel === 'content_syndication';
  const identifyMs = immediate ? t0
    : person.showcase ? t0 + rng.between(2, 24) * HOUR
      : Math.min(endMs - 10 * MINUTE, t0 + Math.max(3 * MINUTE, rng.exp(4 * DAY)));
  if (identifyMs - t0 > 5 * MINUTE) browse(world, j, t0 + MINUTE, identifyMs - 2 * MINUTE, rng.int(0, 3));
  identify(world, j, identifyMs);
  const engagedUntil = Math.min(endMs, identifyMs + Math.max(14 * DAY, rng.exp(150 * DAY)));
  const touches = Math.min(50, Math.round(rng.logNormal(1.5 + 8 * person.engagement, 0.6)));
  engage(world, j, identifyMs + HOUR, engagedUntil, touches);

  // Buyers show intent; the definition decides whether it qualifies them.
  const quality = person.entry.spec.quality;
  const pIntent = person.showcase ? 1 : Math.min(0.92, (0.04 + 0.8 * person.fit * (0.3 + 0.7 * person.engagement)) * quality);
  if (rng.chance(pIntent)) {
    const intentMs = person.showcase ? world.nowMs - rng.between(1, 60) * HOUR : identifyMs + Math.max(HOUR, rng.logNormal(9, 1) * DAY);
    if (intentMs < endMs) intentSignal(world, j, intentMs);
    // Some come back months later: after a spell in nurture, or for a new buying cycle.
    const againMs = intentMs + Math.max(30 * DAY, rng.logNormal(100, 0.5) * DAY);
    if (!person.showcase && rng.chance(0.25 * Math.min(1.3, quality)) && againMs < endMs - 2 * DAY) {
      engage(world, j, intentMs + DAY, againMs, rng.int(1, 4));
      if (rng.chance(0.5)) returnVisit(world, j, againMs);
      else intentSignal(world, j, againMs);
    }
  }
  return clamp(world, j, t0);
}

/** Nothing before the first touch or after now. */
function clamp(world: DemoWorld, j: Journey, t0: number): Act[] {
  const latest = world.nowMs - MINUTE;
  for (const act of j.acts) act.ms = Math.min(latest, Math.max(act === j.acts[0] ? t0 : t0 + 1000, act.ms));
  return j.acts;
}
