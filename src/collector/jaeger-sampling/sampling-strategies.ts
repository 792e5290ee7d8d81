/**
 * Jaeger remote sampling: which strategy a client should use, in the JSON a jaeger client reads from
 * GET /sampling?service= (jaeger sampling.thrift SamplingStrategyResponse, enum names as strings).
 */
export interface ProbabilisticSampling {
  samplingRate: number;
}
export interface OperationSampling {
  defaultSamplingProbability: number;
  defaultLowerBoundTracesPerSecond: number;
  perOperationStrategies: Array<{ operation: string; probabilisticSampling: ProbabilisticSampling }>;
}
export type SamplingStrategyResponse =
  | {
      strategyType: 'PROBABILISTIC';
      probabilisticSampling: ProbabilisticSampling;
      operationSampling?: OperationSampling;
    }
  | { strategyType: 'RATE_LIMITING'; rateLimitingSampling: { maxTracesPerSecond: number } };

interface StrategyEntry {
  type: 'probabilistic' | 'ratelimiting';
  param: number;
  operations: Array<{ operation: string; samplingRate: number }>;
}

export class SamplingStrategiesError extends Error {
  override readonly name = 'SamplingStrategiesError';
}

/** With no strategies file, every service samples everything (jaeger all-in-one's default). */
const SAMPLE_ALL: StrategyEntry = { type: 'probabilistic', param: 1, operations: [] };

/**
 * Strategies from jaeger's file format: `{"service_strategies":[{"service","type","param",
 * "operation_strategies":[{"operation","type","param"}]}], "default_strategy":{...}}`, type being
 * "probabilistic" (param 0-1) or "ratelimiting" (param traces per second). Operation strategies are
 * probabilistic only, as in jaeger; a service without its own takes the default strategy's.
 */
export class SamplingStrategies {
  private constructor(
    private readonly byService: Map<string, StrategyEntry>,
    private readonly fallback: StrategyEntry,
  ) {}

  static sampleAll(): SamplingStrategies {
    return new SamplingStrategies(new Map(), SAMPLE_ALL);
  }

  /** Parses the file's text; throws SamplingStrategiesError naming the bad field. */
  static parse(text: string): SamplingStrategies {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new SamplingStrategiesError(`not valid JSON: ${(e as Error).message}`);
    }
    const root = asObject(json, 'the file');
    const fallback =
      root.default_strategy == null ? SAMPLE_ALL : entry(root.default_strategy, 'default_strategy');
    const byService = new Map<string, StrategyEntry>();
    const services = root.service_strategies ?? [];
    if (!Array.isArray(services)) throw new SamplingStrategiesError('service_strategies should be an array');
    services.forEach((s, i) => {
      const path = `service_strategies[${i}]`;
      const service = asObject(s, path).service;
      if (typeof service !== 'string' || service === '')
        throw new SamplingStrategiesError(`${path}.service should be a service name`);
      byService.set(service, entry(s, path));
    });
    return new SamplingStrategies(byService, fallback);
  }

  forService(service: string): SamplingStrategyResponse {
    const own = this.byService.get(service);
    const e = own ?? this.fallback;
    if (e.type === 'ratelimiting')
      return { strategyType: 'RATE_LIMITING', rateLimitingSampling: { maxTracesPerSecond: e.param } };
    const operations = own && own.operations.length > 0 ? own.operations : this.fallback.operations;
    const out: SamplingStrategyResponse = {
      strategyType: 'PROBABILISTIC',
      probabilisticSampling: { samplingRate: e.param },
    };
    if (operations.length > 0) {
      out.operationSampling = {
        defaultSamplingProbability: e.param,
        defaultLowerBoundTracesPerSecond: 0,
        perOperationStrategies: operations.map((o) => ({
          operation: o.operation,
          probabilisticSampling: { samplingRate: o.samplingRate },
        })),
      };
    }
    return out;
  }
}

function entry(v: unknown, path: string): StrategyEntry {
  const o = asObject(v, path);
  const type = o.type;
  if (type !== 'probabilistic' && type !== 'ratelimiting') {
    throw new SamplingStrategiesError(
      `${path}.type should be "probabilistic" or "ratelimiting" but was ${JSON.stringify(type)}`,
    );
  }
  const param = rate(o.param, `${path}.param`, type === 'probabilistic' ? 1 : Number.MAX_SAFE_INTEGER);
  const ops = o.operation_strategies ?? [];
  if (!Array.isArray(ops))
    throw new SamplingStrategiesError(`${path}.operation_strategies should be an array`);
  const operations = ops.map((op, i) => {
    const p = `${path}.operation_strategies[${i}]`;
    const oo = asObject(op, p);
    if (typeof oo.operation !== 'string')
      throw new SamplingStrategiesError(`${p}.operation should be an operation name`);
    if (oo.type !== undefined && oo.type !== 'probabilistic') {
      throw new SamplingStrategiesError(
        `${p}.type: only "probabilistic" operation strategies are supported (as in jaeger)`,
      );
    }
    return { operation: oo.operation, samplingRate: rate(oo.param, `${p}.param`, 1) };
  });
  return { type, param, operations };
}

function rate(v: unknown, path: string, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max) {
    throw new SamplingStrategiesError(
      `${path} should be a number from 0 to ${max === 1 ? '1' : 'any positive number'} but was ${JSON.stringify(v)}`,
    );
  }
  return v;
}

function asObject(v: unknown, path: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new SamplingStrategiesError(`${path} should be a JSON object`);
  return v as Record<string, unknown>;
}
