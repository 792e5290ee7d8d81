import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const target = process.env.SKEIN_URL ?? 'http://localhost:9411';

// The UI is served by the server at /zipkin/ (zipkin's path, so Lens bookmarks keep working).
// `npx vite ui` proxies the public API to a running server for development.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/zipkin/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 400 },
  server: {
    proxy: {
      '/zipkin/api': target,
      '/zipkin/config.json': target,
    },
  },
});
