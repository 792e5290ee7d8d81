/**
 * Messages between the bench orchestrator (run.ts) and its child processes over the fork() IPC channel.
 * Nothing is sent while a measurement runs, so the channel costs the measured processes nothing.
 */
import type { BodyFormat } from './ingest-bodies.js';

export interface MemorySample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

/** Orchestrator -> ceiling-json-parse.ts */
export type ToParse =
  | { type: 'setup'; templates: number; seed: number; bodies: number }
  | { type: 'slice'; spans: number }
  | { type: 'stop' };

/** ceiling-json-parse.ts -> orchestrator */
export type FromParse =
  | { type: 'ready' }
  | { type: 'slice-done'; spans: number; seconds: number; cpuSeconds: number }
  | { type: 'error'; message: string };

/** Orchestrator -> bench-server.ts */
export type ToServer =
  | { type: 'preload'; traces: number; seed: number; endTsMicros: number; spreadMicros: number }
  | { type: 'gc' }
  | { type: 'heap-snapshot'; path: string }
  | { type: 'stop' };

/** bench-server.ts / ceiling-http-server.ts -> orchestrator */
export type FromServer =
  | { type: 'ready'; port: number }
  | { type: 'preloaded'; spans: number; traces: number; ms: number }
  | { type: 'memory'; memory: MemorySample }
  | { type: 'heap-snapshot'; path: string }
  | { type: 'error'; message: string };

/**
 * An interleaved ingest measurement: the same bodies go to several servers (Skein and the L1 ceiling) in
 * alternating phases that the orchestrator asks for, so that every server sees the same machine load.
 * Each target keeps its own position in the body sequence, so every server gets unique trace ids.
 */
export interface IngestSetup {
  kind: 'ingest';
  ports: number[];
  format: BodyFormat;
  gzip: boolean;
  connections: number;
  seed: number;
  /** Body templates to cycle through (each batchSpans spans); ids are rewritten on every round. */
  templates: number;
  batchSpans: number;
  /** Most bodies any one target will be sent (gzip bodies are compressed up front). */
  maxBodies: number;
}

export interface QuerySpec {
  name: string;
  /** Request paths, used round-robin. */
  paths: string[];
  concurrency: number;
  requests: number;
  /** Stop early once this much time has gone (at least minRequests are still made). */
  maxSeconds: number;
  minRequests: number;
  warmup: number;
}

export interface QueryJob {
  kind: 'query';
  port: number;
  specs: QuerySpec[];
}

export interface IngestResult {
  requests: number;
  spans: number;
  seconds: number;
  latenciesMs: { p50: number; p99: number; mean: number; max: number };
  errors: number;
  statusCounts: Record<string, number>;
  bodyBytes: number;
}

export interface QueryResult {
  name: string;
  concurrency: number;
  requests: number;
  errors: number;
  seconds: number;
  latenciesMs: { p50: number; p99: number; mean: number; max: number };
  responseBytes: number;
}

/** Orchestrator -> load-generator.ts */
export type ToLoad =
  | { type: 'job'; job: IngestSetup | QueryJob }
  /** Send `spans` spans to target `target`; `record` adds the phase to that target's summary. */
  | { type: 'phase'; target: number; spans: number; record: boolean }
  | { type: 'summary' }
  | { type: 'stop' };

/** load-generator.ts -> orchestrator */
export type FromLoad =
  | { type: 'ready' }
  | { type: 'set-up' }
  | { type: 'phase-done'; spans: number; seconds: number; errors: number }
  | { type: 'summary'; results: IngestResult[] }
  | { type: 'query-done'; results: QueryResult[] }
  | { type: 'error'; message: string };
