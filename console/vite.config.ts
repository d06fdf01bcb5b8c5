import { defineConfig } from 'vite';

// Served by the congress server at /console/ (index.html and projector.html).
export default defineConfig({
  base: '/console/',
  build: {
    target: 'es2022',
    rollupOptions: {
      input: {
        main: 'index.html',
        projector: 'projector.html',
      },
    },
  },
});
