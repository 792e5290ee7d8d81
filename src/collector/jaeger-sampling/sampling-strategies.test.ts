import { describe, expect, it } from 'vitest';
import { SamplingStrategies, SamplingStrategiesError } from './sampling-strategies.js';

describe('SamplingStrategies', () => {
  it('samples everything by default', () => {
    expect(SamplingStrategies.sampleAll().forService('any')).toEqual({
      strategyType: 'PROBABILISTIC',
      probabilisticSampling: { samplingRate: 1 },
    });
  });

  it('gives a service without operation strategies the default strategy’s operation strategies', () => {
    const s = SamplingStrategies.parse(
      JSON.stringify({
        service_strategies: [{ service: 'a', type: 'probabilistic', param: 0.3 }],
        default_strategy: {
          type: 'probabilistic',
          param: 0.1,
          operation_strategies: [{ operation: '/health', type: 'probabilistic', param: 0 }],
        },
      }),
    );
    expect(s.forService('a')).toEqual({
      strategyType: 'PROBABILISTIC',
      probabilisticSampling: { samplingRate: 0.3 },
      operationSampling: {
        defaultSamplingProbability: 0.3,
        defaultLowerBoundTracesPerSecond: 0,
        perOperationStrategies: [{ operation: '/health', probabilisticSampling: { samplingRate: 0 } }],
      },
    });
  });

  it.each([
    ['not json', /not valid JSON/],
    ['[]', /the file should be a JSON object/],
    [
      '{"default_strategy":{"type":"probabilistic","param":2}}',
      /default_strategy.param should be a number from 0 to 1/,
    ],
    [
      '{"service_strategies":[{"type":"probabilistic","param":1}]}',
      /service_strategies\[0\].service should be a service name/,
    ],
    [
      '{"service_strategies":[{"service":"a","type":"adaptive","param":1}]}',
      /service_strategies\[0\].type should be "probabilistic" or "ratelimiting"/,
    ],
    [
      '{"service_strategies":[{"service":"a","type":"probabilistic","param":1,"operation_strategies":[{"operation":"x","type":"ratelimiting","param":1}]}]}',
      /only "probabilistic" operation strategies/,
    ],
  ])('names the bad field in %s', (text, message) => {
    expect(() => SamplingStrategies.parse(text)).toThrow(SamplingStrategiesError);
    expect(() => SamplingStrategies.parse(text)).toThrow(message);
  });
});
