import { memo, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { formatDuration } from '../../format';
import type { CriticalPath } from '../../model/critical-path';
import { serviceColor } from '../../model/service-color';
import type { TraceModel, TraceRow, TraceTiming } from '../../model/trace-model';
import { tickCountFor, timeTicks } from './time-axis';
import { useElementSize } from '../../use-element-size';

export const ROW_HEIGHT = 30;
const OVERSCAN = 12;
const MAX_INDENT_LEVELS = 24;

export interface TimelineProps {
  model: TraceModel;
  timing: TraceTiming;
  corrected: boolean;
  visible: number[];
  collapsed: ReadonlySet<number>;
  selected: number | undefined;
  matches: ReadonlySet<number>;
  findActive: boolean;
  critical: CriticalPath | undefined;
  /** The zoomed window, as μs offsets from the trace start. */
  view: [number, number];
  nameWidth: number;
  onToggle: (row: number) => void;
  onSelect: (row: number | undefined) => void;
  onKey: (e: KeyboardEvent<HTMLDivElement>) => void;
  onResizeNames: (width: number) => void;
}

/**
 * The span tree and its bars. Only the rows in (and just around) the viewport are in the DOM, so a
 * 10,000-span trace scrolls and expands as fast as a 10-span one.
 */
export function Timeline(p: TimelineProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const rulerRef = useRef<HTMLDivElement>(null);
  const { width: rulerWidth } = useElementSize(rulerRef);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    setHeight(el.clientHeight);
    return () => ro.disconnect();
  }, []);

  // Keep the selected row in view when it changes by keyboard or find.
  useEffect(() => {
    const el = scroller.current;
    if (!el || p.selected === undefined) return;
    const pos = p.visible.indexOf(p.selected);
    if (pos < 0) return;
    const top = pos * ROW_HEIGHT;
    const view = el.clientHeight;
    // A step just past the edge scrolls by a row (keyboard); a jump far away (find) centres the row.
    if (top < el.scrollTop - ROW_HEIGHT || top > el.scrollTop + view) el.scrollTop = top - view / 2 + ROW_HEIGHT / 2;
    else if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + view) el.scrollTop = top + ROW_HEIGHT - view;
  }, [p.selected, p.visible]);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(p.visible.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const [v0, v1] = p.view;
  const range = Math.max(1, v1 - v0);
  // timeTicks returns at most count + 1 labels (it includes 0).
  const ticks = p.timing.known ? timeTicks(range, tickCountFor(rulerWidth, 64, 7) - 1) : [];
  const origin = p.timing.traceStart;

  const items = [];
  for (let pos = first; pos < last; pos++) {
    const i = p.visible[pos]!;
    items.push(
      <SpanRowView
        key={i}
        row={p.model.rows[i]!}
        pos={pos}
        corrected={p.corrected}
        timed={p.timing.timed[i] === 1}
        start={p.timing.start[i]! - origin}
        end={p.timing.end[i]! - origin}
        origin={origin}
        v0={v0}
        range={range}
        collapsed={p.collapsed.has(i)}
        selected={p.selected === i}
        match={p.matches.has(i)}
        dim={p.findActive && !p.matches.has(i)}
        critical={p.critical?.get(i)}
        nameWidth={p.nameWidth}
        onToggle={p.onToggle}
        onSelect={p.onSelect}
      />,
    );
  }

  return (
    <div className={p.critical ? 'timeline critical-on' : 'timeline'}>
      <div className="timeline-ruler" style={{ gridTemplateColumns: `${p.nameWidth}px 1fr` }}>
        <div className="ruler-name">
          Service · span
          <span
            className="col-resizer"
            role="separator"
            aria-orientation="vertical"
            aria-label="Resize the span name column"
            title="Drag to resize"
            onPointerDown={(e) => {
              const startX = e.clientX;
              const startW = p.nameWidth;
              const target = e.currentTarget;
              target.setPointerCapture(e.pointerId);
              const move = (ev: PointerEvent): void => p.onResizeNames(Math.max(180, Math.min(900, startW + ev.clientX - startX)));
              const up = (): void => {
                target.removeEventListener('pointermove', move);
                target.removeEventListener('pointerup', up);
              };
              target.addEventListener('pointermove', move);
              target.addEventListener('pointerup', up);
            }}
          />
        </div>
        <div className="ruler-ticks" ref={rulerRef}>
          {!p.timing.known ? <span className="ruler-none">no timestamps</span> : null}
          {ticks.map((t) => (
            <span key={t} className="ruler-tick" style={{ left: `${(t / range) * 100}%` }}>
              {formatDuration(v0 + t)}
            </span>
          ))}
        </div>
      </div>
      <div
        ref={scroller}
        className="timeline-scroll"
        tabIndex={0}
        role="tree"
        aria-label="Spans"
        aria-activedescendant={p.selected !== undefined ? `span-row-${p.selected}` : undefined}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        onKeyDown={p.onKey}
        data-testid="timeline"
      >
        <div className="timeline-inner" style={{ height: p.visible.length * ROW_HEIGHT }}>
          <div className="timeline-gridlines" style={{ left: p.nameWidth }}>
            {ticks.map((t) => (
              <span key={t} style={{ left: `${(t / range) * 100}%` }} />
            ))}
          </div>
          {items}
        </div>
      </div>
    </div>
  );
}

interface RowProps {
  row: TraceRow;
  pos: number;
  corrected: boolean;
  timed: boolean;
  start: number;
  end: number;
  origin: number;
  v0: number;
  range: number;
  collapsed: boolean;
  selected: boolean;
  match: boolean;
  dim: boolean;
  critical: Array<[number, number]> | undefined;
  nameWidth: number;
  onToggle: (row: number) => void;
  onSelect: (row: number | undefined) => void;
}

const SpanRowView = memo(function SpanRowView(p: RowProps) {
  const { row } = p;
  const span = p.corrected ? row.corrected : row.span;
  const color = serviceColor(row.serviceName);
  const pct = (t: number): number => ((t - p.v0) / p.range) * 100;
  const left = pct(p.start);
  const width = Math.max(((p.end - p.start) / p.range) * 100, 0.15);
  // The label goes after the bar (the cell keeps a 64px margin for it); a bar running past the view
  // gets it before, or inside when there is no room before either (it must not spill into the names).
  const labelAt: 'after' | 'before' | 'inside' = left + width <= 100 ? 'after' : left > 15 ? 'before' : 'inside';
  // A narrow name column (phones) indents less and deeper levels stop indenting, so names keep room.
  const narrow = p.nameWidth < 260;
  const indent = Math.min(row.depth, narrow ? 8 : MAX_INDENT_LEVELS) * (narrow ? 7 : 14);
  const hasChildren = row.children.length > 0;
  const cls = ['span-row'];
  if (p.selected) cls.push('selected');
  if (p.match) cls.push('match');
  if (p.dim) cls.push('dim');
  if (row.error) cls.push('error');
  if (p.critical) cls.push('on-critical');

  return (
    <div
      id={`span-row-${row.index}`}
      className={cls.join(' ')}
      style={{ transform: `translateY(${p.pos * ROW_HEIGHT}px)`, gridTemplateColumns: `${p.nameWidth}px 1fr` }}
      role="treeitem"
      aria-level={row.depth + 1}
      aria-expanded={hasChildren ? !p.collapsed : undefined}
      aria-selected={p.selected}
      data-testid="span-row"
      data-row={row.index}
      onClick={() => p.onSelect(p.selected ? undefined : row.index)}
    >
      <div className="span-name-cell" style={{ paddingLeft: 8 + indent }}>
        {row.depth > (narrow ? 8 : MAX_INDENT_LEVELS) ? <span className="depth-mark">{row.depth}</span> : null}
        {hasChildren ? (
          <button
            type="button"
            className="toggle"
            aria-label={p.collapsed ? 'Expand' : 'Collapse'}
            data-testid="toggle"
            tabIndex={-1}
            onClick={(e) => {
              e.stopPropagation();
              p.onToggle(row.index);
            }}
          >
            <svg width="10" height="10" viewBox="0 0 10 10" className={p.collapsed ? 'chev' : 'chev open'} aria-hidden="true">
              <path d="M3 1.5 L7 5 L3 8.5" fill="none" stroke="currentColor" strokeWidth="1.6" />
            </svg>
          </button>
        ) : (
          <span className="toggle-spacer" />
        )}
        <span className="svc-tag" style={{ borderColor: color, color }}>
          {row.serviceName}
        </span>
        <span className="span-name" title={span.name ?? ''}>
          {span.name ?? <em className="muted">unnamed</em>}
        </span>
        {p.collapsed ? <span className="hidden-count">+{row.descendants}</span> : null}
        {row.error ? <span className="err-dot" title="error" aria-label="error" /> : null}
        {span.links && span.links.length > 0 ? (
          <span className="link-mark" title={`${span.links.length} span ${span.links.length === 1 ? 'link' : 'links'} (see details)`} data-testid="link-mark">
            ↪{span.links.length}
          </span>
        ) : null}
        {p.corrected && row.skew !== 0 ? (
          <span className="skew-mark" title={`Clock skew corrected: shifted by ${formatDuration(-row.skew)}`} data-testid="skew-mark">
            ⇆
          </span>
        ) : null}
      </div>
      <div className="span-bar-cell">
        {!p.timed ? (
          <span className="bar-label untimed" style={{ left: '0.6%' }}>
            no timestamp{span.duration !== undefined ? ` · ${formatDuration(span.duration)}` : ''}
          </span>
        ) : (
          <>
            <div
              className={row.error ? 'span-bar error' : 'span-bar'}
              style={{ left: `${left}%`, width: `${width}%`, background: row.error ? undefined : color }}
            />
            {p.critical?.map(([a, b]) => (
              <div
                key={a}
                className="crit-seg"
                data-testid="critical-segment"
                style={{
                  left: `${pct(a - p.origin)}%`,
                  width: `${Math.max(((b - a) / p.range) * 100, 0.4)}%`,
                  background: row.error ? undefined : color,
                }}
              />
            ))}
            {span.annotations?.map((a, k) => (
              <span key={k} className="ann-mark" style={{ left: `${pct(a.timestamp - p.origin)}%` }} title={a.value} />
            ))}
            <span
              className={labelAt === 'inside' ? 'bar-label inside' : 'bar-label'}
              style={
                labelAt === 'after' ? { left: `${left + width + 0.6}%` } : labelAt === 'before' ? { right: `${100 - left + 0.6}%` } : { right: '0.6%' }
              }
            >
              {formatDuration(span.duration ?? 0)}
            </span>
          </>
        )}
      </div>
    </div>
  );
});
