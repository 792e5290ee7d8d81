/**
 * Micro-benchmark of readBody (src/collector/http/read-body.ts) on gzip bodies of 100 generated spans:
 * CPU per body, the current file against the one at a git revision (compared in the same process,
 * alternating, because the machine is noisy).
 * Usage: tsx bench/micro-read-body.ts [rev]    e.g. tsx bench/micro-read-body.ts 57cf1b8
 */
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { readBody } from '../src/collector/http/read-body.js';
import { buildTemplates, patchedBody } from './ingest-bodies.js';

type ReadBody = typeof readBody;
const rev = process.argv[2];
const impls: Array<[string, ReadBody]> = [['current', readBody]];
if (rev) {
  // Beside the original, so that its relative imports resolve.
  const file = fileURLToPath(new URL(`../src/collector/http/.read-body-${rev}.ts`, import.meta.url));
  writeFileSync(file, execFileSync('git', ['show', `${rev}:src/collector/http/read-body.ts`]));
  try {
    impls.push([rev, ((await import(pathToFileURL(file).href)) as { readBody: ReadBody }).readBody]);
  } finally {
    rmSync(file);
  }
}
const templates = buildTemplates('json', 20, 100, 1);
const bodies = Array.from({ length: 3000 }, (_, i) => gzipSync(patchedBody(templates[i % 20]!, i)));
for (let round = 0; round < 3; round++) {
  for (const [name, f] of impls) {
    const c0 = process.cpuUsage();
    for (const b of bodies) await f(Readable.from([b]), 'gzip', 64 << 20);
    const c = process.cpuUsage(c0);
    process.stdout.write(
      `${name}: ${((c.user + c.system) / 1000 / bodies.length).toFixed(3)} CPU ms per 100-span gzip body\n`,
    );
  }
}
