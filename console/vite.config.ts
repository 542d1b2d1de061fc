import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

// The API process serves dist/ at `/`; `vite dev` proxies the API to a running stack.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [vue()],
  build: { outDir: 'dist', emptyOutDir: true },
  server: {
    proxy: {
      '/api': process.env.OPENKCM_API_URL ?? 'http://127.0.0.1:8080',
      '/healthz': process.env.OPENKCM_API_URL ?? 'http://127.0.0.1:8080',
    },
  },
});
