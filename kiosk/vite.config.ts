import { defineConfig } from 'vite';

// Served by the congress server at /kiosk/.
export default defineConfig({
  base: '/kiosk/',
  build: { target: 'es2022' },
});
