// Small pieces shared by the portal, chat, admin screens and the bell: error display (API errors
// with their `details` shown inline beside the field they name), times, ids for Idempotency-Key,
// and the admin screens' settings load/save hook, list paging, save bar and delete button.
import type { ReactNode } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, ApiError } from "../../api/client";

export type Detail = { field: string; issue: string };

/** The `details` of an API error that name a field (`{"field", "issue"}`), else []. */
export function detailsOf(error: unknown): Detail[] {
  if (!(error instanceof ApiError)) return [];
  return (error.details ?? []).flatMap((d) => {
    if (d && typeof d === "object" && "issue" in d) {
      const rec = d as Record<string, unknown>;
      return [{ field: String(rec.field ?? ""), issue: String(rec.issue) }];
    }
    return [];
  });
}

/** Does a detail's field belong to `prefix` (the field itself, or a nested one: `targets.HIGH…`)? */
export function fieldMatches(field: string, prefix: string): boolean {
  return field === prefix || field.startsWith(prefix + ".") || field.startsWith(prefix + "[");
}

/** The inline issue text for one form field (or a group of them), if the error names it. */
export function FieldError({
  error,
  field,
  id,
  exact = false,
}: {
  error: unknown;
  field: string | string[];
  id?: string;
  exact?: boolean; // only the field itself, not the fields nested in it
}) {
  const prefixes = Array.isArray(field) ? field : [field];
  const mine = detailsOf(error).filter((d) =>
    prefixes.some((p) => (exact ? d.field === p : fieldMatches(d.field, p))),
  );
  if (!mine.length) return null;
  return (
    <span className="field-error error" id={id} role="alert">
      {mine.map((d, i) => (
        <span key={i}>
          {d.field && !prefixes.includes(d.field) ? `${d.field}: ` : ""}
          {d.issue}
          {i < mine.length - 1 ? "; " : ""}
        </span>
      ))}
    </span>
  );
}

/**
 * Any error, never swallowed: the message and (unless shown inline for `inlineFields`) each detail.
 */
export function ErrorBox({
  error,
  inlineFields = [],
  testId,
}: {
  error: unknown;
  inlineFields?: string[];
  testId?: string;
}) {
  if (!error) return null;
  const message =
    error instanceof ApiError
      ? `${error.message} (${error.status} ${error.code})`
      : error instanceof Error
        ? error.message
        : String(error);
  const rest = detailsOf(error).filter((d) => !inlineFields.some((p) => fieldMatches(d.field, p)));
  return (
    <div className="error-box error" role="alert" data-testid={testId}>
      <strong>{message}</strong>
      {rest.length > 0 && (
        <ul>
          {rest.map((d, i) => (
            <li key={i}>
              {d.field ? <code>{d.field}</code> : null} {d.issue}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function newKey(): string {
  return typeof crypto !== "undefined" && "randomUUID" in crypto
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

export function humanize(value: string): string {
  return value.replace(/_/g, " ").toLowerCase().replace(/^./, (c) => c.toUpperCase());
}

export function Pill({ kind, children }: { kind: string; children: ReactNode }) {
  return <span className={`pill pill-${kind.toLowerCase()}`}>{children}</span>;
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

/** A settings document (GET/PUT `path`), cached under ["admin", name]; a save updates the cache. */
export function useSettings<T>(name: string, path: string, onSaved?: (data: T) => void) {
  const qc = useQueryClient();
  const queryKey = ["admin", name];
  const query = useQuery({ queryKey, queryFn: () => api.get<T>(path) });
  const save = useMutation({
    mutationFn: (body: T) => api.put<T>(path, body),
    onSuccess: (data) => {
      qc.setQueryData(queryKey, data);
      onSaved?.(data);
    },
  });
  return { query, save };
}

/** Every item of a paged list (`limit`/`cursor` → `items`/`next_cursor`), fetched page by page. */
export async function fetchAllPages<T>(path: string): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  do {
    const page: { items: T[]; next_cursor?: string | null } = await api.get(path, { limit: 100, cursor });
    all.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return all;
}

/** A form's submit button ("Saving…" while pending), "Saved." after a save if `saved`, then `children`. */
export function SaveActions({
  pending,
  label,
  testId,
  saved = false,
  children,
}: {
  pending: boolean;
  label: string;
  testId: string;
  saved?: boolean;
  children?: ReactNode;
}) {
  return (
    <div className="actions">
      <button type="submit" className="primary" disabled={pending} data-testid={testId}>
        {pending ? "Saving…" : label}
      </button>
      {saved && !pending && (
        <span role="status" className="ok">
          Saved.
        </span>
      )}
      {children}
    </div>
  );
}

/** A list row's "Delete" link-button, asking `confirm` first. */
export function DeleteButton({ confirm, onDelete }: { confirm: string; onDelete: () => void }) {
  return (
    <button
      type="button"
      className="link danger"
      onClick={() => {
        if (window.confirm(confirm)) onDelete();
      }}
    >
      Delete
    </button>
  );
}
