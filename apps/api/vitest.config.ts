import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  // graphql ships CJS and ESM builds; Pothos and yoga load the CJS one, so our code must too
  // (two copies cannot share a schema).
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: { testTimeout: 30_000, hookTimeout: 60_000 },
});
