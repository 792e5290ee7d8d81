import { useMemo, useState } from 'react';
import { api, ApiError } from '../../api/client';
import { ErrorState, Spinner } from '../../components/error-state';
import { useConfig } from '../../config-context';
import { summarizeTrace, type TraceSummary } from '../../model/trace-summary';
import { navigate, paths } from '../../router';
import { useAsync } from '../../use-async';
import { ResultsList, type SortKey } from './results-list';
import { ScatterPlot } from './scatter-plot';
import { criteriaToQueryString, hasSearch, parseCriteria, toTraceQuery, type Criteria } from './search-criteria';
import { SearchForm } from './search-form';

export function SearchPage({ locationKey }: { locationKey: string }) {
  const config = useConfig();
  const search = window.location.search;
  const criteria = useMemo(() => parseCriteria(search), [search]);
  const run = hasSearch(search);
  const [nonce, setNonce] = useState(0);
  const [sort, setSort] = useState<SortKey>('newest');

  const state = useAsync<TraceSummary[]>(
    async (signal) => {
      const q = toTraceQuery(criteria, Date.now(), config);
      if ('error' in q) throw new ApiError('bad-request', q.error);
      const traces = await api.traces(q.query, signal);
      return traces.map((t) => summarizeTrace(t)).filter((t): t is TraceSummary => t !== undefined);
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
        <ErrorState
          tone="empty"
          title="Find traces"
          detail="Pick a service, a time range or a tag query, then run the query. Press / to jump to the trace id box."
        />
      ) : state.status === 'loading' ? (
        <Spinner label="Searching traces…" />
      ) : state.status === 'error' ? (
        <ErrorState title={errorTitle(state.error)} detail={state.error.message} action={{ label: 'Try again', onClick: () => setNonce((n) => n + 1) }} />
      ) : state.value.length === 0 ? (
        <ErrorState tone="empty" title="No traces match" detail="Widen the time range, remove a criterion, or check the service name." />
      ) : (
        <>
          <ScatterPlot traces={state.value} />
          <ResultsList traces={state.value} sort={sort} onSort={setSort} />
        </>
      )}
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
