#!/usr/bin/env node
/**
 * `npm run demo`: fills a running Skein with realistic traces so the UI, search and dependency graph
 * have something to show.
 */
import { DemoUsageError, USAGE, parseDemoArgs } from './demo-options.js';
import { DemoSendError, sendTraffic } from './send-traffic.js';

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseDemoArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof DemoUsageError) {
      console.error(`${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }

  const stop = new AbortController();
  process.once('SIGINT', () => {
    // The first batch stops at once; live traffic finishes its tick and prints the summary.
    if (!opts.continuous) process.exit(130);
    stop.abort();
  });
  try {
    const sent = await sendTraffic(opts, { log: (line) => console.log(line), signal: stop.signal });
    console.log(
      `done: ${sent.traces} traces (${sent.spans} spans) sent. Open ${opts.url}/zipkin/ to see them.`,
    );
    return 0;
  } catch (e) {
    if (e instanceof DemoSendError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  }
}

process.exitCode = await main();
