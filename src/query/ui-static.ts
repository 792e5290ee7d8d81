import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

/** ui/dist relative to this module: the same depth from src/query (tests) and dist/query (npm start). */
export const UI_DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'ui', 'dist');

const INDEX_CACHE_CONTROL = 'max-age=60';

/**
 * Serves the built UI at /zipkin/ (zipkin's path, so bookmarks keep working). Deep links such as
 * /zipkin/traces/{id} and /zipkin/dependency get index.html and the SPA routes them. / and /zipkin redirect.
 */
export async function registerUi(app: FastifyInstance, uiDist = UI_DIST): Promise<void> {
  app.get('/', async (_req, reply) => reply.redirect('/zipkin/', 302));
  // Keep the query string: /zipkin?serviceName=x is a search link and must survive the redirect.
  app.get('/zipkin', async (req, reply) => {
    const q = req.url.indexOf('?');
    return reply.redirect(`/zipkin/${q === -1 ? '' : req.url.slice(q)}`, 302);
  });
  if (!existsSync(join(uiDist, 'index.html'))) {
    app.get('/zipkin/', async (_req, reply) =>
      reply.code(503).type('text/plain').send('The UI is not built: run `npm run build` (npm install does it).'),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root: uiDist,
    prefix: '/zipkin/',
    wildcard: false,
    // Hashed assets never change. index.html gets zipkin's max-age=60 (ZipkinUiConfiguration), so a new
    // build is picked up within a minute.
    setHeaders: (res, path) => {
      res.header('Cache-Control', path.endsWith('index.html') ? INDEX_CACHE_CONTROL : 'public, max-age=31536000, immutable');
    },
  });
  app.get('/zipkin/*', async (req, reply) => {
    const rest = (req.params as { '*': string })['*'];
    // Paths that look like files but do not exist are real 404s, not SPA routes.
    if (rest.startsWith('api/') || rest.startsWith('assets/')) return reply.code(404).send({ error: 'Not Found' });
    return reply.header('Cache-Control', INDEX_CACHE_CONTROL).sendFile('index.html');
  });
}
