import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// `npm run dev` serves the app with hot reload on :5173 and sends API calls to `regentra local` on :3000.
// `make dev` builds into dist/, which `regentra local` serves itself at http://127.0.0.1:3000/.
const api = process.env.REGENTRA_API ?? "http://127.0.0.1:3000";
const apiPaths = [
  "/tickets", "/cascades", "/clients", "/contacts", "/settings", "/reports", "/kb", "/automations",
  "/notifications", "/ai", "/chat", "/sla-policies", "/_local", "/openapi.json",
];

export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", sourcemap: false },
  server: {
    proxy: Object.fromEntries(apiPaths.map((p) => [p, { target: api, changeOrigin: true }])),
  },
});
