import { useMemo } from 'react';
import { api } from '../../api/client';
import { fetchRed, lastValue, type RedSeries } from '../../api/red-metrics';
import { ErrorState, Spinner } from '../../components/error-state';
import { formatDuration } from '../../format';
import { serviceColor } from '../../model/service-color';
import { navigate, onLinkClick, paths } from '../../router';
import { useAsync } from '../../use-async';
import { LOOKBACK_PRESETS } from '../search/search-criteria';
import { LineChart } from './line-chart';

const KINDS = ['server', 'client', 'producer', 'consumer', 'internal'] as const;
/** Points per chart: one per step. */
const POINTS = 30;

interface ServicesUrl {
  service: string;
  operation: string | undefined;
  lookback: string;
  kind: string;
}

function readUrl(search: string): ServicesUrl {
  const p = new URLSearchParams(search);
  const lookback = p.get('lookback') ?? '1h';
  const kind = p.get('kind') ?? 'server';
  return {
    service: p.get('service') ?? '',
    operation: p.get('operation') ?? undefined,
    lookback: LOOKBACK_PRESETS.some((x) => x.value === lookback) ? lookback : '1h',
    kind: (KINDS as readonly string[]).includes(kind) ? kind : 'server',
  };
}

function hrefFor(u: ServicesUrl): string {
  const p = new URLSearchParams();
  if (u.service) p.set('service', u.service);
  if (u.operation !== undefined) p.set('operation', u.operation);
  p.set('lookback', u.lookback);
  if (u.kind !== 'server') p.set('kind', u.kind);
  return `${paths.services()}?${p.toString()}`;
}

const pct = (v: number | undefined): string => (v === undefined ? '—' : `${(v * 100).toFixed(v > 0 && v < 0.01 ? 2 : 1)}%`);
const rate = (v: number | undefined): string => (v === undefined ? '—' : `${v >= 10 ? v.toFixed(1) : v.toPrecision(2)}/s`);
const ms = (v: number | undefined): string => (v === undefined ? '—' : formatDuration(v * 1000));

/**
 * /zipkin/services: request rate, error rate and p50/p95/p99 latency per service and operation over a
 * time range, from Skein's RED metrics (/api/metrics/*, computed from the stored spans; no Prometheus).
 */
export function ServicesPage({ locationKey }: { locationKey: string }) {
  const u = useMemo(() => readUrl(window.location.search), [locationKey]); // eslint-disable-line react-hooks/exhaustive-deps
  const services = useAsync((signal) => api.services(signal), []);
  const service = u.service || (services.status === 'ok' ? (services.value[0] ?? '') : '');
  const lookbackMs = LOOKBACK_PRESETS.find((x) => x.value === u.lookback)!.ms;
  // Pinned at page load (and each change of range), so the summary and the charts describe one window.
  const endTs = useMemo(() => Date.now(), [u.lookback, u.service, u.kind]); // eslint-disable-line react-hooks/exhaustive-deps
  const summary = useAsync(
    (signal) => fetchRed({ service, byOperation: true, spanKind: u.kind, endTs, lookbackMs, stepMs: lookbackMs }, signal),
    [service, u.kind, endTs, lookbackMs],
    service !== '',
  );
  const whole = useAsync(
    (signal) => fetchRed({ service, byOperation: false, spanKind: u.kind, endTs, lookbackMs, stepMs: lookbackMs }, signal),
    [service, u.kind, endTs, lookbackMs],
    service !== '',
  );
  const step = Math.max(5000, Math.round(lookbackMs / POINTS));
  const charts = useAsync(
    (signal) => fetchRed({ service, byOperation: u.operation !== undefined, spanKind: u.kind, endTs, lookbackMs, stepMs: step }, signal),
    [service, u.kind, endTs, lookbackMs, step, u.operation !== undefined],
    service !== '',
  );
  const go = (patch: Partial<ServicesUrl>): void => navigate(hrefFor({ ...u, service, ...patch }));

  if (services.status === 'error') return <ErrorState title="Cannot list services" detail={services.error.message} />;
  if (services.status === 'ok' && services.value.length === 0) {
    return <ErrorState tone="empty" title="No service has reported spans yet" detail="Send spans to Skein and their rates and latencies appear here." />;
  }
  const chartSeries = charts.status === 'ok' ? charts.value.get(u.operation ?? '') : undefined;
  const from = endTs - lookbackMs;

  return (
    <div className="page services-page" data-testid="services-page">
      <div className="card deps-controls">
        <div className="field">
          <label htmlFor="svc-service">Service</label>
          <select id="svc-service" className="input" value={service} onChange={(e) => go({ service: e.target.value, operation: undefined })} data-testid="svc-service">
            {(services.status === 'ok' ? services.value : [service]).map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="svc-lookback">Time range</label>
          <select id="svc-lookback" className="input" value={u.lookback} onChange={(e) => go({ lookback: e.target.value })} data-testid="svc-lookback">
            {LOOKBACK_PRESETS.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="svc-kind">Span kind</label>
          <select id="svc-kind" className="input" value={u.kind} onChange={(e) => go({ kind: e.target.value })} data-testid="svc-kind">
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </div>
        <p className="hint">Computed by Skein from the stored spans of this kind that started in the range.</p>
      </div>

      {summary.status === 'error' ? <ErrorState title="Cannot compute the metrics" detail={summary.error.message} /> : null}
      {summary.status === 'loading' || whole.status === 'loading' ? <Spinner label="Computing rates and latencies…" /> : null}
      {summary.status === 'ok' && whole.status === 'ok' ? (
        <OperationsTable service={service} u={u} endTs={endTs} lookbackMs={lookbackMs} ops={summary.value} whole={whole.value} go={go} />
      ) : null}

      <h2 className="services-chart-title" data-testid="chart-scope">
        <span className="svc-dot" style={{ background: serviceColor(service) }} /> {service}
        {u.operation !== undefined ? ` · ${u.operation}` : ' · all operations'}
      </h2>
      <div className="charts">
        <LineChart testId="chart-rate" title="Request rate" from={from} to={endTs} format={rate} lines={[{ label: 'calls/s', color: '#4f6bed', points: chartSeries?.calls ?? [] }]} />
        <LineChart testId="chart-errors" title="Error rate" from={from} to={endTs} format={pct} lines={[{ label: 'errors', color: '#e5484d', points: chartSeries?.errors ?? [] }]} />
        <LineChart
          testId="chart-latency"
          title="Latency"
          from={from}
          to={endTs}
          format={ms}
          lines={[
            { label: 'p50', color: '#22a39f', points: chartSeries?.p50 ?? [] },
            { label: 'p95', color: '#e5a50a', points: chartSeries?.p95 ?? [] },
            { label: 'p99', color: '#c2410c', points: chartSeries?.p99 ?? [] },
          ]}
        />
      </div>
    </div>
  );
}

function OperationsTable({
  service,
  u,
  endTs,
  lookbackMs,
  ops,
  whole,
  go,
}: {
  service: string;
  u: ServicesUrl;
  endTs: number;
  lookbackMs: number;
  ops: RedSeries;
  whole: RedSeries;
  go: (patch: Partial<ServicesUrl>) => void;
}) {
  // One window covering the whole range: "calls" is calls per second over it.
  const row = (s: RedSeries extends Map<string, infer V> ? V : never) => ({
    rate: lastValue(s.calls, endTs),
    errors: lastValue(s.errors, endTs),
    p50: lastValue(s.p50, endTs),
    p95: lastValue(s.p95, endTs),
    p99: lastValue(s.p99, endTs),
  });
  const names = [...ops.keys()].sort((a, b) => a.localeCompare(b));
  const all = whole.get('');
  const search = (op: string, extra: Record<string, string>): string =>
    paths.search(new URLSearchParams({ serviceName: service, spanName: op, lookback: u.lookback, ...extra }).toString());
  return (
    <div className="card services-table-card">
      <table className="detail-table services-table" data-testid="ops-table">
        <thead>
          <tr>
            <th>Operation</th>
            <th className="num">Requests</th>
            <th className="num">Error rate</th>
            <th className="num">p50</th>
            <th className="num">p95</th>
            <th className="num">p99</th>
            <th>Traces</th>
          </tr>
        </thead>
        <tbody>
          <tr className={u.operation === undefined ? 'selected' : undefined} data-testid="ops-row" data-op="">
            <td>
              <button type="button" className="link-button" onClick={() => go({ operation: undefined })}>
                All operations
              </button>
            </td>
            {cells(all ? row(all) : undefined, lookbackMs)}
            <td />
          </tr>
          {names.map((op) => {
            const r = row(ops.get(op)!);
            const slow = search(op, { ...(r.p95 !== undefined ? { minDuration: String(Math.max(1, Math.floor(r.p95 * 1000))) } : {}), sort: 'longest' });
            const failing = search(op, { annotationQuery: 'error' });
            return (
              <tr key={op} className={[u.operation === op ? 'selected' : '', (r.errors ?? 0) > 0 ? 'error' : ''].join(' ').trim() || undefined} data-testid="ops-row" data-op={op}>
                <td>
                  <button type="button" className="link-button" onClick={() => go({ operation: op })}>
                    {op || '(unnamed)'}
                  </button>
                </td>
                {cells(r, lookbackMs)}
                <td className="nowrap">
                  <a href={slow} onClick={(e) => onLinkClick(e, slow)} data-testid="slowest-link">
                    slowest
                  </a>
                  {' · '}
                  <a href={failing} onClick={(e) => onLinkClick(e, failing)} data-testid="failing-link">
                    failing
                  </a>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function cells(r: { rate?: number | undefined; errors?: number | undefined; p50?: number | undefined; p95?: number | undefined; p99?: number | undefined } | undefined, lookbackMs: number) {
  const count = r?.rate !== undefined ? Math.round((r.rate * lookbackMs) / 1000) : undefined;
  return (
    <>
      <td className="num" title={r?.rate !== undefined ? rate(r.rate) : undefined}>
        {count ?? 0} <span className="muted">({rate(r?.rate ?? 0)})</span>
      </td>
      <td className="num">{pct(r?.errors)}</td>
      <td className="num">{ms(r?.p50)}</td>
      <td className="num">{ms(r?.p95)}</td>
      <td className="num">{ms(r?.p99)}</td>
    </>
  );
}
