import { useMemo, useRef, useState } from 'react';
import { api } from '../../api/client';
import { ErrorState, Spinner } from '../../components/error-state';
import { formatDuration } from '../../format';
import { buildCallGraph } from '../../model/call-graph';
import { compareGraphs, diffKind, flattenDiff, type DiffNode } from '../../model/compare-traces';
import { serviceColor } from '../../model/service-color';
import { buildTraceModel, computeTiming } from '../../model/trace-model';
import { navigate, onLinkClick, paths, traceHref } from '../../router';
import { useAsync } from '../../use-async';
import { useVirtualWindow } from '../../use-virtual-window';

const ROW = 30;
const HEX = /^[0-9a-f]{16}([0-9a-f]{16})?$/;

/** /zipkin/compare?a=&b=: two traces' span trees merged, with what is only in one and the time change. */
export function ComparePage({ locationKey }: { locationKey: string }) {
  const ids = useMemo(() => {
    const p = new URLSearchParams(window.location.search);
    return { a: (p.get('a') ?? '').trim().toLowerCase(), b: (p.get('b') ?? '').trim().toLowerCase() };
  }, [locationKey]); // eslint-disable-line react-hooks/exhaustive-deps
  const ready = HEX.test(ids.a) && HEX.test(ids.b);
  const state = useAsync(async (signal) => Promise.all([api.trace(ids.a, signal), api.trace(ids.b, signal)]), [ids.a, ids.b], ready);
  const diff = useMemo(() => {
    if (state.status !== 'ok') return undefined;
    const graph = (spans: Parameters<typeof buildTraceModel>[0]) => {
      const m = buildTraceModel(spans);
      return buildCallGraph(m, computeTiming(m, true));
    };
    return flattenDiff(compareGraphs(graph(state.value[0]), graph(state.value[1])));
  }, [state]);
  return (
    <div className="page compare-page" data-testid="compare-page">
      <CompareForm a={ids.a} b={ids.b} />
      {!ready ? (
        <ErrorState tone="empty" title="Compare two traces" detail="Enter two trace ids (16 or 32 hex characters) to see how their span trees differ." />
      ) : state.status === 'loading' || state.status === 'idle' ? (
        <Spinner label="Loading both traces…" />
      ) : state.status === 'error' ? (
        <ErrorState title="Could not load both traces" detail={state.error.message} />
      ) : diff ? (
        <DiffList nodes={diff} a={ids.a} b={ids.b} />
      ) : null}
    </div>
  );
}

function CompareForm({ a, b }: { a: string; b: string }) {
  const [da, setA] = useState(a);
  const [db, setB] = useState(b);
  const [problem, setProblem] = useState('');
  return (
    <form
      className="card deps-controls"
      onSubmit={(e) => {
        e.preventDefault();
        const x = da.trim().toLowerCase();
        const y = db.trim().toLowerCase();
        if (!HEX.test(x) || !HEX.test(y)) {
          setProblem('Both ids must be 16 or 32 hex characters.');
          return;
        }
        setProblem('');
        navigate(`${paths.compare()}?${new URLSearchParams({ a: x, b: y }).toString()}`);
      }}
    >
      <div className="field">
        <label htmlFor="cmp-a">Trace A</label>
        <input id="cmp-a" className="input mono" value={da} onChange={(e) => setA(e.target.value)} data-testid="compare-a" />
      </div>
      <div className="field">
        <label htmlFor="cmp-b">Trace B</label>
        <input id="cmp-b" className="input mono" value={db} onChange={(e) => setB(e.target.value)} data-testid="compare-b" />
      </div>
      <button type="submit" className="button primary" data-testid="compare-run">
        Compare
      </button>
      {problem ? (
        <span className="form-error" role="alert">
          {problem}
        </span>
      ) : null}
    </form>
  );
}

function DiffList({ nodes, a, b }: { nodes: DiffNode[]; a: string; b: string }) {
  const scroller = useRef<HTMLDivElement>(null);
  const [first, last] = useVirtualWindow(scroller, nodes.length, ROW);
  const counts = { 'only-a': 0, 'only-b': 0, both: 0 };
  for (const n of nodes) counts[diffKind(n)]++;
  return (
    <div className="view-card compare-card" data-testid="compare-view">
      <div className="view-toolbar">
        <span className="muted">
          <a href={traceHref(a)} onClick={(e) => onLinkClick(e, traceHref(a))} className="mono">
            A {a.slice(0, 8)}…
          </a>{' '}
          vs{' '}
          <a href={traceHref(b)} onClick={(e) => onLinkClick(e, traceHref(b))} className="mono">
            B {b.slice(0, 8)}…
          </a>{' '}
          · {counts.both} in both · <span className="only-a-text">{counts['only-a']} only in A</span> · <span className="only-b-text">{counts['only-b']} only in B</span>
        </span>
      </div>
      <div className="graph-scroll-list" ref={scroller}>
        <div style={{ height: nodes.length * ROW, position: 'relative' }}>
          {nodes.slice(first, last).map((n, k) => {
            const kind = diffKind(n);
            const delta = n.a && n.b ? n.b.total - n.a.total : undefined;
            return (
              <div
                key={first + k}
                className={`diff-row ${kind}`}
                style={{ transform: `translateY(${(first + k) * ROW}px)`, paddingLeft: 8 + Math.min(n.depth, 24) * 16 }}
                data-testid="diff-row"
                data-kind={kind}
                title={`${n.service}: ${n.name}\n${n.a ? `A ×${n.a.count} ${formatDuration(n.a.total)}` : 'not in A'} · ${n.b ? `B ×${n.b.count} ${formatDuration(n.b.total)}` : 'not in B'}`}
              >
                <span className="svc-tag" style={{ borderColor: serviceColor(n.service), color: serviceColor(n.service) }}>
                  {n.service}
                </span>
                <span className="graph-name">{n.name}</span>
                <span className="diff-sides" data-testid="diff-sides">
                  {n.a ? `A ×${n.a.count} ${formatDuration(n.a.total)}` : 'not in A'} · {n.b ? `B ×${n.b.count} ${formatDuration(n.b.total)}` : 'not in B'}
                </span>
                {delta !== undefined ? (
                  <span className={delta > 0 ? 'diff-delta slower' : delta < 0 ? 'diff-delta faster' : 'diff-delta'} data-testid="diff-delta">
                    {delta > 0 ? '+' : delta < 0 ? '−' : '±'}
                    {formatDuration(Math.abs(delta))}
                    {n.a!.total > 0 ? ` (${delta >= 0 ? '+' : '−'}${Math.round((Math.abs(delta) / n.a!.total) * 100)}%)` : ''}
                  </span>
                ) : null}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
