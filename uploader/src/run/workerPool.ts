/**
 * Runs `work` over `items` with at most `concurrency` at once, in order of
 * start. It starts nothing once `stop` aborts or an item has failed, but lets
 * the items already started finish (their results must be kept), then throws
 * the first failure. Resolves with how many items were started.
 */
export async function runPool<T>(items: readonly T[], concurrency: number, stop: AbortSignal, work: (item: T, position: number) => Promise<void>): Promise<number> {
  let cursor = 0;
  let failed = false;
  let failure: unknown;
  const worker = async () => {
    while (!failed && !stop.aborted && cursor < items.length) {
      const position = cursor++;
      try {
        await work(items[position] as T, position);
      } catch (error) {
        if (!failed) failure = error;
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (failed) throw failure;
  return cursor;
}
