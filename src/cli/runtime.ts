import { resolveWorkspace } from '../app/workspaces.ts';
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

/** Prints the message and fails the command without a stack trace (an expected outcome, not a crash). */
export function refuse(message: string): void {
  console.error(`Error: ${message}`);
  process.exitCode = 1;
}

/** Runs `work` in the named workspace (or the only one), refusing with the reason when there is no such workspace. */
export async function inWorkspace(config: Config, name: string | undefined, work: (rt: Runtime, workspaceId: string) => Promise<void>): Promise<void> {
  await withRuntime(config, async (rt) => {
    const ws = await resolveWorkspace(rt.deps, name);
    if (!ws.ok) return refuse(ws.message);
    await work(rt, ws.value.id);
  });
}
