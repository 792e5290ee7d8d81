import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureUiBuilt } from './ui-harness.js';
import { UI_DIST } from '../../src/query/ui-static.js';

/**
 * The UI's size budget: the views of issue 14 (statistics, graph, flame graph, Services charts,
 * compare) are hand-written SVG and lists, so the bundle stays small without a chart library.
 */
const JS_GZIP_BUDGET = 110 * 1024;
const JS_RAW_BUDGET = 400 * 1024;

describe('UI bundle budget', () => {
  beforeAll(ensureUiBuilt, 300_000);

  it(`ships at most ${JS_RAW_BUDGET / 1024} KiB of JavaScript (${JS_GZIP_BUDGET / 1024} KiB gzipped)`, () => {
    const dir = join(UI_DIST, 'assets');
    const js = readdirSync(dir).filter((f) => f.endsWith('.js'));
    expect(js.length).toBeGreaterThan(0);
    const raw = js.reduce((a, f) => a + readFileSync(join(dir, f)).length, 0);
    const gz = js.reduce((a, f) => a + gzipSync(readFileSync(join(dir, f))).length, 0);
    expect(raw).toBeLessThan(JS_RAW_BUDGET);
    expect(gz).toBeLessThan(JS_GZIP_BUDGET);
  });
});
