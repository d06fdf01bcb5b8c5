import { defineConfig } from 'vite';

// Served by the congress server at /tablet/.
export default defineConfig({
  base: '/tablet/',
  build: { target: 'es2022' },
});
