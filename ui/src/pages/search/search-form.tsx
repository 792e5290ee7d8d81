import { useEffect, useState, type ReactNode } from 'react';
import { api } from '../../api/client';
import { fromLocalInput, toLocalInput } from '../../format';
import { emptyCriteria, LOOKBACK_PRESETS, lookbackLabel, parseDuration, type Criteria } from './search-criteria';
import { TagQueryInput } from './tag-query-input';
import { zoneName } from '../../time-zone';

/** The criteria form; owns a draft of the URL state and hands a complete Criteria back on submit. */
export function SearchForm({
  initial,
  defaultLimit,
  defaultLookback,
  onSubmit,
}: {
  initial: Criteria;
  defaultLimit: number;
  defaultLookback: number;
  onSubmit: (c: Criteria) => void;
}) {
  const [draft, setDraft] = useState(() => toDraft(initial));
  const [error, setError] = useState('');
  const [services, setServices] = useState<string[]>([]);
  const [spanNames, setSpanNames] = useState<string[]>([]);
  const [remotes, setRemotes] = useState<string[]>([]);
  useEffect(() => setDraft(toDraft(initial)), [initial]);

  useEffect(() => {
    const ctl = new AbortController();
    api.services(ctl.signal).then(setServices, () => setServices([]));
    return () => ctl.abort();
  }, []);
  useEffect(() => {
    setSpanNames([]);
    setRemotes([]);
    if (!draft.serviceName) return;
    const ctl = new AbortController();
    api.spans(draft.serviceName, ctl.signal).then(setSpanNames, () => setSpanNames([]));
    api.remoteServices(draft.serviceName, ctl.signal).then(setRemotes, () => setRemotes([]));
    return () => ctl.abort();
  }, [draft.serviceName]);

  const set = <K extends keyof Criteria>(k: K, v: Criteria[K]): void => setDraft((d) => ({ ...d, [k]: v }));
  const lookbackValue = draft.lookback || presetFor(defaultLookback);
  const isCustom = lookbackValue === 'range';
  const knownLookback = isCustom || LOOKBACK_PRESETS.some((p) => p.value === lookbackValue);
  const otherMs = lookbackValue === 'millis' ? Number(draft.millis) : Number(lookbackValue);
  const now = Date.now();

  const submit = (): void => {
    const c: Criteria = { ...draft };
    for (const k of ['minDuration', 'maxDuration'] as const) {
      if (c[k].trim() === '') {
        c[k] = '';
        continue;
      }
      const us = parseDuration(c[k]);
      if (us === undefined) {
        setError(`${k === 'minDuration' ? 'Min' : 'Max'} duration "${c[k]}" is not a duration: try 150ms, 2s or 500us.`);
        return;
      }
      // Lens puts microseconds in the URL.
      c[k] = String(us);
    }
    if (c.lookback === 'range') {
      if (!c.startTs) c.startTs = String(now - defaultLookback);
      if (!c.endTs) c.endTs = String(now);
      if (Number(c.startTs) >= Number(c.endTs)) {
        setError('The start of the custom range must be before its end.');
        return;
      }
    } else {
      // Presets are relative to now, so the link stays useful; only an explicit endTs pins them.
      c.startTs = '';
    }
    setError('');
    onSubmit(c);
  };

  return (
    <form
      className="card search-form"
      data-testid="search-form"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <div className="form-grid">
        <Field label="Service" htmlFor="serviceName">
          <select
            id="serviceName"
            className="input"
            value={draft.serviceName}
            onChange={(e) => setDraft((d) => ({ ...d, serviceName: e.target.value, spanName: '', remoteServiceName: '' }))}
          >
            <option value="">All services</option>
            {withCurrent(services, draft.serviceName).map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Remote service" htmlFor="remoteServiceName">
          <select
            id="remoteServiceName"
            className="input"
            value={draft.remoteServiceName}
            disabled={!draft.serviceName && !draft.remoteServiceName}
            onChange={(e) => set('remoteServiceName', e.target.value)}
          >
            <option value="">Any</option>
            {withCurrent(remotes, draft.remoteServiceName).map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Span name" htmlFor="spanName">
          <select
            id="spanName"
            className="input"
            value={draft.spanName}
            disabled={!draft.serviceName && !draft.spanName}
            onChange={(e) => set('spanName', e.target.value)}
          >
            <option value="">Any</option>
            {withCurrent(spanNames, draft.spanName).map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Tags and annotations" htmlFor="annotationQuery" wide>
          <TagQueryInput value={draft.annotationQuery} onChange={(v) => set('annotationQuery', v)} />
        </Field>
        <Field label="Min duration" htmlFor="minDuration">
          <input
            id="minDuration"
            className="input"
            placeholder="e.g. 100ms"
            value={draft.minDuration}
            onChange={(e) => set('minDuration', e.target.value)}
          />
        </Field>
        <Field label="Max duration" htmlFor="maxDuration">
          <input
            id="maxDuration"
            className="input"
            placeholder="e.g. 2s"
            value={draft.maxDuration}
            onChange={(e) => set('maxDuration', e.target.value)}
          />
        </Field>
        <Field label="Time range" htmlFor="lookback">
          <select
            id="lookback"
            className="input"
            value={lookbackValue}
            onChange={(e) => {
              const v = e.target.value;
              setDraft((d) =>
                v === 'range'
                  ? { ...d, lookback: v, startTs: d.startTs || String(now - defaultLookback), endTs: d.endTs || String(now), millis: '' }
                  : { ...d, lookback: v, startTs: '', endTs: '', millis: v === 'millis' ? d.millis : '' },
              );
            }}
          >
            {LOOKBACK_PRESETS.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
            {!knownLookback ? (
              <option value={lookbackValue}>{otherMs > 0 ? lookbackLabel(otherMs) : `Lookback ${lookbackValue}`}</option>
            ) : null}
            <option value="range">Custom range…</option>
          </select>
        </Field>
        <Field label="Limit" htmlFor="limit">
          <input
            id="limit"
            className="input"
            type="number"
            min={1}
            max={10000}
            placeholder={String(defaultLimit)}
            value={draft.limit}
            onChange={(e) => set('limit', e.target.value)}
          />
        </Field>
        {isCustom ? (
          <>
            <Field label={`From (${zoneName()})`} htmlFor="startTs">
              <input
                id="startTs"
                className="input"
                type="datetime-local"
                value={toLocalInput(Number(draft.startTs) || now - defaultLookback)}
                onChange={(e) => set('startTs', String(fromLocalInput(e.target.value) ?? ''))}
              />
            </Field>
            <Field label={`To (${zoneName()})`} htmlFor="endTs">
              <input
                id="endTs"
                className="input"
                type="datetime-local"
                value={toLocalInput(Number(draft.endTs) || now)}
                onChange={(e) => set('endTs', String(fromLocalInput(e.target.value) ?? ''))}
              />
            </Field>
          </>
        ) : null}
      </div>
      <div className="form-actions">
        {error ? (
          <span className="form-error" role="alert">
            {error}
          </span>
        ) : (
          <span className="hint">
            Terms are joined with <code>and</code>: <code>key=value</code> matches a tag, a bare word an annotation or tag key.
          </span>
        )}
        <button type="button" className="button ghost" onClick={() => setDraft({ ...initial, ...emptyCriteria() })}>
          Clear
        </button>
        <button type="submit" className="button primary" data-testid="run-query">
          Run query
        </button>
      </div>
    </form>
  );
}

function toDraft(c: Criteria): Criteria {
  return { ...c, minDuration: displayDuration(c.minDuration), maxDuration: displayDuration(c.maxDuration) };
}


function Field({ label, htmlFor, wide, children }: { label: ReactNode; htmlFor: string; wide?: boolean; children: ReactNode }) {
  return (
    <div className={wide ? 'field wide' : 'field'}>
      <label htmlFor={htmlFor}>{label}</label>
      {children}
    </div>
  );
}

/** Keeps a value from the URL selectable even before (or without) the server listing it. */
function withCurrent(list: string[], current: string): string[] {
  return current && !list.includes(current) ? [current, ...list] : list;
}

/** The URL holds microseconds (Lens); show them as a readable duration the parser accepts back. */
function displayDuration(v: string): string {
  if (!/^\d+$/.test(v)) return v;
  const us = Number(v);
  if (us % 1_000_000 === 0) return `${us / 1_000_000}s`;
  if (us % 1000 === 0) return `${us / 1000}ms`;
  return `${us}us`;
}

function presetFor(defaultLookback: number): string {
  return LOOKBACK_PRESETS.find((p) => p.ms === defaultLookback)?.value ?? String(defaultLookback);
}
