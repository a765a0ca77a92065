// Live time for SLA countdowns. Due times come from the API; the countdown ticks in the browser.
// Locally the server's clock can run ahead (POST /_local/clock), so the skew is read from
// GET /_local/clock when that route exists (absent in AWS, where the skew is 0).
import { useEffect, useState } from "react";
import { useQuery } from "@tanstack/react-query";

async function fetchSkew(): Promise<number> {
  try {
    const before = Date.now();
    const res = await fetch("/_local/clock", { headers: { Accept: "application/json" } });
    if (!res.ok || !(res.headers.get("content-type") ?? "").includes("json")) return 0;
    const body = (await res.json()) as { now?: string };
    const server = body.now ? Date.parse(body.now) : NaN;
    if (Number.isNaN(server)) return 0;
    return server - (before + Date.now()) / 2;
  } catch {
    return 0;
  }
}

/** Milliseconds the API's clock is ahead of this browser's. */
export function useClockSkew(): number {
  const q = useQuery({ queryKey: ["server-clock"], queryFn: fetchSkew, refetchInterval: 30_000, staleTime: 25_000 });
  return q.data ?? 0;
}

/** "Now" on the API's clock, re-rendering every `tickMs`. */
export function useNow(tickMs = 1000): number {
  const skew = useClockSkew();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), tickMs);
    return () => clearInterval(t);
  }, [tickMs]);
  return now + skew;
}

/** "2d 4h", "3h 05m", "12m 30s", "45s". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(Math.abs(ms) / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m ${String(sec).padStart(2, "0")}s`;
  return `${sec}s`;
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function formatMinutes(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h ? `${h}h ${String(m).padStart(2, "0")}m` : `${m}m`;
}
