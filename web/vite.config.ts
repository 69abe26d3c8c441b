import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const webRoot = fileURLToPath(new URL('.', import.meta.url));

// The web app builds into web/dist, which the Leadloop server serves at `/` (src/server/web.routes.ts).
export default defineConfig({
  root: webRoot,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Charts are the heaviest dependency; they load with the screens that draw them, not with the login page.
    chunkSizeWarningLimit: 900,
    rollupOptions: {
      // zod 4 ships comments Rollup cannot place (INVALID_ANNOTATION, in its own files): they printed two long warnings
      // on every first `npm start`, about nothing the project can change. Every other warning still prints.
      onwarn(warning, warn) {
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('/node_modules/')) return;
        warn(warning);
      },
    },
  },
  server: {
    // `npm run dev:web` next to a running `npm start`: the API stays on the Leadloop server.
    proxy: { '/api': 'http://127.0.0.1:3000' },
    fs: { allow: ['..'] },
  },
});
