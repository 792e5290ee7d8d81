import { useMemo, useRef, useState } from 'react';
import { formatDuration } from '../../format';
import { serviceColor } from '../../model/service-color';
import { computeStats, sortStats, type StatsColumn } from '../../model/trace-stats';
import type { TraceModel, TraceTiming } from '../../model/trace-model';
import { useVirtualWindow } from '../../use-virtual-window';

const ROW = 30;
const COLUMNS: ReadonlyArray<{ key: StatsColumn; label: string; num: boolean; title: string }> = [
  { key: 'service', label: 'Service', num: false, title: 'Local service' },
  { key: 'name', label: 'Operation', num: false, title: 'Span name' },
  { key: 'count', label: 'Count', num: true, title: 'Number of spans' },
  { key: 'total', label: 'Total', num: true, title: 'Sum of the span durations' },
  { key: 'avg', label: 'Avg', num: true, title: 'Mean span duration' },
  { key: 'max', label: 'Max', num: true, title: 'Longest span' },
  { key: 'self', label: 'Self time', num: true, title: 'Time not covered by any child span, summed' },
  { key: 'errors', label: 'Errors', num: true, title: 'Spans with an error tag or annotation' },
];

/** Count, total, self time and errors per service and operation; click a heading to sort by it. */
export function StatsView({ model, timing, onFind }: { model: TraceModel; timing: TraceTiming; onFind: (q: string) => void }) {
  const stats = useMemo(() => computeStats(model, timing), [model, timing]);
  const [sort, setSort] = useState<{ col: StatsColumn; desc: boolean }>({ col: 'self', desc: true });
  const rows = useMemo(() => sortStats(stats, sort.col, sort.desc), [stats, sort]);
  const scroller = useRef<HTMLDivElement>(null);
  const [first, last] = useVirtualWindow(scroller, rows.length, ROW);
  const template = 'minmax(110px, 1.2fr) minmax(140px, 2fr) repeat(6, minmax(64px, 0.7fr))';
  return (
    <div className="view-card stats-view" data-testid="stats-view">
      {/* The heading scrolls sideways with the rows (narrow screens) and stays on top when scrolling down. */}
      <div className="stats-scroll" ref={scroller} role="table" aria-label="Span statistics" aria-rowcount={rows.length}>
        <div className="stats-head" role="row" style={{ gridTemplateColumns: template }}>
          {COLUMNS.map((c) => (
            <button
              key={c.key}
              type="button"
              role="columnheader"
              className={c.num ? 'stats-th num' : 'stats-th'}
              title={`${c.title}; click to sort`}
              aria-sort={sort.col === c.key ? (sort.desc ? 'descending' : 'ascending') : 'none'}
              data-testid={`stats-sort-${c.key}`}
              onClick={() => setSort((s) => ({ col: c.key, desc: s.col === c.key ? !s.desc : c.num }))}
            >
              {c.label}
              {sort.col === c.key ? (sort.desc ? ' ▼' : ' ▲') : ''}
            </button>
          ))}
        </div>
        <div style={{ height: rows.length * ROW, position: 'relative' }}>
          {rows.slice(first, last).map((r, k) => (
            <div
              key={`${r.service}\u0000${r.name}`}
              role="row"
              className={r.errors > 0 ? 'stats-row error' : 'stats-row'}
              style={{ transform: `translateY(${(first + k) * ROW}px)`, gridTemplateColumns: template }}
              data-testid="stats-row"
              title="Find these spans in the timeline"
              onClick={() => onFind(r.name)}
            >
              <span className="stats-td">
                <span className="svc-dot" style={{ background: serviceColor(r.service) }} />
                {r.service}
              </span>
              <span className="stats-td">{r.name}</span>
              <span className="stats-td num">{r.count}</span>
              <span className="stats-td num">{formatDuration(r.total)}</span>
              <span className="stats-td num">{formatDuration(r.total / r.count)}</span>
              <span className="stats-td num">{formatDuration(r.max)}</span>
              <span className="stats-td num">{formatDuration(r.self)}</span>
              <span className="stats-td num">{r.errors}</span>
            </div>
          ))}
        </div>
      </div>
      <p className="view-foot muted">
        {rows.length} {rows.length === 1 ? 'operation' : 'operations'} · self time is the part of a span no child span covers
      </p>
    </div>
  );
}
