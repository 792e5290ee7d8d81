/**
 * Summarizes a V8 .cpuprofile (from `npm run bench -- --profile`): the functions with the most self time,
 * and total time under each function (inclusive), so the largest costs are visible without a GUI.
 * Usage: tsx bench/profile-summary.ts <file.cpuprofile> [top=25] [filter] [since]
 * `since` names a function: samples before the first one with it on the stack (start-up) are skipped.
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
  hitCount?: number;
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [file, topArg, filterArg, since] = process.argv.slice(2);
const filter = filterArg === '-' ? undefined : filterArg;
if (!file) throw new Error('usage: tsx bench/profile-summary.ts <file.cpuprofile> [top] [filter]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const top = Number(topArg ?? 25);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const onStack = (id: number, name: string) => {
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    if (byId.get(cur)!.callFrame.functionName === name) return true;
  }
  return false;
};
let first = 0;
if (since) while (first < profile.samples.length && !onStack(profile.samples[first]!, since)) first++;
const selfUs = new Map<number, number>();
for (let i = first; i < profile.samples.length; i++) {
  const id = profile.samples[i]!;
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const label = (n: Node) => {
  const url = n.callFrame.url.replace(/^.*\/(node_modules\/|src\/|bench\/)/, '$1');
  return `${n.callFrame.functionName || '(anonymous)'} ${url}:${n.callFrame.lineNumber + 1}`;
};
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id)!;
  self.set(label(n), (self.get(label(n)) ?? 0) + us);
  // Each label counted once per sample stack, however deep the recursion.
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur)!);
    if (seen.has(l)) continue;
    seen.add(l);
    inclusive.set(l, (inclusive.get(l) ?? 0) + us);
  }
}
const show = (title: string, m: Map<string, number>) => {
  process.stdout.write(`\n${title} (of ${(total / 1e3).toFixed(0)} ms sampled)\n`);
  [...m]
    .filter(([l]) => !filter || l.includes(filter))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .forEach(([l, us]) =>
      process.stdout.write(
        `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1e3).toFixed(0).padStart(6)} ms  ${l}\n`,
      ),
    );
};
show('self time', self);
show('inclusive time', inclusive);
