import { useRef } from 'react';
import { formatTime } from '../../format';
import type { Series } from '../../api/red-metrics';
import { useElementSize } from '../../use-element-size';

const H = 150;
const PAD = { l: 56, r: 10, t: 10, b: 22 };

/** A small SVG line chart over [from, to] (epoch ms); hand-written: three axes and polylines. */
export function LineChart({
  title,
  lines,
  from,
  to,
  format,
  testId,
}: {
  title: string;
  lines: Array<{ label: string; color: string; points: Series }>;
  from: number;
  to: number;
  format: (v: number) => string;
  testId: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const { width: outer } = useElementSize(ref);
  // The card's padding (12px a side) is inside the measured width.
  const width = Math.max(0, outer - 24);
  const peak = Math.max(0, ...lines.flatMap((l) => l.points.map(([, v]) => v)));
  const max = peak > 0 ? peak : 1;
  const w = Math.max(10, width - PAD.l - PAD.r);
  const h = H - PAD.t - PAD.b;
  const x = (t: number): number => PAD.l + ((t - from) / Math.max(1, to - from)) * w;
  const y = (v: number): number => PAD.t + h - (v / max) * h;
  const empty = lines.every((l) => l.points.length === 0);
  return (
    <div className="card chart" ref={ref} data-testid={testId}>
      <div className="chart-head">
        <h3>{title}</h3>
        <span className="chart-legend">
          {lines.map((l) => (
            <span key={l.label}>
              <i style={{ background: l.color }} />
              {l.label}
            </span>
          ))}
        </span>
      </div>
      {width > 0 ? (
        <svg width={width} height={H} role="img" aria-label={title}>
          {[0, 0.5, 1].map((f) => (
            <g key={f}>
              <line className="grid-line" x1={PAD.l} x2={PAD.l + w} y1={y(max * f)} y2={y(max * f)} />
              <text className="axis-label" x={PAD.l - 6} y={y(max * f) + 4} textAnchor="end">
                {empty || (peak === 0 && f > 0) ? '' : format(peak === 0 ? 0 : max * f)}
              </text>
            </g>
          ))}
          {[from, (from + to) / 2, to].map((t, i) => (
            <text key={i} className="axis-label" x={x(t)} y={H - 6} textAnchor={i === 0 ? 'start' : i === 2 ? 'end' : 'middle'}>
              {formatTime(t * 1000)}
            </text>
          ))}
          {lines.map((l) => (
            <g key={l.label} data-testid="chart-line" data-label={l.label}>
              <polyline fill="none" stroke={l.color} strokeWidth={1.8} points={l.points.map(([t, v]) => `${x(t)},${y(v)}`).join(' ')} />
              {l.points.map(([t, v]) => (
                <circle key={t} cx={x(t)} cy={y(v)} r={2.4} fill={l.color} data-t={t} data-value={v}>
                  <title>{`${l.label} ${format(v)} at ${formatTime(t * 1000)}`}</title>
                </circle>
              ))}
            </g>
          ))}
          {empty ? (
            <text className="axis-label" x={PAD.l + w / 2} y={PAD.t + h / 2} textAnchor="middle">
              no spans in this range
            </text>
          ) : null}
        </svg>
      ) : null}
    </div>
  );
}
