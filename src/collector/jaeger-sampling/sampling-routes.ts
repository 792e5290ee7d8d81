import type { FastifyInstance } from 'fastify';
import type { SamplingStrategies } from './sampling-strategies.js';

/** jaeger agent :5778 GET /sampling?service=<name>: the strategy for that service; 400 without a service. */
export function registerSamplingRoutes(app: FastifyInstance, strategies: SamplingStrategies): void {
  app.get<{ Querystring: { service?: string } }>('/sampling', async (req, reply) => {
    const service = req.query.service;
    if (typeof service !== 'string' || service === '') {
      return reply
        .code(400)
        .type('text/plain; charset=utf-8')
        .send("'service' parameter must be provided once");
    }
    return reply.type('application/json').send(JSON.stringify(strategies.forService(service)));
  });
}
