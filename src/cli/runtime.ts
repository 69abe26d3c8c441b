import type { Config } from '../config.ts';
import { openRuntime, type Runtime } from '../main.ts';

/** Opens the database for one command and always closes it (the embedded server too, if this process started it). */
export async function withRuntime<T>(config: Config, work: (rt: Runtime) => Promise<T>): Promise<T> {
  const runtime = await openRuntime(config, { poolSize: 5 });
  try {
    return await work(runtime);
  } finally {
    await runtime.close();
  }
}
