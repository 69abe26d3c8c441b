import { DAY, type DemoWorld, type Person } from './world.ts';

/** Deal size grows with the company: a few thousand for a small team, up to 250k for an enterprise. */
export function dealAmount(world: DemoWorld, person: Person): number {
  const employees = person.account?.employees ?? 0;
  const [min, max] = !person.account ? [5_000, 12_000]
    : employees < 50 ? [5_000, 15_000]
      : employees < 200 ? [12_000, 40_000]
        : employees < 1000 ? [30_000, 90_000]
          : employees < 5000 ? [60_000, 160_000]
            : [100_000, 250_000];
  return Math.round(world.rng.between(min, max) / 500) * 500;
}

/** Typical sales cycle length: longer for bigger companies. */
export function salesCycleMs(world: DemoWorld, person: Person): number {
  const employees = person.account?.employees ?? 20;
  const median = employees < 200 ? 30 : employees < 2000 ? 50 : 75;
  return Math.max(7 * DAY, world.rng.logNormal(median, 0.5) * DAY);
}
