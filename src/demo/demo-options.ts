import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';

export interface DemoOptions {
  /** Base URL of the Skein (or Zipkin) server. */
  url: string;
  /** Traces in the initial, backdated batch. */
  traces: number;
  /** Traces per second; undefined = as fast as the server accepts. */
  rate: number | undefined;
  /** Keep sending live traffic after the initial batch until interrupted. */
  continuous: boolean;
  seed: number;
  help: boolean;
}

/** Live traffic rate in --continuous mode when --rate is not given: steady, not a flood. */
export const DEFAULT_CONTINUOUS_RATE = 10;

export const USAGE = `Usage: npm run demo -- [options]

Sends generated traces of a simulated e-commerce system to a running Skein server
(POST /api/v2/spans, JSON v2), backdated over the last 15 minutes.

Options:
  --url <url>       server base URL (default http://localhost:9411)
  --traces <n>      traces to send (default 500)
  --rate <n>        traces per second (default: as fast as possible;
                    ${DEFAULT_CONTINUOUS_RATE}/s for the live traffic of --continuous)
  --continuous      after the first batch, keep sending live traffic until Ctrl-C
  --seed <n>        random seed, for reproducible traffic (default: a new one each run)
  -h, --help        show this help`;

export class DemoUsageError extends Error {
  override readonly name = 'DemoUsageError';
}

/** Parses the demo's command line (arguments after the script name). Throws DemoUsageError. */
export function parseDemoArgs(argv: readonly string[]): DemoOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        url: { type: 'string', default: 'http://localhost:9411' },
        traces: { type: 'string', default: '500' },
        rate: { type: 'string' },
        continuous: { type: 'boolean', default: false },
        seed: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new DemoUsageError((e as Error).message);
  }

  let url: URL;
  try {
    url = new URL(values.url);
  } catch {
    throw new DemoUsageError(`--url: not a URL: ${values.url}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DemoUsageError(`--url: must be http or https: ${values.url}`);
  }
  const traces = Number(values.traces);
  if (!Number.isInteger(traces) || traces < 1) {
    throw new DemoUsageError(`--traces: must be a positive integer: ${values.traces}`);
  }
  let rate: number | undefined;
  if (values.rate !== undefined) {
    rate = Number(values.rate);
    if (!Number.isFinite(rate) || rate <= 0) {
      throw new DemoUsageError(`--rate: must be a positive number of traces per second: ${values.rate}`);
    }
  }
  // A fresh seed per run: the same seed twice re-sends the same trace and span ids with new timestamps,
  // which merges two runs into nonsense traces.
  const seed = values.seed === undefined ? randomInt(1, 2 ** 31) : Number(values.seed);
  if (!Number.isInteger(seed)) throw new DemoUsageError(`--seed: must be an integer: ${values.seed}`);
  return {
    url: url.href.replace(/\/+$/, ''),
    traces,
    rate,
    continuous: values.continuous,
    seed,
    help: values.help,
  };
}
