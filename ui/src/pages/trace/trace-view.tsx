import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { templateUrl } from '../../api/ui-config';
import { useConfig } from '../../config-context';
import { formatDuration, formatTimestamp } from '../../format';
import { computeCriticalPath } from '../../model/critical-path';
import { serviceColor } from '../../model/service-color';
import type { Span } from '../../model/span-types';
import { buildTraceModel, computeTiming } from '../../model/trace-model';
import { findMatches, revealRow, visibleRows } from '../../model/visible-rows';
import { useElementSize } from '../../use-element-size';
import { MiniMap } from './mini-map';
import { SpanDetail } from './span-detail';
import { Timeline } from './timeline';
import { StatsView } from './stats-view';
import { GraphView } from './graph-view';
import { FlameView } from './flame-view';
import { readTraceUrl, TRACE_VIEWS, writeTraceUrl, type TraceViewName } from './trace-url';
import { rowOfSpanKey, spanKeyOf } from '../../model/span-key';
import { onLinkClick, paths, useLocationKey } from '../../router';

/** The trace page body, shared by /traces/{id} (from the server) and /traceViewer (from a file). */
export function TraceView({ spans, source }: { spans: Span[]; source: 'server' | 'file' }) {
  const config = useConfig();
  const model = useMemo(() => buildTraceModel(spans), [spans]);
  const [skewOn, setSkewOn] = useState(true);
  const corrected = skewOn && model.skewedCount > 0;
  const timing = useMemo(() => computeTiming(model, corrected), [model, corrected]);
  const total = Math.max(1, timing.traceEnd - timing.traceStart);
  const [criticalOn, setCriticalOn] = useState(false);
  const critical = useMemo(() => (criticalOn ? computeCriticalPath(model, timing) : undefined), [criticalOn, model, timing]);
  const [initialUrl] = useState(() => readTraceUrl(window.location.search));
  const [view, setViewName] = useState<TraceViewName>(initialUrl.view);
  const [selected, setSelected] = useState<number | undefined>(() =>
    initialUrl.span !== undefined ? rowOfSpanKey(model, initialUrl.span) : undefined,
  );
  const [collapsed, setCollapsed] = useState<Set<number>>(() => (selected !== undefined ? revealRow(model, new Set(), selected) : new Set()));
  const selectedKey = selected !== undefined ? spanKeyOf(model, selected) : undefined;
  const firstUrlWrite = useRef(true);
  useEffect(() => {
    // The first render reads the URL; writing it back then would drop a span key this trace lacks.
    if (firstUrlWrite.current) {
      firstUrlWrite.current = false;
      return;
    }
    writeTraceUrl(view, selectedKey, false);
  }, [selectedKey, view]);
  // Back and forward change the address without remounting: follow it to the view and span it names.
  const locationKey = useLocationKey();
  useEffect(() => {
    const u = readTraceUrl(window.location.search);
    setViewName(u.view);
    const row = u.span !== undefined ? rowOfSpanKey(model, u.span) : undefined;
    if (row !== undefined) setCollapsed((c) => revealRow(model, c, row));
    setSelected(row);
  }, [locationKey, model]);
  const showView = (v: TraceViewName): void => {
    if (v === view) return;
    writeTraceUrl(v, selectedKey, true);
    setViewName(v);
  };
  const findInTimeline = (q: string): void => {
    setFind(q);
    setMatchPos(-1);
    showView('timeline');
  };
  const [find, setFind] = useState('');
  const [matchPos, setMatchPos] = useState(-1);
  const [zoom, setZoom] = useState<[number, number]>([0, total]);
  useEffect(() => setZoom([0, total]), [total]);
  const visible = useMemo(() => visibleRows(model, collapsed), [model, collapsed]);
  const matches = useMemo(() => findMatches(model, find), [model, find]);
  const matchList = useMemo(() => [...matches].sort((a, b) => a - b), [matches]);
  const findRef = useRef<HTMLInputElement>(null);
  const bodyRef = useRef<HTMLDivElement>(null);
  const { width: bodyWidth } = useElementSize(bodyRef);
  const [nameWidthSet, setNameWidth] = useState<number | undefined>();
  // A phone-width screen cannot spare 240px for names: the bars need room too.
  const minName = bodyWidth > 0 && bodyWidth < 700 ? Math.max(150, Math.round(bodyWidth * 0.55)) : 240;
  const nameWidth = nameWidthSet ?? Math.round(Math.min(460, Math.max(minName, (bodyWidth - (selected !== undefined ? 400 : 0)) * 0.36)));

  const toggle = useCallback((i: number) => {
    setCollapsed((c) => {
      const next = new Set(c);
      if (next.has(i)) next.delete(i);
      else next.add(i);
      return next;
    });
  }, []);

  const gotoMatch = (delta: number): void => {
    if (matchList.length === 0) return;
    const pos = (matchPos + delta + matchList.length) % matchList.length;
    const row = matchList[pos]!;
    setMatchPos(pos);
    setCollapsed((c) => revealRow(model, c, row));
    setSelected(row);
  };

  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent): void => {
      const target = e.target as HTMLElement | null;
      const typing = target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT');
      if (e.key === '/' && !typing) {
        e.preventDefault();
        findRef.current?.focus();
      } else if (e.key === 'Escape' && !typing) {
        setSelected(undefined);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const onTimelineKey = (e: KeyboardEvent<HTMLDivElement>): void => {
    const pos = selected === undefined ? -1 : visible.indexOf(selected);
    const row = selected !== undefined ? model.rows[selected] : undefined;
    const move = (p: number): void => {
      const clamped = Math.max(0, Math.min(visible.length - 1, p));
      setSelected(visible[clamped]);
    };
    switch (e.key) {
      case 'ArrowDown':
      case 'j':
        move(pos + 1);
        break;
      case 'ArrowUp':
      case 'k':
        move(pos < 0 ? 0 : pos - 1);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(visible.length - 1);
        break;
      case 'PageDown':
        move(pos + 15);
        break;
      case 'PageUp':
        move(pos - 15);
        break;
      case 'ArrowRight':
      case 'l':
        if (row && row.children.length > 0) {
          if (collapsed.has(row.index)) toggle(row.index);
          else setSelected(row.children[0]);
        }
        break;
      case 'ArrowLeft':
      case 'h':
        if (row) {
          if (row.children.length > 0 && !collapsed.has(row.index)) toggle(row.index);
          else if (row.parent >= 0) setSelected(row.parent);
        }
        break;
      case 'Enter':
      case ' ':
        if (row && row.children.length > 0) toggle(row.index);
        break;
      case 'Escape':
        setSelected(undefined);
        break;
      default:
        return;
    }
    e.preventDefault();
  };

  const root = model.rows[model.roots[0] ?? 0];
  useEffect(() => {
    // document.title is text, never parsed as markup.
    if (root) document.title = `${root.serviceName}: ${root.span.name ?? ''} · Skein`;
  }, [root]);
  const logs = source === 'server' ? templateUrl(config.logsUrl, model.traceId) : undefined;
  const depth = model.maxDepth + 1;

  return (
    <div className="trace-view" data-testid="trace-view">
      <div className="trace-header">
        <div className="trace-title">
          <h1>
            <span className="svc-dot large" style={{ background: serviceColor(root?.serviceName ?? '') }} />
            <span className="trace-root-service">{root?.serviceName}</span>
            <span className="trace-root-name">{root?.span.name ?? ''}</span>
          </h1>
          <div className="trace-stats">
            <Stat label="Trace ID" value={model.traceId} mono />
            <Stat label="Started" value={timing.known ? formatTimestamp(timing.traceStart) : 'unknown'} testId="trace-started" />
            <Stat label="Duration" value={timing.duration !== undefined ? formatDuration(timing.duration) : 'unknown'} testId="trace-duration" />
            <Stat label="Services" value={String(model.services.length)} />
            <Stat label="Depth" value={String(depth)} />
            <Stat label="Spans" value={String(model.rows.length)} testId="span-count" />
            <Stat label="Errors" value={String(model.errorCount)} tone={model.errorCount > 0 ? 'error' : undefined} />
          </div>
        </div>
        <div className="service-legend">
          {model.services.map((s) => (
            <button
              type="button"
              key={s.name}
              className={s.errors > 0 ? 'chip error' : 'chip'}
              title={`Find spans of ${s.name}`}
              onClick={() => {
                setFind(s.name);
                setMatchPos(-1);
              }}
            >
              <span className="svc-dot" style={{ background: serviceColor(s.name) }} />
              {s.name}
              <span className="chip-count">{s.count}</span>
            </button>
          ))}
        </div>
      </div>

      <div className="view-tabs" role="tablist" aria-label="Trace views">
        {TRACE_VIEWS.map((v) => (
          <button
            key={v.key}
            type="button"
            role="tab"
            aria-selected={view === v.key}
            className={view === v.key ? 'view-tab active' : 'view-tab'}
            onClick={() => showView(v.key)}
            data-testid={`view-tab-${v.key}`}
          >
            {v.label}
          </button>
        ))}
      </div>

      {view !== 'timeline' ? (
        <div className="trace-body">
          {view === 'stats' ? <StatsView model={model} timing={timing} onFind={findInTimeline} /> : null}
          {view === 'graph' ? <GraphView model={model} timing={timing} onFind={findInTimeline} /> : null}
          {view === 'flame' ? <FlameView model={model} timing={timing} /> : null}
        </div>
      ) : (
      <>
      <div className="trace-toolbar">
        <div className="find-box">
          <input
            ref={findRef}
            className="input"
            placeholder="Find in trace…  ( / )"
            value={find}
            aria-label="Find in trace"
            data-testid="find"
            onChange={(e) => {
              setFind(e.target.value);
              setMatchPos(-1);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                gotoMatch(e.shiftKey ? -1 : 1);
              } else if (e.key === 'Escape') {
                setFind('');
                e.currentTarget.blur();
              }
            }}
          />
          {find ? (
            <span className="find-count" data-testid="find-count">
              {matchList.length === 0 ? 'no matches' : `${matchPos >= 0 ? `${matchPos + 1} of ` : ''}${matchList.length} ${matchList.length === 1 ? 'match' : 'matches'}`}
            </span>
          ) : null}
          {find && matchList.length > 0 ? (
            <>
              <button type="button" className="icon-button small" onClick={() => gotoMatch(-1)} aria-label="Previous match" title="Previous (Shift+Enter)">
                ↑
              </button>
              <button type="button" className="icon-button small" onClick={() => gotoMatch(1)} aria-label="Next match" title="Next (Enter)">
                ↓
              </button>
            </>
          ) : null}
        </div>
        <div className="toolbar-group">
          <Switch
            label="Clock-skew correction"
            hint={model.skewedCount > 0 ? `${model.skewedCount} ${model.skewedCount === 1 ? 'span' : 'spans'} adjusted` : 'no skew detected'}
            checked={corrected}
            disabled={model.skewedCount === 0}
            onChange={setSkewOn}
            testId="skew-toggle"
          />
          <Switch label="Critical path" checked={criticalOn} onChange={setCriticalOn} testId="critical-toggle" />
          <span
            className="kbd-help"
            tabIndex={0}
            aria-label="Keyboard shortcuts: arrow keys or j and k move, left and right collapse and expand, Enter toggles, slash finds, Escape closes"
          >
            ⌨
            <span className="kbd-help-pop" role="tooltip">
              <kbd>↑</kbd>
              <kbd>↓</kbd> or <kbd>k</kbd>
              <kbd>j</kbd> move · <kbd>←</kbd>
              <kbd>→</kbd> collapse / expand · <kbd>Enter</kbd> toggle · <kbd>/</kbd> find, <kbd>Enter</kbd> next match · <kbd>Esc</kbd> close details
            </span>
          </span>
        </div>
        <div className="toolbar-group">
          <button type="button" className="button ghost" onClick={() => setCollapsed(new Set())} data-testid="expand-all">
            Expand all
          </button>
          <button
            type="button"
            className="button ghost"
            data-testid="collapse-all"
            onClick={() => setCollapsed(new Set(model.rows.filter((r) => r.children.length > 0 && r.depth > 0).map((r) => r.index)))}
          >
            Collapse all
          </button>
          {source === 'server' ? (
            <a
              className="button ghost"
              href={`${paths.compare()}?a=${encodeURIComponent(model.traceId)}`}
              onClick={(e) => onLinkClick(e, `${paths.compare()}?a=${encodeURIComponent(model.traceId)}`)}
              data-testid="compare-with"
            >
              Compare…
            </a>
          ) : null}
          <button type="button" className="button ghost" onClick={() => downloadJson(spans, model.traceId)} data-testid="download">
            Download JSON
          </button>
          {source === 'server' && config.archivePostUrl ? <ArchiveButton spans={spans} traceId={model.traceId} /> : null}
          {logs ? (
            <a className="button ghost" href={logs} target="_blank" rel="noreferrer noopener">
              Logs
            </a>
          ) : null}
        </div>
      </div>

      {timing.known ? (
        <MiniMap model={model} timing={timing} view={zoom} onView={setZoom} />
      ) : (
        <p className="card no-timing-note" data-testid="no-timing">
          No span in this trace has a timestamp, so its start, duration and time axis are unknown. The span tree is shown without bars.
        </p>
      )}

      <div className="trace-body" ref={bodyRef}>
        <Timeline
          model={model}
          timing={timing}
          corrected={corrected}
          visible={visible}
          collapsed={collapsed}
          selected={selected}
          matches={matches}
          findActive={find.trim() !== ''}
          critical={critical}
          view={zoom}
          nameWidth={nameWidth}
          onToggle={toggle}
          onSelect={setSelected}
          onKey={onTimelineKey}
          onResizeNames={setNameWidth}
        />
        {selected !== undefined && model.rows[selected] ? (
          <SpanDetail
            row={model.rows[selected]}
            corrected={corrected}
            traceStart={timing.traceStart}
            onClose={() => setSelected(undefined)}
            onOpenLink={(traceId, spanId, e) => {
              const here = traceId === model.traceId || model.rows.some((r) => r.span.traceId === traceId) ? rowOfSpanKey(model, spanId) : undefined;
              if (here !== undefined) {
                e.preventDefault();
                setCollapsed((c) => revealRow(model, c, here));
                setSelected(here);
              } else onLinkClick(e, e.currentTarget.getAttribute('href') ?? '');
            }}
          />
        ) : null}
      </div>
      </>
      )}
    </div>
  );
}

function Stat({ label, value, mono, tone, testId }: { label: string; value: string; mono?: boolean; tone?: 'error'; testId?: string }) {
  return (
    <div className={tone ? `stat ${tone}` : 'stat'}>
      <span className="stat-label">{label}</span>
      <span className={mono ? 'stat-value mono' : 'stat-value'} data-testid={testId}>
        {value}
      </span>
    </div>
  );
}

function Switch({
  label,
  hint,
  checked,
  disabled,
  onChange,
  testId,
}: {
  label: string;
  hint?: string;
  checked: boolean;
  disabled?: boolean;
  onChange: (v: boolean) => void;
  testId: string;
}) {
  return (
    <label className={disabled ? 'switch disabled' : 'switch'} title={hint}>
      <input type="checkbox" role="switch" checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} data-testid={testId} />
      <span className="switch-track" aria-hidden="true" />
      <span>
        {label}
        {hint ? <span className="switch-hint"> · {hint}</span> : null}
      </span>
    </label>
  );
}

/** A blob: URL made here from the spans as received, so no span data ever becomes a link target itself. */
function downloadJson(spans: Span[], traceId: string): void {
  const blob = new Blob([JSON.stringify(spans, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `trace-${traceId.replace(/[^0-9a-f]/gi, '')}.json`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function ArchiveButton({ spans, traceId }: { spans: Span[]; traceId: string }) {
  const config = useConfig();
  const [state, setState] = useState<'idle' | 'busy' | 'done' | 'failed'>('idle');
  const link = templateUrl(config.archiveUrl, traceId);
  if (state === 'done' && link) {
    return (
      <a className="button ghost" href={link} target="_blank" rel="noreferrer noopener">
        Open archived
      </a>
    );
  }
  return (
    <button
      type="button"
      className="button ghost"
      disabled={state === 'busy'}
      onClick={() => {
        setState('busy');
        fetch(config.archivePostUrl!, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(spans) }).then(
          (r) => setState(r.ok ? 'done' : 'failed'),
          () => setState('failed'),
        );
      }}
    >
      {state === 'failed' ? 'Archive failed, retry' : state === 'done' ? 'Archived' : 'Archive'}
    </button>
  );
}
