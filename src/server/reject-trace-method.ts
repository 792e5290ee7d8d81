import type { FastifyInstance } from 'fastify';

/**
 * zipkin-server (Armeria) answers TRACE with 405 on every path: TRACE echoes the request back, headers and
 * all, which cross-site tracing uses to read cookies and auth headers. Without this fastify says 404 on a
 * path that exists. Other unknown methods keep fastify's 404, as Zipkin's API paths do.
 */
export function rejectTraceMethod(app: FastifyInstance): void {
  app.addHook('onRequest', async (req, reply) => {
    if (req.method === 'TRACE')
      return reply.code(405).type('text/plain; charset=utf-8').send('405 Method Not Allowed');
    return undefined;
  });
}
