import { api, ApiError } from '../../api/client';
import { ErrorState, Spinner } from '../../components/error-state';
import { paths } from '../../router';
import { useAsync } from '../../use-async';
import { TraceView } from './trace-view';
import { useState } from 'react';

export function TracePage({ traceId }: { traceId: string }) {
  const [nonce, setNonce] = useState(0);
  const state = useAsync((signal) => api.trace(traceId, signal), [traceId, nonce]);
  if (state.status === 'loading' || state.status === 'idle') return <Spinner label="Loading trace…" />;
  if (state.status === 'error') {
    const e = state.error;
    if (e instanceof ApiError && e.kind === 'not-found') {
      return (
        <ErrorState
          title="Trace not found"
          detail={`No trace with id ${traceId} is stored. It may have expired, not been sampled, or not been reported yet.`}
          action={{ label: 'Back to search', href: paths.search() }}
        />
      );
    }
    if (e instanceof ApiError && e.kind === 'bad-request') {
      return <ErrorState title="Not a valid trace id" detail={e.message} action={{ label: 'Back to search', href: paths.search() }} />;
    }
    return (
      <ErrorState
        title={e instanceof ApiError && e.kind === 'network' ? 'Server unreachable' : 'Could not load the trace'}
        detail={e.message}
        action={{ label: 'Try again', onClick: () => setNonce((n) => n + 1) }}
      />
    );
  }
  if (state.value.length === 0) {
    return <ErrorState title="Trace not found" detail={`Trace ${traceId} has no spans.`} action={{ label: 'Back to search', href: paths.search() }} />;
  }
  return <TraceView spans={state.value} source="server" />;
}
