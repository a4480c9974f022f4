#!/usr/bin/env node
// The `lantern` command. TypeScript sources run through tsx's loader: no build step between a clone and a run.
import { register } from 'tsx/esm/api';

register();
// `lantern analyze --json | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
if (process.env.LANTERN_REPORT_PEAK_RSS) {
  // For the benchmarks: the peak resident memory of this process, measured by the kernel, and the CPU time it
  // spent, which the other users of a shared machine do not inflate as they do the wall clock.
  const usage = process.resourceUsage();
  process.stderr.write(`peak-rss-kib: ${usage.maxRSS}\ncpu-us: ${usage.userCPUTime + usage.systemCPUTime}\n`);
}
