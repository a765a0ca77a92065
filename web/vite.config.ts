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
    // A page load of a screen that shares its path with the API (/tickets, /chat) gets the app,
    // as `regentra local` does; fetches go to the API.
    proxy: Object.fromEntries(
      apiPaths.map((p) => [
        p,
        {
          target: api,
          changeOrigin: true,
          bypass: (req: { headers: Record<string, string | string[] | undefined> }) =>
            req.headers["sec-fetch-mode"] === "navigate" ? "/index.html" : undefined,
        },
      ]),
    ),
  },
});
