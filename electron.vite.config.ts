/**
 * electron-vite build of the three processes from this repo's layout (not electron-vite's
 * default src/): main (plus the backend utility process), a CommonJS preload so the renderer
 * can stay sandboxed, and the Svelte renderer.
 */
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: resolve(root, 'electron/main/index.ts'),
          backend: resolve(root, 'electron/backend/utility.ts'),
          worker: resolve(root, 'electron/backend/jobs/worker-entry.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(root, 'electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    // Relative asset URLs work both from file:// (Electron) and from the browser-mode server.
    base: './',
    plugins: [svelte({ configFile: resolve(root, 'svelte.config.js') })],
    build: {
      outDir: resolve(root, 'out/renderer'),
      emptyOutDir: true,
      rollupOptions: { input: resolve(root, 'renderer/index.html') },
    },
  },
});
