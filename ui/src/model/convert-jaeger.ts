/**
 * A Jaeger UI JSON export ({data: [{traceID, spans, processes}]}, what Jaeger's "Download JSON" and
 * /api/traces return) to Zipkin v2 span objects, for the trace viewer. The rules are the server's
 * (src/codec/jaeger/jaeger-span-mapper.ts), rewritten here because that module needs node. The output is
 * raw v2 JSON: parse-trace-file validates it like any v2 file.
 */

type Obj = Record<string, unknown>;

/** jaeger: flags bit 2 is "debug" (bit 1 is "sampled"). */
const DEBUG_FLAG = 2;
const KINDS: Record<string, string> = { client: 'CLIENT', server: 'SERVER', producer: 'PRODUCER', consumer: 'CONSUMER' };

export function isJaegerJson(json: unknown): boolean {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return false;
  const data = (json as Obj).data;
  return Array.isArray(data) && data.length > 0 && data.every((t) => t !== null && typeof t === 'object' && Array.isArray((t as Obj).spans));
}

function list(v: unknown): Obj[] {
  return Array.isArray(v) ? v.filter((x): x is Obj => x !== null && typeof x === 'object') : [];
}

/** Typed jaeger values as the collectors see them: booleans "true"/"false", numbers in decimal. */
function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return v === undefined || v === null ? '' : JSON.stringify(v);
}

function kvs(v: unknown): Array<{ key: string; value: string }> {
  return list(v)
    .filter((t) => typeof t.key === 'string')
    .map((t) => ({ key: t.key as string, value: text(t.value) }));
}

/** Dotted strings pass through; a decimal int32 (old jaeger clients) becomes a dotted IPv4 address. */
function ipFromTag(v: string): string {
  if (/^-?\d+$/.test(v)) {
    const n = Number(v) >>> 0;
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  }
  return v;
}

/** Jaeger drops leading zeros from hex ids; zipkin pads them back. */
function sameId(a: unknown, b: unknown): boolean {
  return typeof a === 'string' && typeof b === 'string' && a.replace(/^0+/, '').toLowerCase() === b.replace(/^0+/, '').toLowerCase();
}

export function jaegerToV2(json: unknown): Obj[] {
  const out: Obj[] = [];
  for (const trace of list((json as Obj).data)) {
    const processes = (trace.processes && typeof trace.processes === 'object' ? trace.processes : {}) as Record<string, Obj>;
    for (const s of list(trace.spans)) {
      const process = (s.process && typeof s.process === 'object' ? s.process : processes[String(s.processID)]) as Obj | undefined;
      out.push(spanToV2(s, process));
    }
  }
  return out;
}

function spanToV2(s: Obj, process: Obj | undefined): Obj {
  const traceId = s.traceID ?? s.traceId;
  let parentId: unknown = typeof s.parentSpanID === 'string' && !/^0*$/.test(s.parentSpanID) ? s.parentSpanID : undefined;
  for (const ref of list(s.references)) {
    // The CHILD_OF reference in the same trace names the parent; zipkin v2 has no place for the others.
    if (ref.refType === 'CHILD_OF' && sameId(ref.traceID, traceId) && (parentId === undefined || sameId(parentId, ref.spanID))) {
      parentId = ref.spanID;
      break;
    }
  }
  const tags: Record<string, string> = {};
  const local: Obj = {};
  if (process && typeof process.serviceName === 'string') local.serviceName = process.serviceName;
  for (const t of kvs(process?.tags)) {
    // jaeger clients report their address as the process tag "ip".
    if (t.key === 'ip') local.ipv4 = ipFromTag(t.value);
    else tags[t.key] = t.value;
  }
  let kind: string | undefined;
  const remote: Obj = {};
  for (const t of kvs(s.tags)) {
    if (t.key === 'span.kind') {
      kind = KINDS[t.value.toLowerCase()];
      continue;
    }
    // zipkin: the presence of the error tag means failure, so error=false is not carried over.
    if (t.key === 'error' && t.value === 'false') continue;
    if (t.key === 'peer.service') remote.serviceName = t.value;
    else if (t.key === 'peer.ipv4') remote.ipv4 = ipFromTag(t.value);
    else if (t.key === 'peer.ipv6') remote.ipv6 = t.value;
    else if (t.key === 'peer.port' && /^\d+$/.test(t.value) && Number(t.value) <= 65535) remote.port = Number(t.value);
    tags[t.key] = t.value;
  }
  const start = s.startTime;
  const v2: Obj = {
    traceId,
    id: s.spanID ?? s.spanId,
    name: s.operationName,
    timestamp: start,
    duration: s.duration,
    tags,
    annotations: list(s.logs).map((l) => {
      const fields = kvs(l.fields);
      // A log with only an "event" field is that event's name; otherwise its fields as `k=v` pairs.
      const value = fields.length === 1 && fields[0]!.key === 'event' ? fields[0]!.value : fields.map((f) => `${f.key}=${f.value}`).join(' ');
      return { timestamp: l.timestamp || start, value };
    }),
  };
  if (parentId !== undefined) v2.parentId = parentId;
  if (kind) v2.kind = kind;
  if (Object.keys(local).length > 0) v2.localEndpoint = local;
  if (Object.keys(remote).length > 0) v2.remoteEndpoint = remote;
  if (typeof s.flags === 'number' && (s.flags & DEBUG_FLAG) !== 0) v2.debug = true;
  return v2;
}
