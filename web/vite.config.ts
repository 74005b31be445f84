import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// The page is served by `ward` with a strict CSP: no inline scripts or styles, so the build
// emits only files (no module-preload polyfill, CSS extracted).
export default defineConfig({
  plugins: [svelte()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    cssCodeSplit: false,
    assetsInlineLimit: 0,
    sourcemap: false,
  },
});
