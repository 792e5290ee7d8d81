import type { FastifyInstance, FastifyReply } from 'fastify';
import type { StorageComponent } from '../storage/storage-component.js';

/**
 * /health and /actuator/health in zipkin's shape: {"status":"UP","zipkin":{"status":"UP","details":{...}}}.
 * DOWN answers 503 so load balancers take the node out.
 */
export function registerHealth(app: FastifyInstance, storage: StorageComponent, storageName: string): void {
  const handler = async (_req: unknown, reply: FastifyReply) => {
    const result = await storage.check();
    const status = result.ok ? 'UP' : 'DOWN';
    const detail = result.ok ? { status } : { status, details: { error: result.error } };
    return reply.code(result.ok ? 200 : 503).send({ status, zipkin: { status, details: { [storageName]: detail } } });
  };
  app.get('/health', handler);
  app.get('/actuator/health', handler);
}

export function registerInfo(app: FastifyInstance, info: { version: string; commit: string }): void {
  const body = { zipkin: info, skein: info };
  app.get('/info', async () => body);
  app.get('/actuator/info', async () => body);
}
