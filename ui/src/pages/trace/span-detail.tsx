import type { ReactNode } from 'react';
import { formatDuration, formatTimestamp } from '../../format';
import { serviceColor } from '../../model/service-color';
import type { Endpoint } from '../../model/span-types';
import type { TraceRow } from '../../model/trace-model';
import { traceHref } from '../../router';

/** Everything about one span. All values are rendered as text: span data is attacker-controlled. */
export function SpanDetail({
  row,
  corrected,
  traceStart,
  onClose,
  onOpenLink,
}: {
  row: TraceRow;
  corrected: boolean;
  traceStart: number;
  onClose: () => void;
  /** Follow a link: the same trace selects the span, another trace is opened at it. */
  onOpenLink: (traceId: string, spanId: string, e: React.MouseEvent<HTMLAnchorElement>) => void;
}) {
  const span = corrected ? row.corrected : row.span;
  const color = serviceColor(row.serviceName);
  const tags = Object.entries(span.tags ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return (
    <aside className="span-detail" aria-label="Span details" data-testid="span-detail">
      <div className="detail-head">
        <div>
          <div className="detail-service" style={{ color }}>
            <span className="svc-dot" style={{ background: color }} />
            {row.serviceName}
          </div>
          <h3 className="detail-name">{span.name ?? 'unnamed'}</h3>
        </div>
        <button type="button" className="icon-button" onClick={onClose} aria-label="Close span details" title="Close (Esc)">
          ×
        </button>
      </div>
      <div className="detail-badges">
        {span.kind ? <span className="badge">{span.kind}</span> : <span className="badge muted">LOCAL</span>}
        {span.shared ? <span className="badge" title="The server side of an RPC that reuses its client's span id">shared</span> : null}
        {span.debug ? <span className="badge">debug</span> : null}
        {row.error ? <span className="badge error">error</span> : null}
        {row.skew !== 0 ? (
          <span className="badge warn" title="zipkin's clock-skew rule shifted this span to fit inside its caller">
            {corrected ? `skew corrected ${formatDuration(-row.skew)}` : `skew ${formatDuration(row.skew)} (uncorrected)`}
          </span>
        ) : null}
      </div>

      <Section title="Timing">
        <dl className="kv">
          <Kv k="Start">
            {span.timestamp !== undefined ? `+${formatDuration(span.timestamp - traceStart)} · ${formatTimestamp(span.timestamp)}` : '—'}
          </Kv>
          <Kv k="Duration">{formatDuration(span.duration)}</Kv>
        </dl>
      </Section>

      <Section title="Identifiers">
        <dl className="kv mono-values">
          <Kv k="Trace ID">{span.traceId}</Kv>
          <Kv k="Span ID">{span.id}</Kv>
          <Kv k="Parent ID">{span.parentId ?? '—'}</Kv>
        </dl>
      </Section>

      {span.annotations && span.annotations.length > 0 ? (
        <Section title={`Annotations (${span.annotations.length})`}>
          <table className="detail-table" data-testid="annotations">
            <tbody>
              {span.annotations.map((a, i) => (
                <tr key={i}>
                  <td className="mono nowrap">+{formatDuration(a.timestamp - traceStart)}</td>
                  <td className="wrap">{a.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      ) : null}

      <Section title={`Tags (${tags.length})`}>
        {tags.length === 0 ? (
          <p className="muted">No tags</p>
        ) : (
          <table className="detail-table" data-testid="tags">
            <tbody>
              {tags.map(([k, v]) => (
                <tr key={k} className={k === 'error' ? 'error' : undefined}>
                  <th className="wrap">{k}</th>
                  <td className="wrap mono">{v}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>

      <Section title="Endpoints">
        <div className="endpoints">
          <EndpointView label="Local" ep={span.localEndpoint} />
          <EndpointView label="Remote" ep={span.remoteEndpoint} />
        </div>
      </Section>

      {span.links && span.links.length > 0 ? (
        <Section title={`Links (${span.links.length})`}>
          <table className="detail-table">
            <tbody>
              {span.links.map((l, i) => {
                // Ids are checked before they go into a URL; anything else is shown as text only.
                const ok = /^[0-9a-f]{16}([0-9a-f]{16})?$/.test(l.traceId) && /^[0-9a-f]{16}$/.test(l.spanId);
                const href = ok ? `${traceHref(l.traceId)}?span=${l.spanId}` : undefined;
                return (
                  <tr key={i} data-testid="span-link">
                    <th>{l.type === 'FOLLOWS_FROM' ? 'follows from' : l.type === 'CHILD_OF' ? 'child of' : 'link'}</th>
                    <td className="mono wrap">
                      {href ? (
                        <a href={href} onClick={(e) => onOpenLink(l.traceId, l.spanId, e)} data-testid="span-link-target">
                          {l.traceId === span.traceId ? `span ${l.spanId} (this trace)` : `${l.traceId} / ${l.spanId}`}
                        </a>
                      ) : (
                        `${l.traceId} / ${l.spanId}`
                      )}
                      {l.tags
                        ? Object.entries(l.tags).map(([k, v]) => (
                            <div key={k} className="link-tag">
                              {k}={v}
                            </div>
                          ))
                        : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </Section>
      ) : null}
    </aside>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="detail-section">
      <h4>{title}</h4>
      {children}
    </section>
  );
}

function Kv({ k, children }: { k: string; children: ReactNode }) {
  return (
    <>
      <dt>{k}</dt>
      <dd>{children}</dd>
    </>
  );
}

function EndpointView({ label, ep }: { label: string; ep: Endpoint | undefined }) {
  return (
    <div className="endpoint">
      <div className="endpoint-label">{label}</div>
      {ep ? (
        <dl className="kv compact">
          {ep.serviceName ? <Kv k="Service">{ep.serviceName}</Kv> : null}
          {ep.ipv4 ? <Kv k="IPv4">{ep.ipv4}</Kv> : null}
          {ep.ipv6 ? <Kv k="IPv6">{ep.ipv6}</Kv> : null}
          {ep.port ? <Kv k="Port">{String(ep.port)}</Kv> : null}
        </dl>
      ) : (
        <p className="muted">—</p>
      )}
    </div>
  );
}
