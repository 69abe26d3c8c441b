import cliProgress from 'cli-progress';

/** A progress bar on a terminal, plain periodic lines otherwise (CI logs, pipes). */
export function progressBar(label: string) {
  const tty = process.stderr.isTTY;
  const bar = tty ? new cliProgress.SingleBar({ format: `${label} [{bar}] {percentage}% | {value}/{total} {phase} | {duration_formatted}, ETA {eta_formatted}`, stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic) : null;
  let started = false;
  let lastLine = 0;
  const t0 = Date.now();
  return {
    update(done: number, total: number, phase = '') {
      if (bar) {
        if (!started) { bar.start(total, 0, { phase }); started = true; }
        bar.setTotal(total);
        bar.update(done, { phase });
      } else if (Date.now() - lastLine > 2000 || done === total) {
        lastLine = Date.now();
        process.stderr.write(`${label}: ${done}/${total} ${phase} (${Math.round((Date.now() - t0) / 1000)} s)\n`);
      }
    },
    stop() { bar?.stop(); },
  };
}
