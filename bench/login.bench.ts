import pg from 'pg';
import { createAuthService } from '../src/app/auth.ts';
import { systemClock } from '../src/app/context.ts';
import { createUser, createWorkspace } from '../src/app/workspaces.ts';
import { percentile } from '../src/core/stats/descriptive.rules.ts';
import { createDb, createPool, quoteIdent } from '../src/storage/db.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';

/**
 * `DATABASE_URL=postgres://… npm run bench -- login [--n 20]`: how long a wrong password takes for a
 * known email and for an unknown one (both must pay one scrypt verification, so that the answer's
 * timing does not tell which emails have accounts), and a successful sign-in. Baseline: one scrypt
 * hash-compare measured in the same run. Uses a scratch database it creates and drops.
 */
export async function main(argv: string[]): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('Set DATABASE_URL to a PostgreSQL server (a scratch database is created on it).');
  const n = Number(argv[argv.indexOf('--n') + 1] ?? 20) || 20;
  const name = `leadloop_bench_login_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  const pool = createPool(u.toString(), 4);
  const db = createDb(pool);
  try {
    await migrateToLatest(db);
    const deps = { db, clock: systemClock };
    const ws = await createWorkspace(deps, { name: 'Bench' });
    if (!ws.ok) throw new Error(ws.message);
    for (let i = 0; i < n; i++) {
      const created = await createUser(deps, ws.value.id, { email: `known${i}@bench.test`, role: 'sales', password: 'bench-password-phrase-1' });
      if (!created.ok) throw new Error(created.message);
    }
    const auth = createAuthService(deps, { sessionTtlHours: 1 });
    const time = async (email: string, password: string, address: string) => {
      const t0 = process.hrtime.bigint();
      await auth.login({ email, password, address });
      return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    await time('warmup@bench.test', 'x', '203.0.113.250');
    const known: number[] = [];
    const unknown: number[] = [];
    const success: number[] = [];
    for (let i = 0; i < n; i++) {
      // Alternate which goes first, so neither pays for what ran just before it.
      if (i % 2) {
        known.push(await time(`known${i}@bench.test`, 'wrong-password', `203.0.113.${i}`));
        unknown.push(await time(`nobody${i}@bench.test`, 'wrong-password', `198.51.100.${i}`));
      } else {
        unknown.push(await time(`nobody${i}@bench.test`, 'wrong-password', `198.51.100.${i}`));
        known.push(await time(`known${i}@bench.test`, 'wrong-password', `203.0.113.${i}`));
      }
      success.push(await time(`known${i}@bench.test`, 'bench-password-phrase-1', `192.0.2.${i}`));
    }
    const p50 = (xs: number[]) => percentile(xs, 0.5) ?? NaN;
    const p90 = (xs: number[]) => percentile(xs, 0.9) ?? NaN;
    console.log(`wrong password, known email:   p50 ${p50(known).toFixed(1)} ms, p90 ${p90(known).toFixed(1)} ms (n=${n})`);
    console.log(`wrong password, unknown email: p50 ${p50(unknown).toFixed(1)} ms, p90 ${p90(unknown).toFixed(1)} ms`);
    console.log(`right password:                p50 ${p50(success).toFixed(1)} ms, p90 ${p90(success).toFixed(1)} ms`);
    console.log(JSON.stringify({ bench: 'login', n, knownWrongP50Ms: +p50(known).toFixed(1), unknownWrongP50Ms: +p50(unknown).toFixed(1), successP50Ms: +p50(success).toFixed(1), unknownOverKnown: +(p50(unknown) / p50(known)).toFixed(2) }));
  } finally {
    await db.destroy();
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
    await admin.end();
  }
}
