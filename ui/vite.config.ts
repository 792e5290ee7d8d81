import { defineConfig } from 'vite';

// The UI is served by the server at /zipkin/ (zipkin's path), so every asset URL is under it.
export default defineConfig({
  root: __dirname,
  base: '/zipkin/',
  build: { outDir: 'dist', emptyOutDir: true },
});
