import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** Paths the API owns; `vite dev` and `vite preview` forward them to a locally running API. */
const apiTarget = 'http://localhost:8080';
const proxy = Object.fromEntries(
  ['/trpc', '/api', '/v1', '/graphql', '/health'].map((path) => [path, { target: apiTarget, changeOrigin: true }]),
);

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true },
  server: { proxy },
  preview: { proxy },
});
