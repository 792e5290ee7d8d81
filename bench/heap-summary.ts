/**
 * Summarizes a V8 .heapsnapshot (from `npm run bench -- --heap-snapshot`): self bytes and counts by node
 * type and constructor/name, largest first, so the bytes per stored span can be attributed.
 * Usage: tsx bench/heap-summary.ts <file.heapsnapshot> [top=30] [divide-by=spans]
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

const [file, topArg, perArg] = process.argv.slice(2);
if (!file) throw new Error('usage: tsx bench/heap-summary.ts <file.heapsnapshot> [top] [divide-by]');
const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
const fields = snap.snapshot.meta.node_fields;
const types = snap.snapshot.meta.node_types[0];
const width = fields.length;
const fType = fields.indexOf('type');
const fName = fields.indexOf('name');
const fSize = fields.indexOf('self_size');
const per = Number(perArg ?? 0);
const groups = new Map<string, { bytes: number; count: number }>();
let total = 0;
for (let i = 0; i < snap.nodes.length; i += width) {
  const type = types[snap.nodes[i + fType]!]!;
  const size = snap.nodes[i + fSize]!;
  let name = snap.strings[snap.nodes[i + fName]!]!;
  // Strings are grouped by type only; objects by constructor; arrays and hidden by their internal name.
  if (type === 'string' || type === 'concatenated string' || type === 'sliced string' || type === 'number')
    name = '';
  else if (name.length > 60) name = `${name.slice(0, 60)}...`;
  const key = `${type} ${name}`;
  const g = groups.get(key) ?? { bytes: 0, count: 0 };
  g.bytes += size;
  g.count++;
  groups.set(key, g);
  total += size;
}
const top = Number(topArg ?? 30);
process.stdout.write(
  `total ${(total / 2 ** 20).toFixed(1)} MiB${per ? `, ${(total / per).toFixed(0)} bytes per ${per}` : ''}\n`,
);
for (const [key, g] of [...groups].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, top)) {
  const share = per
    ? `${(g.bytes / per).toFixed(1).padStart(7)} B/unit ${(g.count / per).toFixed(2).padStart(6)}/unit`
    : '';
  process.stdout.write(
    `${(g.bytes / 2 ** 20).toFixed(1).padStart(8)} MiB ${String(g.count).padStart(9)}  ${share}  ${key}\n`,
  );
}
