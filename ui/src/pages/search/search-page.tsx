import { useMemo, useState } from 'react';
import { api, ApiError } from '../../api/client';
import { ErrorState, Spinner } from '../../components/error-state';
import { useConfig } from '../../config-context';
import { summarizeTrace, type TraceSummary } from '../../model/trace-summary';
import { navigate, onLinkClick, paths } from '../../router';
import { serviceColor } from '../../model/service-color';
import { useAsync } from '../../use-async';
import { ResultsList, SORTS, type SortKey } from './results-list';
import { ScatterPlot } from './scatter-plot';
import { LOOKBACK_PRESETS, criteriaToQueryString, hasSearch, parseCriteria, toTraceQuery, type Criteria } from './search-criteria';
import { SearchForm } from './search-form';

export function SearchPage({ locationKey }: { locationKey: string }) {
  const config = useConfig();
  const search = window.location.search;
  const criteria = useMemo(() => parseCriteria(search), [search]);
  const run = hasSearch(search);
  const [nonce, setNonce] = useState(0);
  const [sort, setSort] = useState<SortKey>(() => sortFromUrl(search));

  const state = useAsync<{ traces: TraceSummary[]; limit: number; more: boolean }>(
    async (signal) => {
      const q = toTraceQuery(criteria, Date.now(), config);
      if ('error' in q) throw new ApiError('bad-request', q.error);
      // One more than asked: if it comes back, more traces matched than the limit shows.
      const limit = q.query.limit;
      const traces = await api.traces({ ...q.query, limit: limit + 1 }, signal);
      const summaries = traces.map((t) => summarizeTrace(t)).filter((t): t is TraceSummary => t !== undefined);
      summaries.sort((a, b) => (b.timestamp ?? 0) - (a.timestamp ?? 0));
      return { traces: summaries.slice(0, limit), limit, more: summaries.length > limit };
    },
    [locationKey, nonce],
    run && config.searchEnabled,
  );

  const submit = (c: Criteria): void => {
    const qs = criteriaToQueryString(c);
    // Same URL again means "run it again" (the time window moves on).
    if (`?${qs}` === window.location.search) setNonce((n) => n + 1);
    else navigate(paths.search(qs || 'lookback=' + encodeURIComponent(c.lookback || '15m')));
  };

  if (!config.searchEnabled) {
    return (
      <ErrorState
        tone="empty"
        title="Search is disabled on this server"
        detail="Open a trace by id with the box at the top right, or load a trace file in the trace viewer."
      />
    );
  }

  return (
    <div className="page search-page" data-testid="search-page">
      <SearchForm initial={criteria} defaultLimit={config.queryLimit} defaultLookback={config.defaultLookback} onSubmit={submit} />
      {state.status === 'idle' ? (
        <SearchIntro lookback={config.defaultLookback} />
      ) : state.status === 'loading' ? (
        <Spinner label="Searching traces…" />
      ) : state.status === 'error' ? (
        <ErrorState
          title={errorTitle(state.error)}
          detail={state.error.message}
          // Running an invalid query again gives the same answer: only a failure of the server is worth a retry.
          action={state.error instanceof ApiError && state.error.kind === 'bad-request' ? undefined : { label: 'Try again', onClick: () => setNonce((n) => n + 1) }}
        />
      ) : state.value.traces.length === 0 ? (
        <ErrorState tone="empty" title="No traces match" detail="Widen the time range, remove a criterion, or check the service name." />
      ) : (
        <>
          <ScatterPlot traces={state.value.traces} />
          {state.value.more ? <MoreMatched limit={state.value.limit} criteria={criteria} /> : null}
          <ResultsList traces={state.value.traces} sort={sort} onSort={setSort} />
        </>
      )}
    </div>
  );
}

/** The API answers at most `limit` traces (the newest); say so and offer a bigger limit. */
function MoreMatched({ limit, criteria }: { limit: number; criteria: Criteria }) {
  const next = Math.min(10_000, limit * 2);
  const href = paths.search(criteriaToQueryString({ ...criteria, limit: String(next) }));
  return (
    <div className="card more-matched" role="status" data-testid="more-matched">
      <span>
        More than {limit} traces matched; these are the newest {limit}.
      </span>
      {next > limit ? (
        <a className="button ghost" href={href} onClick={(e) => onLinkClick(e, href)} data-testid="load-more">
          Load {next - limit} more
        </a>
      ) : null}
    </div>
  );
}

/** Before the first query: the services that reported, one click from their traces. */
function SearchIntro({ lookback }: { lookback: number }) {
  const services = useAsync((signal) => api.services(signal), []);
  if (services.status === 'error') {
    return <ErrorState title={errorTitle(services.error)} detail={services.error.message} action={{ label: 'Reload', onClick: () => window.location.reload() }} />;
  }
  const list = services.status === 'ok' ? services.value : [];
  return (
    <div className="state-panel empty" data-testid="search-intro">
      <div className="state-icon" aria-hidden="true">⌕</div>
      <h2>Find traces</h2>
      <p>
        Pick a service, a time range or a tag query and run the query. Press <kbd>/</kbd> to jump to a trace by id.
      </p>
      {services.status === 'ok' && list.length === 0 ? <p className="muted">No service has reported spans yet.</p> : null}
      {list.length > 0 ? (
        <div className="quick-services">
          {list.slice(0, 30).map((s) => {
            // Lens's form: a preset name, or lookback=millis with millis= for any other length.
            const preset = LOOKBACK_PRESETS.find((x) => x.ms === lookback)?.value;
            const href = paths.search(
              new URLSearchParams(preset ? { serviceName: s, lookback: preset } : { serviceName: s, lookback: 'millis', millis: String(lookback) }).toString(),
            );
            return (
              <a key={s} className="chip" href={href} onClick={(e) => onLinkClick(e, href)}>
                <span className="svc-dot" style={{ background: serviceColor(s) }} />
                {s}
              </a>
            );
          })}
        </div>
      ) : null}
    </div>
  );
}

function errorTitle(e: Error): string {
  if (e instanceof ApiError) {
    if (e.kind === 'network') return 'Server unreachable';
    if (e.kind === 'bad-request') return 'The query is not valid';
  }
  return 'Search failed';
}

/** ?sort=longest (links from the Services page to an operation's slowest traces). */
function sortFromUrl(search: string): SortKey {
  const v = new URLSearchParams(search).get('sort');
  return SORTS.find((s) => s.key === v)?.key ?? 'newest';
}
