import { useEffect, useRef, useState } from 'react';
import { formatDuration } from '../../format';
import { serviceColor } from '../../model/service-color';
import type { TraceModel, TraceTiming } from '../../model/trace-model';
import { useElementSize } from '../../use-element-size';
import { tickCountFor, timeTicks } from './time-axis';

const HEIGHT = 64;

/**
 * The whole trace in miniature (every span one thin line, drawn on a canvas so 10,000 spans cost one
 * paint). Drag across it to zoom the timeline to that window; the shaded area is the current window.
 */
export function MiniMap({
  model,
  timing,
  view,
  onView,
}: {
  model: TraceModel;
  timing: TraceTiming;
  view: [number, number];
  onView: (v: [number, number]) => void;
}) {
  const wrap = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const { width } = useElementSize(wrap);
  const [drag, setDrag] = useState<[number, number] | undefined>();
  const total = Math.max(1, timing.traceEnd - timing.traceStart);

  useEffect(() => {
    const c = canvas.current;
    if (!c || width === 0) return;
    const dpr = window.devicePixelRatio || 1;
    c.width = Math.round(width * dpr);
    c.height = HEIGHT * dpr;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.scale(dpr, dpr);
    ctx.clearRect(0, 0, width, HEIGHT);
    const n = model.rows.length;
    const lineH = Math.max(1, Math.min(6, (HEIGHT - 8) / n));
    const step = n > 1 ? (HEIGHT - 8 - lineH) / (n - 1) : 0;
    for (const r of model.rows) {
      if (!timing.timed[r.index]) continue;
      const x = ((timing.start[r.index]! - timing.traceStart) / total) * width;
      const w = Math.max(1, ((timing.end[r.index]! - timing.start[r.index]!) / total) * width);
      ctx.fillStyle = r.error ? '#e5484d' : serviceColor(r.serviceName);
      ctx.fillRect(x, 4 + r.index * step, w, lineH);
    }
  }, [model, timing, width, total]);

  const toUs = (clientX: number): number => {
    const rect = wrap.current!.getBoundingClientRect();
    return Math.min(1, Math.max(0, (clientX - rect.left) / rect.width)) * total;
  };
  const zoomed = view[0] > 0 || view[1] < total;
  const shown = drag ? ([Math.min(...drag), Math.max(...drag)] as [number, number]) : view;

  return (
    <div className="minimap-wrap card">
      {zoomed ? (
        // Its own line: over the axis it hid the last tick label.
        <div className="minimap-actions">
          <button type="button" className="link-button reset-zoom" onClick={() => onView([0, total])} data-testid="reset-zoom">
            Reset zoom
          </button>
        </div>
      ) : null}
      <div className="minimap-ticks">
        {timeTicks(total, tickCountFor(width, 64, 9) - 1).map((t) => (
          <span key={t} style={{ left: `${(t / total) * 100}%` }}>
            {formatDuration(t)}
          </span>
        ))}
      </div>
      <div
        ref={wrap}
        className="minimap"
        data-testid="minimap"
        title="Drag to zoom the timeline"
        onPointerDown={(e) => {
          e.currentTarget.setPointerCapture(e.pointerId);
          const t = toUs(e.clientX);
          setDrag([t, t]);
        }}
        onPointerMove={(e) => {
          if (drag) setDrag([drag[0], toUs(e.clientX)]);
        }}
        onPointerUp={() => {
          if (!drag) return;
          const a = Math.min(...drag);
          const b = Math.max(...drag);
          setDrag(undefined);
          // A click (no real drag) resets; a drag narrower than 0.5% is treated as a click.
          onView(b - a > total * 0.005 ? [a, b] : [0, total]);
        }}
      >
        <canvas ref={canvas} style={{ width: '100%', height: HEIGHT }} />
        {zoomed || drag ? (
          <>
            <div className="minimap-shade" style={{ left: 0, width: `${(shown[0] / total) * 100}%` }} />
            <div className="minimap-window" style={{ left: `${(shown[0] / total) * 100}%`, width: `${((shown[1] - shown[0]) / total) * 100}%` }} />
            <div className="minimap-shade" style={{ left: `${(shown[1] / total) * 100}%`, right: 0 }} />
          </>
        ) : null}
      </div>
    </div>
  );
}
