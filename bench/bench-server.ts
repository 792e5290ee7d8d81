/**
 * The server under test: Skein's composition root (startSkein, exactly what `npm start` runs) configured
 * from the environment like main.ts, in its own process, plus bench-only hooks over the fork() IPC channel:
 * preload the store in-process through its SpanConsumer, force a GC and report memory, write a heap
 * snapshot. The hooks only run when asked, between measurements.
 */
import { writeHeapSnapshot } from 'node:v8';
import { pino } from 'pino';
import { parseConfig, readRawConfig } from '../src/server/config.js';
import { startSkein } from '../src/server/skein-server.js';
import type { FromServer, MemorySample, ToServer } from './protocol.js';
import { decodeJsonV2List, encodeJsonV2List } from '../src/codec/json-v2/json-v2-codec.js';
import { datasetSpans } from './query-dataset.js';

const send = (m: FromServer) => process.send!(m);

const config = parseConfig(readRawConfig(process.env, []));
const server = await startSkein(config, pino({ level: config.logLevel }));

function memory(): MemorySample {
  const m = process.memoryUsage();
  return {
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
  };
}

function fullGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('bench-server needs --expose-gc');
  // Several passes: weak references and finalizers free more on the second and third.
  for (let i = 0; i < 3; i++) gc();
}

process.on('message', (m: ToServer) => {
  void (async () => {
    switch (m.type) {
      case 'preload': {
        const start = performance.now();
        const consumer = server.storage.spanConsumer();
        const opts = {
          seed: m.seed,
          endTsMicros: m.endTsMicros,
          spreadMicros: m.spreadMicros,
          traces: m.traces,
        };
        let spans = 0;
        // Batches of 100 traces (1000 spans), a few at a time, as concurrent HTTP batches would arrive.
        const inFlight: Promise<void>[] = [];
        for (let t = 0; t < m.traces; t += 100) {
          // Through the JSON v2 codec, so that the store holds exactly what HTTP ingest would give it (flat
          // strings, JSON.parse's object shapes), not the generator's own string concatenations.
          const batch = decodeJsonV2List(
            encodeJsonV2List(datasetSpans(opts, t, Math.min(m.traces, t + 100))),
          );
          spans += batch.length;
          inFlight.push(consumer.accept(batch));
          if (inFlight.length >= 8) await Promise.all(inFlight.splice(0));
        }
        await Promise.all(inFlight);
        send({ type: 'preloaded', spans, traces: m.traces, ms: performance.now() - start });
        break;
      }
      case 'gc':
        fullGc();
        send({ type: 'memory', memory: memory() });
        break;
      case 'heap-snapshot':
        fullGc();
        send({ type: 'heap-snapshot', path: writeHeapSnapshot(m.path) });
        break;
      case 'stop':
        await server.close();
        // process.exit so that --cpu-prof writes its profile now.
        process.exit(0);
    }
  })().catch((e: unknown) =>
    send({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
  );
});

send({ type: 'ready', port: server.port });
