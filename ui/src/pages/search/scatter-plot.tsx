import { useMemo, useRef, useState } from 'react';
import { formatDuration, formatTime, formatTimestamp } from '../../format';
import type { TraceSummary } from '../../model/trace-summary';
import { navigate, traceHref } from '../../router';
import { useElementSize } from '../../use-element-size';
import { tickCountFor } from '../trace/time-axis';

const H = 190;
const PAD = { l: 64, r: 16, t: 12, b: 28 };

/** Duration against start time, one dot per trace (size = span count, red = has errors). */
export function ScatterPlot({ traces: all }: { traces: TraceSummary[] }) {
  // A trace with no timestamps has no place on a time axis.
  const traces = useMemo(() => all.filter((t): t is TraceSummary & { timestamp: number } => t.timestamp !== undefined), [all]);
  const ref = useRef<HTMLDivElement>(null);
  const { width } = useElementSize(ref);
  const [hover, setHover] = useState<TraceSummary | undefined>();

  const geo = useMemo(() => {
    if (traces.length === 0 || width === 0) return undefined;
    let t0 = Infinity, t1 = -Infinity, dMax = 0, dMin = Infinity, nMax = 1;
    for (const t of traces) {
      t0 = Math.min(t0, t.timestamp);
      t1 = Math.max(t1, t.timestamp);
      dMax = Math.max(dMax, t.duration);
      dMin = Math.min(dMin, Math.max(1, t.duration));
      nMax = Math.max(nMax, t.spanCount);
    }
    if (t1 === t0) {
      t0 -= 30e6;
      t1 += 30e6;
    }
    const span = t1 - t0;
    t0 -= span * 0.03;
    t1 += span * 0.03;
    const w = width - PAD.l - PAD.r;
    const h = H - PAD.t - PAD.b;
    const x = (ts: number): number => PAD.l + ((ts - t0) / (t1 - t0)) * w;
    // One slow outlier would flatten every other dot onto the axis: use a log scale for wide ranges.
    const log = dMax / dMin > 30;
    let y: (d: number) => number;
    let yTicks: number[];
    if (log) {
      const lo = Math.floor(Math.log10(dMin));
      const hi = Math.ceil(Math.log10(dMax));
      y = (d) => PAD.t + h - ((Math.log10(Math.max(1, d)) - lo) / (hi - lo)) * h;
      yTicks = Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i));
    } else {
      const top = niceCeil(dMax * 1.08 || 1);
      y = (d) => PAD.t + h - (d / top) * h;
      yTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * top);
    }
    const r = (n: number): number => 3.5 + 6 * Math.sqrt(n / nMax);
    // A clock label is about 90px wide: fewer of them on a narrow screen so they never overlap.
    const nx = tickCountFor(w, 100, 5);
    const xTicks = Array.from({ length: nx }, (_, i) => t0 + ((t1 - t0) * (i + 0.5)) / nx);
    return { x, y, r, xTicks, yTicks, w, h };
  }, [traces, width]);

  return (
    <div className="card scatter" ref={ref} data-testid="scatter-plot">
      {geo ? (
        <svg width={width} height={H} role="img" aria-label="Trace durations over time">
          {geo.yTicks.map((d) => (
            <g key={d}>
              <line className="grid-line" x1={PAD.l} x2={PAD.l + geo.w} y1={geo.y(d)} y2={geo.y(d)} />
              <text className="axis-label" x={PAD.l - 8} y={geo.y(d) + 4} textAnchor="end">
                {formatDuration(d)}
              </text>
            </g>
          ))}
          {geo.xTicks.map((t) => (
            <text key={t} className="axis-label" x={geo.x(t)} y={H - 8} textAnchor="middle">
              {formatTime(t)}
            </text>
          ))}
          {traces.map((t) => (
            <circle
              key={t.traceId}
              className={t.errorCount > 0 ? 'dot error' : 'dot'}
              cx={geo.x(t.timestamp)}
              cy={geo.y(t.duration)}
              r={geo.r(t.spanCount)}
              onMouseEnter={() => setHover(t)}
              onMouseLeave={() => setHover(undefined)}
              onClick={() => navigate(traceHref(t.traceId))}
            >
              <title>{`${t.rootService}: ${t.rootName} · ${formatDuration(t.duration)} · ${t.spanCount} spans`}</title>
            </circle>
          ))}
        </svg>
      ) : null}
      {hover ? (
        <div className="scatter-hover">
          <strong>{hover.rootService}</strong> {hover.rootName} · {formatDuration(hover.duration)} · {hover.spanCount} spans ·{' '}
          {formatTimestamp(hover.timestamp)}
        </div>
      ) : null}
    </div>
  );
}

function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
