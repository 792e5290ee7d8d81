import { useMemo, useState } from 'react';
import { api, ApiError } from '../../api/client';
import { ErrorState, Spinner } from '../../components/error-state';
import { useConfig } from '../../config-context';
import { fromLocalInput, toLocalInput } from '../../format';
import { serviceColor } from '../../model/service-color';
import { navigate, paths } from '../../router';
import { useAsync } from '../../use-async';
import { LOOKBACK_PRESETS, lookbackLabel } from '../search/search-criteria';
import { dependencyWindow } from './dependency-window';
import { zoneName } from '../../time-zone';
import { layoutGraph, type GraphEdge } from './graph-layout';

type Rate = 'ok' | 'low' | 'high';

/**
 * /zipkin/dependency?endTs=(ms)&lookback=(preset or ms): the service graph for a time window. Lens links
 * (?startTime=&endTime=, both epoch ms) open the same window.
 */
export function DependenciesPage() {
  const config = useConfig();
  const [initial] = useState(() => dependencyWindow(window.location.search));
  const [endInput, setEndInput] = useState(() => (initial.endTs !== undefined ? toLocalInput(initial.endTs) : ''));
  const [lookback, setLookback] = useState(initial.lookback);
  const [nonce, setNonce] = useState(0);
  const [selected, setSelected] = useState<string | undefined>();
  const [filter, setFilter] = useState('');

  const lookbackMs = LOOKBACK_PRESETS.find((p) => p.value === lookback)?.ms ?? (Number(lookback) > 0 ? Number(lookback) : 86_400_000);
  const state = useAsync(
    (signal) => api.dependencies(endInput ? (fromLocalInput(endInput) ?? Date.now()) : Date.now(), lookbackMs, signal),
    [endInput, lookbackMs, nonce],
  );
  const layout = useMemo(() => (state.status === 'ok' && state.value.length > 0 ? layoutGraph(state.value) : undefined), [state]);

  const rateOf = (e: GraphEdge): Rate => {
    const r = e.callCount > 0 ? e.errorCount / e.callCount : 0;
    if (r >= config.dependency.highErrorRate) return 'high';
    if (r >= config.dependency.lowErrorRate) return 'low';
    return 'ok';
  };
  const maxCalls = layout ? Math.max(1, ...layout.edges.map((e) => e.callCount)) : 1;
  const q = filter.trim().toLowerCase();

  const apply = (end: string, lb: string): void => {
    const p = new URLSearchParams();
    const e = end ? fromLocalInput(end) : undefined;
    if (e) p.set('endTs', String(e));
    p.set('lookback', lb);
    navigate(`${paths.dependency()}?${p.toString()}`, { replace: true });
  };

  return (
    <div className="page deps-page" data-testid="dependencies-page">
      <div className="card deps-controls">
        <div className="field">
          <label htmlFor="dep-lookback">Time range</label>
          <select
            id="dep-lookback"
            className="input"
            value={LOOKBACK_PRESETS.some((p) => p.value === lookback) ? lookback : String(lookbackMs)}
            onChange={(e) => {
              setLookback(e.target.value);
              apply(endInput, e.target.value);
            }}
            data-testid="dep-lookback"
          >
            {LOOKBACK_PRESETS.map((p) => (
              <option key={p.value} value={p.value}>
                {p.short}
              </option>
            ))}
            {!LOOKBACK_PRESETS.some((p) => p.value === lookback) ? <option value={String(lookbackMs)}>{lookbackLabel(lookbackMs).replace(/^Last /, '')}</option> : null}
          </select>
        </div>
        <div className="field">
          <label htmlFor="dep-end">Ending at ({zoneName()})</label>
          <input
            id="dep-end"
            className="input"
            type="datetime-local"
            value={endInput}
            onChange={(e) => {
              setEndInput(e.target.value);
              apply(e.target.value, lookback);
            }}
          />
        </div>
        <div className="field">
          <label htmlFor="dep-filter">Highlight service</label>
          <input id="dep-filter" className="input" placeholder="Service name…" value={filter} onChange={(e) => setFilter(e.target.value)} />
        </div>
        <div className="deps-actions">
          {endInput ? (
            <button type="button" className="button ghost" onClick={() => { setEndInput(''); apply('', lookback); }}>
              Now
            </button>
          ) : null}
          <button type="button" className="button primary" onClick={() => setNonce((n) => n + 1)}>
            Refresh
          </button>
        </div>
        <div className="legend">
          <span><i className="edge-swatch ok" /> healthy</span>
          <span><i className="edge-swatch low" /> ≥ {Math.round(config.dependency.lowErrorRate * 100)}% errors</span>
          <span><i className="edge-swatch high" /> ≥ {Math.round(config.dependency.highErrorRate * 100)}% errors</span>
        </div>
      </div>

      {state.status === 'loading' || state.status === 'idle' ? (
        <Spinner label="Loading dependencies…" />
      ) : state.status === 'error' ? (
        <ErrorState
          title={state.error instanceof ApiError && state.error.kind === 'network' ? 'Server unreachable' : 'Could not load dependencies'}
          detail={state.error.message}
          action={{ label: 'Try again', onClick: () => setNonce((n) => n + 1) }}
        />
      ) : !layout ? (
        <ErrorState tone="empty" title="No dependencies in this window" detail="No service called another in the chosen time range. Try a longer range." />
      ) : (
        <div className="deps-body">
          <div className="card graph-card">
            <div className="graph-card-head">
              <h3>
                {layout.nodes.length} services · {layout.edges.length} links
              </h3>
              <p className="muted">Click a service to see its callers and callees. Edge width follows call count, colour the error rate.</p>
            </div>
            <div className="graph-scroll">
            <svg
              className="dep-graph"
              viewBox={`0 ${-30} ${layout.width} ${layout.height + 70}`}
              style={{ width: '100%', minWidth: layout.width, maxWidth: layout.width * 1.3, height: 'auto' }}
              role="img"
              aria-label="Service dependency graph"
              data-testid="dep-graph"
              onClick={() => setSelected(undefined)}
            >
              <defs>
                {(['ok', 'low', 'high'] as const).map((r) => (
                  <marker key={r} id={`arrow-${r}`} viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse">
                    <path d="M0,0 L10,5 L0,10 z" className={`arrow ${r}`} />
                  </marker>
                ))}
              </defs>
              {layout.edges.map((e) => {
                const related = selected === undefined || e.parent === selected || e.child === selected;
                const rate = rateOf(e);
                return (
                  <g key={`${e.parent}>${e.child}`} className={related ? 'dep-edge' : 'dep-edge faded'} data-testid="dep-edge" data-rate={rate}>
                    <path d={e.path} className={`edge ${rate}`} strokeWidth={1.2 + 4 * Math.sqrt(e.callCount / maxCalls)} markerEnd={`url(#arrow-${rate})`} />
                    <title>{`${e.parent} → ${e.child}: ${e.callCount} calls, ${e.errorCount} errors`}</title>
                    {/* Labels on every edge of a big graph are noise: show them when few, or for the selection. */}
                    {(selected !== undefined ? related : layout.edges.length <= 14) ? (
                      <text x={e.labelX} y={e.labelY} className="edge-label" textAnchor="middle">
                        {e.callCount.toLocaleString()}
                        {e.errorCount > 0 ? ` · ${e.errorCount.toLocaleString()} err` : ''}
                      </text>
                    ) : null}
                  </g>
                );
              })}
              {layout.nodes.map((n) => {
                const isSel = n.name === selected;
                const hit = q !== '' && n.name.includes(q);
                const related =
                  selected === undefined || isSel || layout.edges.some((e) => (e.parent === selected && e.child === n.name) || (e.child === selected && e.parent === n.name));
                return (
                  <g
                    key={n.name}
                    className={['dep-node', isSel ? 'selected' : '', hit ? 'hit' : '', related ? '' : 'faded'].join(' ')}
                    transform={`translate(${n.x},${n.y})`}
                    tabIndex={0}
                    role="button"
                    aria-label={`Service ${n.name}`}
                    data-testid="dep-node"
                    data-name={n.name}
                    onClick={(ev) => {
                      ev.stopPropagation();
                      setSelected(isSel ? undefined : n.name);
                    }}
                    onKeyDown={(ev) => {
                      if (ev.key === 'Enter' || ev.key === ' ') {
                        ev.preventDefault();
                        setSelected(isSel ? undefined : n.name);
                      }
                    }}
                  >
                    <rect width={n.w} height={n.h} rx={8} className="node-box" />
                    <rect width={5} height={n.h} rx={2} fill={serviceColor(n.name)} />
                    <text x={16} y={n.h / 2 + 4.5} className="node-label">
                      {n.name}
                    </text>
                  </g>
                );
              })}
            </svg>
            </div>
          </div>
          {selected ? <ServicePanel name={selected} edges={layout.edges} rateOf={rateOf} onSelect={setSelected} /> : null}
        </div>
      )}
    </div>
  );
}

function ServicePanel({
  name,
  edges,
  rateOf,
  onSelect,
}: {
  name: string;
  edges: GraphEdge[];
  rateOf: (e: GraphEdge) => Rate;
  onSelect: (n: string) => void;
}) {
  const callers = edges.filter((e) => e.child === name).sort((a, b) => b.callCount - a.callCount);
  const callees = edges.filter((e) => e.parent === name).sort((a, b) => b.callCount - a.callCount);
  const searchHref = paths.search(new URLSearchParams({ serviceName: name, lookback: '1h' }).toString());
  const table = (list: GraphEdge[], side: 'parent' | 'child', testId: string) =>
    list.length === 0 ? (
      <p className="muted">None</p>
    ) : (
      <table className="detail-table" data-testid={testId}>
        <thead>
          <tr>
            <th>Service</th>
            <th className="num">Calls</th>
            <th className="num">Errors</th>
          </tr>
        </thead>
        <tbody>
          {list.map((e) => (
            <tr key={e[side]} className={`rate-${rateOf(e)}`}>
              <td>
                <button type="button" className="link-button" onClick={() => onSelect(e[side])}>
                  <span className="svc-dot" style={{ background: serviceColor(e[side]) }} />
                  {e[side]}
                </button>
              </td>
              <td className="num">{e.callCount.toLocaleString()}</td>
              <td className="num">
                {e.errorCount.toLocaleString()}
                {e.errorCount > 0 ? ` (${Math.round((e.errorCount / e.callCount) * 100)}%)` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  return (
    <aside className="card service-panel" data-testid="service-panel">
      <div className="service-panel-title">
        <div className="detail-service" style={{ color: serviceColor(name) }}>
          <span className="svc-dot" style={{ background: serviceColor(name) }} />
          service
        </div>
        <h3 className="detail-name">{name}</h3>
        <a className="button ghost small" href={searchHref} onClick={(e) => { e.preventDefault(); navigate(searchHref); }}>
          Search its traces
        </a>
      </div>
      <section className="detail-section">
        <h4>Called by ({callers.length})</h4>
        {table(callers, 'parent', 'callers')}
      </section>
      <section className="detail-section">
        <h4>Calls ({callees.length})</h4>
        {table(callees, 'child', 'callees')}
      </section>
    </aside>
  );
}
