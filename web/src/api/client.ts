// The one way the app talks to the API: same origin, bearer token, JSON, errors as ApiError.
// Request and response types come from ./schema.d.ts, generated from ../../openapi.json (`npm run gen`).
import { getSession } from "../auth";

export type ApiErrorBody = { error: { code: string; message: string; details: unknown[] } };

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public details: unknown[] = [],
  ) {
    super(message);
  }
}

export type RequestOptions = {
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined | null>;
  token?: string;
};

export function withQuery(path: string, query?: RequestOptions["query"]): string {
  if (!query) return path;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== "") qs.set(k, String(v));
  }
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

export type ApiResponse<T> = { status: number; data: T; headers: Headers };

// Where the API is: "" (same origin) under `regentra local`; in AWS the `api_url` of /config.json
// (the API Gateway URL), set once at start-up by main.tsx.
let apiBase = "";

export function setApiBase(url: string | null | undefined): void {
  apiBase = (url ?? "").replace(/\/+$/, "");
}

export function apiUrl(path: string): string {
  return path.startsWith("/") ? apiBase + path : path;
}

const SESSION_KEY = "regentra.session";

/** A token the API no longer accepts (expired, or the local stack restarted): sign in again. */
function sessionExpired(): void {
  localStorage.removeItem(SESSION_KEY);
  if (window.location.pathname !== "/signin") {
    const next = encodeURIComponent(window.location.pathname + window.location.search);
    window.location.assign(`/signin?next=${next}&expired=1`);
  }
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
  const token = opts.token ?? getSession()?.token;
  const headers: Record<string, string> = { Accept: "application/json", ...(opts.headers ?? {}) };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (opts.body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(apiUrl(withQuery(path, opts.query)), {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : undefined;
  if (res.status === 401 && token && !opts.token) sessionExpired();
  if (!res.ok) {
    const err = (data as ApiErrorBody | undefined)?.error;
    throw new ApiError(res.status, err?.code ?? "http_error", err?.message ?? `HTTP ${res.status}`, err?.details ?? []);
  }
  return { status: res.status, data: data as T, headers: res.headers };
}

export const api = {
  get: <T>(path: string, query?: RequestOptions["query"]) => request<T>("GET", path, { query }).then((r) => r.data),
  post: <T>(path: string, body?: unknown, headers?: Record<string, string>) =>
    request<T>("POST", path, { body: body ?? {}, headers }).then((r) => r.data),
  put: <T>(path: string, body: unknown) => request<T>("PUT", path, { body }).then((r) => r.data),
  patch: <T>(path: string, body: unknown, headers?: Record<string, string>) =>
    request<T>("PATCH", path, { body, headers }).then((r) => r.data),
  del: <T>(path: string) => request<T>("DELETE", path).then((r) => r.data),
};
