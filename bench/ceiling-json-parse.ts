/**
 * Ceiling L2: JSON.parse alone of the same JSON v2 bodies the load generator sends, on one thread (this
 * process's main thread, nothing else running). Bytes -> string -> JSON.parse, the least a JSON collector
 * written in JavaScript must do. Prints one JSON line: spans, wall seconds and CPU seconds.
 */
import { buildTemplates, patchedBody } from './ingest-bodies.js';

const [templatesArg, spansArg, seedArg] = process.argv.slice(2);
const templates = buildTemplates('json', Number(templatesArg), 100, Number(seedArg));
const bodies = Math.ceil(Number(spansArg) / 100);
const prepared = Array.from({ length: bodies }, (_, i) => patchedBody(templates[i % templates.length]!, Math.floor(i / templates.length)));

let sink = 0;
const run = (from: number, to: number) => {
  for (let i = from; i < to; i++) sink += (JSON.parse(prepared[i]!.toString('utf8')) as unknown[]).length;
};
// Warm up (JIT) on the first tenth, then measure all of it.
run(0, Math.ceil(bodies / 10));
sink = 0;
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
run(0, bodies);
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(cpu0);
process.stdout.write(`${JSON.stringify({ spans: sink, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`);
