import type { FastifyInstance, FastifyReply } from 'fastify';
import type { StorageComponent } from '../storage/storage-component.js';

/** A component besides storage whose state /health reports (a queue consumer: its broker connection). */
export interface ComponentHealth {
  name: string;
  up: boolean;
  details: Record<string, unknown>;
}

/**
 * /health and /actuator/health in zipkin's shape: {"status":"UP","zipkin":{"status":"UP","details":{...}}}.
 * DOWN answers 503 so load balancers take the node out. Queue consumers are components too, as zipkin's
 * collectors are: one that is not connected to its broker is DOWN with its state and last error.
 */
export function registerHealth(
  app: FastifyInstance,
  storage: StorageComponent,
  storageName: string,
  components: () => ComponentHealth[] = () => [],
): void {
  const handler = async (_req: unknown, reply: FastifyReply) => {
    const result = await storage.check();
    const storageStatus = result.ok ? 'UP' : 'DOWN';
    const details: Record<string, object> = {
      [storageName]: result.ok
        ? { status: storageStatus }
        : { status: storageStatus, details: { error: result.error } },
    };
    let ok = result.ok;
    for (const c of components()) {
      ok &&= c.up;
      details[c.name] = { status: c.up ? 'UP' : 'DOWN', details: c.details };
    }
    const status = ok ? 'UP' : 'DOWN';
    return reply.code(ok ? 200 : 503).send({ status, zipkin: { status, details } });
  };
  app.get('/health', handler);
  app.get('/actuator/health', handler);
}

/** What /ready reports: false until every listener is bound, and again once shutdown starts. */
export interface Readiness {
  ready: boolean;
  /** Why not ready: 'starting' or 'shutting down'. */
  reason: string;
}

/**
 * /ready for orchestrators (a Kubernetes readinessProbe, a load balancer's drain): 200 once storage is open
 * and every listener and queue consumer has started, 503 before that and from the moment a graceful stop
 * begins, so traffic moves away while accepted work finishes. /health says whether the parts work; /ready
 * says whether to send traffic here. Like /health and /info it is never behind authentication.
 */
export function registerReady(app: FastifyInstance, readiness: () => Readiness): void {
  app.get('/ready', async (_req, reply) => {
    const r = readiness();
    return r.ready
      ? reply.code(200).send({ status: 'READY' })
      : reply.code(503).send({ status: 'NOT_READY', reason: r.reason });
  });
}

export function registerInfo(app: FastifyInstance, info: { version: string; commit: string }): void {
  const body = { zipkin: info, skein: info };
  app.get('/info', async () => body);
  app.get('/actuator/info', async () => body);
}
