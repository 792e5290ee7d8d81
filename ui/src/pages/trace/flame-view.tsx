import { useMemo, useRef, useState } from 'react';
import { formatDuration } from '../../format';
import { buildCallGraph } from '../../model/call-graph';
import { layoutFlame } from '../../model/flame-graph';
import { serviceColor } from '../../model/service-color';
import type { TraceModel, TraceTiming } from '../../model/trace-model';
import { useElementSize } from '../../use-element-size';

const BOX_H = 20;
/** Boxes under 3px are left out: they cannot be read or clicked, and they would be most of the DOM. */
const MIN_PX = 3;
const MAX_DEPTH_SHOWN = 200;

/**
 * A flame graph of the collapsed call tree: width is time spent, depth is the call stack. Click a box
 * to focus it (it becomes full width); click the top bar or "Reset" to go back.
 */
export function FlameView({ model, timing }: { model: TraceModel; timing: TraceTiming }) {
  const graph = useMemo(() => buildCallGraph(model, timing), [model, timing]);
  const wrap = useRef<HTMLDivElement>(null);
  const { width } = useElementSize(wrap);
  const [focus, setFocus] = useState<number | undefined>();
  const w = Math.max(1, width);
  const { boxes, hidden } = useMemo(() => layoutFlame(graph, MIN_PX / w, focus), [graph, w, focus]);
  const shown = boxes.filter((b) => b.depth < MAX_DEPTH_SHOWN);
  const depth = shown.reduce((a, b) => Math.max(a, b.depth + 1), 1);
  const focused = focus !== undefined ? graph.nodes[focus] : undefined;
  return (
    <div className="view-card flame-view" data-testid="flame-view">
      <div className="view-toolbar">
        <span className="muted">
          {focused ? (
            <>
              Focused on <strong>{focused.service}</strong> {focused.name} ·{' '}
            </>
          ) : null}
          {shown.length} boxes{hidden > 0 ? `, ${hidden} too narrow to draw` : ''}
        </span>
        {focus !== undefined ? (
          <button type="button" className="button ghost" onClick={() => setFocus(undefined)} data-testid="flame-reset">
            Reset
          </button>
        ) : null}
      </div>
      <div className="flame-scroll" ref={wrap}>
        {width > 0 ? (
          <svg width={width} height={depth * BOX_H} role="img" aria-label="Flame graph" data-testid="flame-svg">
            {shown.map((b) => {
              const n = graph.nodes[b.node]!;
              const px = b.width * width;
              return (
                <g
                  key={b.node}
                  className={n.errors > 0 ? 'flame-box error' : 'flame-box'}
                  transform={`translate(${b.x * width},${b.depth * BOX_H})`}
                  data-testid="flame-box"
                  data-node={b.node}
                  onClick={() => setFocus(b.node === focus ? undefined : b.node)}
                >
                  <rect width={Math.max(1, px - 1)} height={BOX_H - 1} rx={2} fill={serviceColor(n.service)} />
                  {px > 40 ? (
                    <text x={4} y={14} className="flame-label">
                      {truncate(`${n.service} ${n.name}`, Math.floor((px - 8) / 6.5))}
                    </text>
                  ) : null}
                  <title>{`${n.service}: ${n.name}\n${n.count} spans · total ${formatDuration(n.total)} · self ${formatDuration(n.self)}${n.errors ? ` · ${n.errors} errors` : ''}`}</title>
                </g>
              );
            })}
          </svg>
        ) : null}
      </div>
    </div>
  );
}

function truncate(s: string, chars: number): string {
  if (chars <= 1) return '';
  return s.length <= chars ? s : `${s.slice(0, chars - 1)}…`;
}
