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
      [storageName]: result.ok ? { status: storageStatus } : { status: storageStatus, details: { error: result.error } },
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

export function registerInfo(app: FastifyInstance, info: { version: string; commit: string }): void {
  const body = { zipkin: info, skein: info };
  app.get('/info', async () => body);
  app.get('/actuator/info', async () => body);
}
