import { useState } from 'react';
import { ErrorState } from '../../components/error-state';
import { formatDuration } from '../../format';
import { parseTraceFile } from '../../model/parse-trace-file';
import type { Span } from '../../model/span-types';
import { summarizeTrace } from '../../model/trace-summary';
import { TraceView } from '../trace/trace-view';

/** Opens a trace JSON file locally; nothing is sent to the server. */
export function TraceViewerPage() {
  const [traces, setTraces] = useState<Map<string, Span[]> | undefined>();
  const [chosen, setChosen] = useState<string | undefined>();
  const [error, setError] = useState('');
  const [fileName, setFileName] = useState('');
  const [dragging, setDragging] = useState(false);

  const load = async (file: File): Promise<void> => {
    setFileName(file.name);
    try {
      const parsed = parseTraceFile(await file.text());
      setTraces(parsed);
      setChosen(parsed.size === 1 ? [...parsed.keys()][0] : undefined);
      setError('');
    } catch (e) {
      setTraces(undefined);
      setError((e as Error).message);
    }
  };

  const spans = chosen ? traces?.get(chosen) : undefined;
  return (
    <div className={spans ? 'trace-viewer-page with-trace' : 'page trace-viewer-page'} data-testid="trace-viewer">
      <label
        className={dragging ? 'dropzone dragging' : spans ? 'dropzone compact' : 'dropzone'}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          const f = e.dataTransfer.files[0];
          if (f) void load(f);
        }}
      >
        <input
          type="file"
          accept=".json,application/json"
          className="visually-hidden"
          data-testid="trace-file"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void load(f);
            e.target.value = '';
          }}
        />
        <svg className="dropzone-icon" width={spans ? 20 : 34} height={spans ? 20 : 34} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" aria-hidden="true">
          <path d="M12 16V4M7 9l5-5 5 5" />
          <path d="M4 15v4a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1v-4" />
        </svg>
        <span className="dropzone-title">{spans ? `Viewing ${fileName}` : 'Open a trace file'}</span>
        <span className="muted">
          {spans ? 'Choose or drop another file' : 'Drop a Zipkin (v2 or v1), OTLP/JSON or Jaeger JSON file here, or click to choose one. It stays in your browser.'}
        </span>
      </label>
      {error ? <ErrorState title="Could not read this file" detail={error} /> : null}
      {traces && !spans ? (
        <div className="card trace-chooser">
          <h3>{traces.size} traces in {fileName}</h3>
          <ul>
            {[...traces.entries()].map(([id, list]) => {
              const s = summarizeTrace(list);
              return (
                <li key={id}>
                  <button type="button" className="link-button" onClick={() => setChosen(id)}>
                    <span className="mono">{s?.traceId ?? id}</span> {s?.rootService}: {s?.rootName} · {list.length} spans · {formatDuration(s?.duration)}
                  </button>
                </li>
              );
            })}
          </ul>
        </div>
      ) : null}
      {spans ? <TraceView key={chosen} spans={spans} source="file" /> : null}
    </div>
  );
}
