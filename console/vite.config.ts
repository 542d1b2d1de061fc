import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const apiUrl = process.env.OPENKCM_API_URL ?? 'http://127.0.0.1:8080';

// The API process serves dist/ at `/` (one origin, no CORS); `vite dev` proxies the API
// to a running stack so the console can be developed against real data.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [vue()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: {
    proxy: {
      '/api': apiUrl,
      '/healthz': apiUrl,
    },
  },
});
