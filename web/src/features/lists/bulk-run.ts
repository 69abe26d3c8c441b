/** The outcome of one bulk action: how many of how many went through, and why the others did not. */
export type BulkOutcome = { done: number; total: number; failures: { label: string; message: string }[] };

/**
 * Runs `act` on every item, a few at a time (the server checks each one's permissions and writes
 * each in its own transaction, so one refusal never undoes the others), reporting progress.
 */
export async function runBulk<T>(items: readonly T[], act: (item: T) => Promise<unknown>, label: (item: T) => string, onProgress: (finished: number) => void, parallel = 4): Promise<BulkOutcome> {
  let next = 0;
  let finished = 0;
  const failures: BulkOutcome['failures'] = [];
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await act(item);
      } catch (e) {
        failures.push({ label: label(item), message: e instanceof Error ? e.message : String(e) });
      }
      onProgress(++finished);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
  return { done: items.length - failures.length, total: items.length, failures };
}
