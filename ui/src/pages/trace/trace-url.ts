import { navigate } from '../../router';

export type TraceViewName = 'timeline' | 'stats' | 'graph' | 'flame';
export const TRACE_VIEWS: ReadonlyArray<{ key: TraceViewName; label: string }> = [
  { key: 'timeline', label: 'Timeline' },
  { key: 'stats', label: 'Statistics' },
  { key: 'graph', label: 'Graph' },
  { key: 'flame', label: 'Flame graph' },
];

/** ?view=&span= on the trace page: which view and which span a shared link opens. */
export function readTraceUrl(search: string): { view: TraceViewName; span: string | undefined } {
  const p = new URLSearchParams(search);
  const v = p.get('view');
  const view = TRACE_VIEWS.some((x) => x.key === v) ? (v as TraceViewName) : 'timeline';
  return { view, span: p.get('span') ?? undefined };
}

/** Writes the view and span into the address bar; a view change is a history step, a span change is not. */
export function writeTraceUrl(view: TraceViewName, span: string | undefined, push: boolean): void {
  const p = new URLSearchParams(window.location.search);
  if (view === 'timeline') p.delete('view');
  else p.set('view', view);
  if (span) p.set('span', span);
  else p.delete('span');
  const q = p.toString();
  navigate(`${window.location.pathname}${q ? `?${q}` : ''}`, { replace: !push });
}
