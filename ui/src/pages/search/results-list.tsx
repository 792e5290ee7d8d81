import { useMemo } from 'react';
import { formatAgo, formatDuration, formatTimestamp } from '../../format';
import { serviceColor } from '../../model/service-color';
import type { TraceSummary } from '../../model/trace-summary';
import { onLinkClick, traceHref } from '../../router';

export type SortKey = 'newest' | 'oldest' | 'longest' | 'shortest' | 'most-spans' | 'fewest-spans';

export const SORTS: ReadonlyArray<{ key: SortKey; label: string }> = [
  { key: 'newest', label: 'Newest first' },
  { key: 'oldest', label: 'Oldest first' },
  { key: 'longest', label: 'Longest first' },
  { key: 'shortest', label: 'Shortest first' },
  { key: 'most-spans', label: 'Most spans' },
  { key: 'fewest-spans', label: 'Fewest spans' },
];

const COMPARE: Record<SortKey, (a: TraceSummary, b: TraceSummary) => number> = {
  newest: (a, b) => (b.timestamp ?? 0) - (a.timestamp ?? 0),
  oldest: (a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0),
  longest: (a, b) => b.duration - a.duration,
  shortest: (a, b) => a.duration - b.duration,
  'most-spans': (a, b) => b.spanCount - a.spanCount,
  'fewest-spans': (a, b) => a.spanCount - b.spanCount,
};

export function ResultsList({
  traces,
  sort,
  onSort,
}: {
  traces: TraceSummary[];
  sort: SortKey;
  onSort: (s: SortKey) => void;
}) {
  const sorted = useMemo(() => [...traces].sort((a, b) => COMPARE[sort](a, b) || a.traceId.localeCompare(b.traceId)), [traces, sort]);
  const maxDuration = Math.max(1, ...traces.map((t) => t.duration));
  const now = Date.now();
  return (
    <section className="results" aria-label="Search results">
      <div className="results-header">
        <h2>
          {traces.length} {traces.length === 1 ? 'trace' : 'traces'}
        </h2>
        <label className="sort">
          Sort
          <select className="input compact" value={sort} onChange={(e) => onSort(e.target.value as SortKey)} data-testid="sort">
            {SORTS.map((s) => (
              <option key={s.key} value={s.key}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ol className="result-list" data-testid="results">
        {sorted.map((t) => {
          const href = traceHref(t.traceId);
          return (
            <li key={t.traceId}>
              <a className={t.errorCount > 0 ? 'result-row has-error' : 'result-row'} href={href} onClick={(e) => onLinkClick(e, href)} data-testid="result-row" data-trace-id={t.traceId}>
                <div className="result-main">
                  <div className="result-title">
                    <span className="svc-dot" style={{ background: serviceColor(t.rootService) }} />
                    <span className="result-service">{t.rootService}</span>
                    <span className="result-name">{t.rootName}</span>
                    {t.errorCount > 0 ? (
                      <span className="badge error" data-testid="error-badge">
                        {t.errorCount} {t.errorCount === 1 ? 'error' : 'errors'}
                      </span>
                    ) : null}
                  </div>
                  <div className="result-meta">
                    <span className="mono">{t.traceId}</span>
                    <span>{t.spanCount} spans</span>
                    {t.timestamp !== undefined ? (
                      <span title={formatTimestamp(t.timestamp)}>
                        {formatTimestamp(t.timestamp)} · {formatAgo(t.timestamp, now)}
                      </span>
                    ) : (
                      <span>start unknown (no timestamps)</span>
                    )}
                  </div>
                  <div className="result-services">
                    {t.services.slice(0, 8).map((s) => (
                      <span key={s.name} className={s.errors > 0 ? 'chip error' : 'chip'} title={`${s.name}: ${s.count} spans${s.errors ? `, ${s.errors} errors` : ''}`}>
                        <span className="svc-dot" style={{ background: serviceColor(s.name) }} />
                        {s.name}
                        <span className="chip-count">{s.count}</span>
                      </span>
                    ))}
                    {t.services.length > 8 ? <span className="chip muted">+{t.services.length - 8} more</span> : null}
                  </div>
                </div>
                <div className="result-duration">
                  <span className="duration-value" data-testid="result-duration">{t.timestamp !== undefined ? formatDuration(t.duration) : 'unknown'}</span>
                  <span className="duration-track">
                    <span className={t.errorCount > 0 ? 'duration-fill error' : 'duration-fill'} style={{ width: `${Math.max(2, (t.duration / maxDuration) * 100)}%` }} />
                  </span>
                </div>
              </a>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
