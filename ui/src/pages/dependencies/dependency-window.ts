import { LOOKBACK_PRESETS } from '../search/search-criteria';

/**
 * The window a dependency URL asks for: ours (endTs, lookback as a preset or ms) or Lens's
 * (startTime, endTime in epoch ms). Unusable values fall back to "the last day, ending now".
 */
export function dependencyWindow(search: string): { endTs: number | undefined; lookback: string } {
  const p = new URLSearchParams(search);
  const pos = (k: string): number | undefined => {
    const v = Number(p.get(k));
    return p.get(k) !== null && Number.isFinite(v) && v > 0 ? Math.trunc(v) : undefined;
  };
  const endTime = pos('endTime');
  const startTime = pos('startTime');
  if (endTime !== undefined || startTime !== undefined) {
    const end = endTime ?? Date.now();
    if (startTime !== undefined && startTime < end) {
      const ms = end - startTime;
      // Links built from two clock reads can be a few ms off a preset; within a second is that preset.
      const preset = LOOKBACK_PRESETS.find((x) => Math.abs(x.ms - ms) <= 1000);
      return { endTs: endTime, lookback: preset?.value ?? String(ms) };
    }
    return { endTs: endTime, lookback: p.get('lookback') ?? '1d' };
  }
  return { endTs: pos('endTs'), lookback: p.get('lookback') ?? '1d' };
}
