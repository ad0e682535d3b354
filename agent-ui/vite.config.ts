import { defineConfig } from 'vite';

// The server (npm start) listens on 3000; in development Vite serves the UI and passes the rest on.
const server = process.env.SWITCHBOARD_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: import.meta.dirname,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true },
  server: {
    proxy: {
      '/api': server,
      '/twilio-sim': server,
      '/socket.io': { target: server, ws: true },
    },
  },
});
