import { readFileSync } from 'node:fs';
import jaeger from 'jaeger-client';
import { describe, expect, it } from 'vitest';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/**
 * The README's jaeger-client setup must start the Node client as written: its remote sampler needs
 * JAEGER_SAMPLER_PARAM (the rate used until the first strategy arrives), else initTracerFromEnv throws
 * "Expecting sampler.param to be a number".
 */
describe("README's jaeger-client remote sampling setup", () => {
  it('starts the Node client from the exported variables', () => {
    const env = Object.fromEntries(
      [...readme.matchAll(/^export (JAEGER_[A-Z_]+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!] as const),
    );
    expect(env.JAEGER_SAMPLER_TYPE).toBe('remote');
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const tracer = jaeger.initTracerFromEnv({}, { logger: { info: () => {}, error: () => {} } });
      tracer.close();
    } finally {
      for (const k of Object.keys(env)) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });
});
