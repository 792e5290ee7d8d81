/**
 * Ceiling L2: JSON.parse alone of the same JSON v2 bodies the load generator sends, on one thread (this
 * process's main thread, nothing else running in it): bytes -> string -> JSON.parse, the least a JSON
 * collector written in JavaScript must do per body. Runs in slices the orchestrator interleaves with the
 * HTTP measurements, and reports wall and CPU seconds of each.
 */
import { buildTemplates, patchedBody } from './ingest-bodies.js';
import type { FromParse, ToParse } from './protocol.js';

const send = (m: FromParse) => process.send!(m);
let prepared: Buffer[] = [];
let next = 0;
let sink = 0;

process.on('message', (m: ToParse) => {
  if (m.type === 'stop') process.exit(0);
  if (m.type === 'setup') {
    const templates = buildTemplates('json', m.templates, 100, m.seed);
    prepared = Array.from({ length: m.bodies }, (_, i) =>
      patchedBody(templates[i % templates.length]!, Math.floor(i / templates.length)),
    );
    send({ type: 'ready' });
    return;
  }
  const bodies = Math.ceil(m.spans / 100);
  let spans = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < bodies; k++) {
    const list = JSON.parse(prepared[next++ % prepared.length]!.toString('utf8')) as unknown[];
    spans += list.length;
    sink ^= list.length;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  send({ type: 'slice-done', spans, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 });
});
process.on('exit', () => void sink);
