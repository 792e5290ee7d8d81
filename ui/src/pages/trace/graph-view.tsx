import { useMemo, useRef, useState } from 'react';
import { formatDuration } from '../../format';
import { buildCallGraph, visibleNodes } from '../../model/call-graph';
import { serviceColor } from '../../model/service-color';
import type { TraceModel, TraceTiming } from '../../model/trace-model';
import { useVirtualWindow } from '../../use-virtual-window';

const ROW = 34;
const MAX_INDENT = 24;

/** The call tree collapsed by service and operation, with span counts, total and self time per node. */
export function GraphView({ model, timing, onFind }: { model: TraceModel; timing: TraceTiming; onFind: (q: string) => void }) {
  const graph = useMemo(() => buildCallGraph(model, timing), [model, timing]);
  const [collapsed, setCollapsed] = useState<Set<number>>(() => new Set());
  const visible = useMemo(() => visibleNodes(graph, collapsed), [graph, collapsed]);
  const scroller = useRef<HTMLDivElement>(null);
  const [first, last] = useVirtualWindow(scroller, visible.length, ROW);
  const top = graph.roots.reduce((a, r) => Math.max(a, graph.nodes[r]!.total), 1);
  return (
    <div className="view-card graph-view" data-testid="graph-view">
      <div className="view-toolbar">
        <span className="muted">
          {graph.nodes.length} nodes from {model.rows.length} spans
        </span>
        <button type="button" className="button ghost" onClick={() => setCollapsed(new Set())} data-testid="graph-expand-all">
          Expand all
        </button>
        <button
          type="button"
          className="button ghost"
          onClick={() => setCollapsed(new Set(graph.nodes.filter((n) => n.depth > 0 && n.children.length > 0).map((n) => n.id)))}
          data-testid="graph-collapse-all"
        >
          Collapse all
        </button>
      </div>
      <div className="graph-scroll-list" ref={scroller} role="tree" aria-label="Call graph">
        <div style={{ height: visible.length * ROW, position: 'relative' }}>
          {visible.slice(first, last).map((id, k) => {
            const n = graph.nodes[id]!;
            const color = serviceColor(n.service);
            const open = !collapsed.has(id);
            return (
              <div
                key={id}
                role="treeitem"
                aria-level={n.depth + 1}
                aria-expanded={n.children.length > 0 ? open : undefined}
                className={n.errors > 0 ? 'graph-node error' : 'graph-node'}
                style={{ transform: `translateY(${(first + k) * ROW}px)`, paddingLeft: 8 + Math.min(n.depth, MAX_INDENT) * 18 }}
                data-testid="graph-node"
                data-node={id}
              >
                {n.children.length > 0 ? (
                  <button
                    type="button"
                    className="toggle"
                    aria-label={open ? 'Collapse' : 'Expand'}
                    data-testid="graph-toggle"
                    onClick={() =>
                      setCollapsed((c) => {
                        const next = new Set(c);
                        if (next.has(id)) next.delete(id);
                        else next.add(id);
                        return next;
                      })
                    }
                  >
                    <svg width="10" height="10" viewBox="0 0 10 10" className={open ? 'chev open' : 'chev'} aria-hidden="true">
                      <path d="M3 1.5 L7 5 L3 8.5" fill="none" stroke="currentColor" strokeWidth="1.6" />
                    </svg>
                  </button>
                ) : (
                  <span className="toggle-spacer" />
                )}
                <button type="button" className="graph-box" style={{ borderLeftColor: color }} title="Find these spans in the timeline" onClick={() => onFind(n.name)}>
                  <span className="svc-tag" style={{ borderColor: color, color }}>
                    {n.service}
                  </span>
                  <span className="graph-name">{n.name}</span>
                  <span className="graph-count" data-testid="graph-count">
                    ×{n.count}
                  </span>
                  {n.errors > 0 ? <span className="badge error">{n.errors} err</span> : null}
                  <span className="graph-time" data-testid="graph-time">
                    {formatDuration(n.total)} · self {formatDuration(n.self)}
                  </span>
                  <span className="graph-share" aria-hidden="true">
                    <span style={{ width: `${Math.min(100, Math.max(1, (n.total / top) * 100))}%`, background: color }} />
                  </span>
                </button>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
