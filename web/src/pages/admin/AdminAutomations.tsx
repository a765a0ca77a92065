// /admin/automations: rules (POST/GET /automations, GET/PUT/DELETE /automations/{id}) with an
// enable toggle, an editor for conditions and actions (rows, or the whole rule as JSON), the run
// log (GET /automations/{id}/runs) and a dry run on a ticket (POST /automations/{id}/test).
import { useState, type FormEvent } from "react";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, Route, Routes, useNavigate, useParams } from "react-router-dom";
import { api } from "../../api/client";
import type {
  Action,
  AutomationRun,
  AutomationRunPage,
  Condition,
  DryRunResult,
  Notify,
  RuleBody,
  RulePage,
  RuleView,
  TicketPage,
} from "../../api/types";
import { DeleteButton, ErrorBox, FieldError, fmtTime, Loading, SaveActions } from "./ui";

const TRIGGERS: RuleBody["trigger"][] = [
  "ticket.created",
  "ticket.status_changed",
  "ticket.updated",
  "reply.added",
  "sla.at_risk",
  "sla.breached",
];
const FIELDS: Condition["field"][] = ["priority", "status", "category", "channel", "client", "contact_email", "subject", "description", "assignee"];
const OPERATORS: Condition["operator"][] = ["equals", "in", "contains", "not", "changed_to"];
const ACTION_TYPES: Action["type"][] = ["assign", "change_priority", "set_status", "add_note", "add_tag", "send_notification"];
const ENUMS: Record<string, string[]> = {
  priority: ["LOW", "MEDIUM", "HIGH", "CRITICAL"],
  status: ["OPEN", "IN_PROGRESS", "WAITING_ON_CUSTOMER", "ESCALATED", "RESOLVED", "CLOSED"],
  channel: ["MANUAL", "EMAIL", "PORTAL", "CHAT", "SMS"],
  category: ["security", "outage", "access", "email", "network", "hardware", "software", "billing", "request", "other"],
};

const rulesKey = ["admin", "automations"];

export function AdminAutomations() {
  return (
    <Routes>
      <Route index element={<RuleList />} />
      <Route path="new" element={<RuleEditor />} />
      <Route path=":ruleId" element={<RuleEditor />} />
    </Routes>
  );
}

function bodyOf(r: RuleView): RuleBody {
  return {
    name: r.name,
    enabled: r.enabled,
    order: r.order,
    stop_after_match: r.stop_after_match,
    trigger: r.trigger,
    conditions: r.conditions,
    actions: r.actions,
  };
}

function RuleList() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: rulesKey, queryFn: () => api.get<RulePage>("/automations") });
  const toggle = useMutation({
    mutationFn: (r: RuleView) => api.put<RuleView>(`/automations/${r.id}`, { ...bodyOf(r), enabled: !r.enabled }),
    onSuccess: () => qc.invalidateQueries({ queryKey: rulesKey }),
  });
  const del = useMutation({
    mutationFn: (id: string) => api.del(`/automations/${encodeURIComponent(id)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: rulesKey }),
  });
  const items = q.data?.items ?? [];
  return (
    <section aria-labelledby="rules-title">
      <div className="page-head">
        <h2 id="rules-title">Automations</h2>
        <Link className="button primary" to="new" data-testid="automation-new">
          New rule
        </Link>
      </div>
      <p className="hint">Rules run in ascending order; all conditions of a rule must match.</p>
      <ErrorBox error={q.error} />
      <ErrorBox error={toggle.error} />
      <ErrorBox error={del.error} />
      {q.isPending ? (
        <Loading what="rules" />
      ) : items.length === 0 && !q.error ? (
        <p className="muted">No rules yet.</p>
      ) : (
        <table className="data-table" data-testid="automations">
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Name</th>
              <th scope="col">Trigger</th>
              <th scope="col">Conditions</th>
              <th scope="col">Actions</th>
              <th scope="col">Enabled</th>
              <th scope="col">
                <span className="sr-only">Manage</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.id} data-testid={`automation-row-${r.id}`}>
                <td>{r.order}</td>
                <td>
                  <Link to={r.id}>{r.name}</Link>
                  {r.stop_after_match && <span className="muted small"> · stops after match</span>}
                </td>
                <td>
                  <code>{r.trigger}</code>
                </td>
                <td className="small">{(r.conditions ?? []).map(conditionText).join(" and ") || "always"}</td>
                <td className="small">{r.actions.map((a) => a.type).join(", ")}</td>
                <td>
                  <label className="switch">
                    <input
                      type="checkbox"
                      role="switch"
                      checked={r.enabled}
                      aria-label={`Enable ${r.name}`}
                      data-testid={`automation-enabled-${r.id}`}
                      disabled={toggle.isPending}
                      onChange={() => toggle.mutate(r)}
                    />
                    <span>{r.enabled ? "On" : "Off"}</span>
                  </label>
                </td>
                <td className="row-actions">
                  <Link to={r.id}>Edit, runs, test</Link>
                  <DeleteButton confirm={`Delete the rule "${r.name}"?`} onDelete={() => del.mutate(r.id)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function show(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

function conditionText(c: Condition): string {
  return `${c.field} ${c.operator} ${show(c.value)}`;
}

// --- the editor --------------------------------------------------------------------------------

/** A value typed in a text box: JSON when it is JSON-looking (`null`, `[...]`, `{...}`), else text;
 *  for `in` / `not`, "a, b" is the list ["a", "b"]. */
function parseValue(text: string, listy: boolean): Condition["value"] {
  const t = text.trim();
  if (t === "null" || t.startsWith("[") || t.startsWith("{")) {
    try {
      return JSON.parse(t); // the API says what is wrong with it, if anything
    } catch {
      return text;
    }
  }
  if (listy && t.includes(",")) {
    return t
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  }
  return text;
}

function valueText(v: unknown): string {
  if (v === undefined) return "";
  if (typeof v === "string") return v;
  if (Array.isArray(v) && v.every((x) => typeof x === "string" && !x.includes(","))) return v.join(", ");
  return JSON.stringify(v);
}

type Draft = {
  name: string;
  enabled: boolean;
  order: number;
  stop_after_match: boolean;
  trigger: RuleBody["trigger"];
  conditions: { field: Condition["field"]; operator: Condition["operator"]; value: string }[];
  actions: Action[];
};

function toDraft(b: RuleBody): Draft {
  return {
    name: b.name,
    enabled: b.enabled ?? true,
    order: b.order ?? 100,
    stop_after_match: b.stop_after_match ?? false,
    trigger: b.trigger,
    conditions: (b.conditions ?? []).map((c) => ({ field: c.field, operator: c.operator, value: valueText(c.value) })),
    actions: b.actions.map((a) => ({ ...a })),
  };
}

function fromDraft(d: Draft): RuleBody {
  return {
    name: d.name,
    enabled: d.enabled,
    order: d.order,
    stop_after_match: d.stop_after_match,
    trigger: d.trigger,
    conditions: d.conditions.map((c) => ({
      field: c.field,
      operator: c.operator,
      value: parseValue(c.value, c.operator === "in" || c.operator === "not"),
    })),
    actions: d.actions,
  };
}

const EMPTY: RuleBody = {
  name: "",
  enabled: true,
  order: 100,
  stop_after_match: false,
  trigger: "ticket.created",
  conditions: [{ field: "priority", operator: "equals", value: "CRITICAL" }],
  actions: [{ type: "send_notification", value: { user_id: null, email: null, message: null } }],
};

function RuleEditor() {
  const { ruleId } = useParams();
  const q = useQuery({
    queryKey: ["admin", "automation", ruleId],
    queryFn: () => api.get<RuleView>(`/automations/${encodeURIComponent(ruleId!)}`),
    enabled: !!ruleId,
  });
  if (ruleId && q.isPending) return <Loading what="the rule" />;
  if (ruleId && q.error) return <ErrorBox error={q.error} />;
  return (
    <section aria-labelledby="rule-title">
      <p>
        <Link to="/admin/automations">← All rules</Link>
      </p>
      <h2 id="rule-title">{ruleId ? `Rule: ${q.data?.name}` : "New rule"}</h2>
      <RuleForm key={ruleId ?? "new"} ruleId={ruleId} initial={q.data ? bodyOf(q.data) : EMPTY} />
      {ruleId && (
        <>
          <DryRun ruleId={ruleId} />
          <Runs ruleId={ruleId} />
        </>
      )}
    </section>
  );
}

function RuleForm({ ruleId, initial }: { ruleId?: string; initial: RuleBody }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [d, setD] = useState<Draft>(() => toDraft(initial));
  const [mode, setMode] = useState<"form" | "json">("form");
  const [json, setJson] = useState("");
  const [jsonError, setJsonError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (body: RuleBody) =>
      ruleId ? api.put<RuleView>(`/automations/${encodeURIComponent(ruleId)}`, body) : api.post<RuleView>("/automations", body),
    onSuccess: (rule) => {
      qc.invalidateQueries({ queryKey: rulesKey });
      qc.setQueryData(["admin", "automation", rule.id], rule);
      if (!ruleId) navigate(`/admin/automations/${rule.id}`, { replace: true });
    },
  });

  function toJson() {
    setJson(JSON.stringify(fromDraft(d), null, 2));
    setJsonError(null);
    setMode("json");
  }
  function fromJson(): RuleBody | null {
    try {
      const parsed = JSON.parse(json) as RuleBody;
      setJsonError(null);
      return parsed;
    } catch (e) {
      setJsonError(`Not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
      return null;
    }
  }
  function toForm() {
    const parsed = fromJson();
    if (parsed) {
      setD(toDraft({ ...EMPTY, conditions: [], ...parsed, actions: parsed.actions ?? [] }));
      setMode("form");
    }
  }
  function submit(e: FormEvent) {
    e.preventDefault();
    if (mode === "json") {
      const parsed = fromJson();
      if (parsed) save.mutate(parsed);
    } else {
      save.mutate(fromDraft(d));
    }
  }
  const set = (patch: Partial<Draft>) => setD({ ...d, ...patch });
  const setCond = (i: number, patch: Partial<Draft["conditions"][number]>) =>
    set({ conditions: d.conditions.map((c, j) => (j === i ? { ...c, ...patch } : c)) });
  const setAction = (i: number, a: Action) => set({ actions: d.actions.map((x, j) => (j === i ? a : x)) });

  return (
    <form className="form" onSubmit={submit} data-testid="automation-form" noValidate>
      <div className="tabs" role="tablist" aria-label="Edit as">
        <button type="button" role="tab" aria-selected={mode === "form"} className={mode === "form" ? "tab active" : "tab"} onClick={() => mode === "json" && toForm()}>
          Form
        </button>
        <button type="button" role="tab" aria-selected={mode === "json"} className={mode === "json" ? "tab active" : "tab"} onClick={() => mode === "form" && toJson()} data-testid="automation-json-tab">
          JSON
        </button>
      </div>
      {mode === "json" ? (
        <>
          <label htmlFor="rule-json">The whole rule as JSON</label>
          <textarea
            id="rule-json"
            className="mono"
            rows={18}
            value={json}
            onChange={(e) => setJson(e.target.value)}
            data-testid="automation-json"
          />
          {jsonError && (
            <p className="error" role="alert">
              {jsonError}
            </p>
          )}
        </>
      ) : (
        <>
          <div className="grid-2">
            <div className="field">
              <label htmlFor="rule-name">Name</label>
              <input id="rule-name" data-testid="automation-name" value={d.name} onChange={(e) => set({ name: e.target.value })} />
              <FieldError error={save.error} field="name" />
            </div>
            <div className="field">
              <label htmlFor="rule-trigger">When</label>
              <select id="rule-trigger" data-testid="automation-trigger" value={d.trigger} onChange={(e) => set({ trigger: e.target.value as RuleBody["trigger"] })}>
                {TRIGGERS.map((t) => (
                  <option key={t}>{t}</option>
                ))}
              </select>
              <FieldError error={save.error} field="trigger" />
            </div>
            <div className="field">
              <label htmlFor="rule-order">Order</label>
              <input
                id="rule-order"
                type="number"
                className="pa-num"
                value={Number.isNaN(d.order) ? "" : d.order}
                onChange={(e) => set({ order: e.target.valueAsNumber })}
              />
              <FieldError error={save.error} field="order" />
            </div>
            <div className="field">
              <label className="check">
                <input type="checkbox" checked={d.enabled} onChange={(e) => set({ enabled: e.target.checked })} /> Enabled
              </label>
              <label className="check">
                <input
                  type="checkbox"
                  checked={d.stop_after_match}
                  onChange={(e) => set({ stop_after_match: e.target.checked })}
                />{" "}
                Stop evaluating later rules when this one matches
              </label>
            </div>
          </div>

          <fieldset>
            <legend>Conditions (all must match)</legend>
            <p className="hint">
              Values are text; for <code>in</code> / <code>not</code> write <code>A, B</code> or a JSON list;{" "}
              <code>null</code> means empty (e.g. unassigned).
            </p>
            {d.conditions.map((c, i) => (
              <div className="row-editor" key={i} data-testid="automation-condition">
                <select aria-label={`Condition ${i + 1} field`} value={c.field} onChange={(e) => setCond(i, { field: e.target.value as Condition["field"] })}>
                  {FIELDS.map((f) => (
                    <option key={f}>{f}</option>
                  ))}
                </select>
                <select
                  aria-label={`Condition ${i + 1} operator`}
                  value={c.operator}
                  onChange={(e) => setCond(i, { operator: e.target.value as Condition["operator"] })}
                >
                  {OPERATORS.map((o) => (
                    <option key={o}>{o}</option>
                  ))}
                </select>
                <input
                  aria-label={`Condition ${i + 1} value`}
                  list={ENUMS[c.field] ? `enum-${c.field}` : undefined}
                  value={c.value}
                  onChange={(e) => setCond(i, { value: e.target.value })}
                />
                <button
                  type="button"
                  className="link danger"
                  aria-label={`Remove condition ${i + 1}`}
                  onClick={() => set({ conditions: d.conditions.filter((_, j) => j !== i) })}
                >
                  Remove
                </button>
                <FieldError error={save.error} field={`conditions.${i}`} />
              </div>
            ))}
            {Object.entries(ENUMS).map(([f, values]) => (
              <datalist id={`enum-${f}`} key={f}>
                {values.map((v) => (
                  <option key={v} value={v} />
                ))}
              </datalist>
            ))}
            <button
              type="button"
              onClick={() => set({ conditions: [...d.conditions, { field: "status", operator: "equals", value: "OPEN" }] })}
            >
              Add condition
            </button>
            <FieldError error={save.error} field="conditions" exact />
          </fieldset>

          <fieldset>
            <legend>Actions (in order)</legend>
            {d.actions.map((a, i) => (
              <div className="row-editor" key={i} data-testid="automation-action">
                <select
                  aria-label={`Action ${i + 1} type`}
                  value={a.type}
                  onChange={(e) => {
                    const type = e.target.value as Action["type"];
                    setAction(i, { type, value: defaultValue(type) });
                  }}
                >
                  {ACTION_TYPES.map((t) => (
                    <option key={t}>{t}</option>
                  ))}
                </select>
                <ActionValue index={i} action={a} onChange={(v) => setAction(i, { ...a, value: v })} />
                <button
                  type="button"
                  className="link danger"
                  aria-label={`Remove action ${i + 1}`}
                  onClick={() => set({ actions: d.actions.filter((_, j) => j !== i) })}
                >
                  Remove
                </button>
                <FieldError error={save.error} field={`actions.${i}`} />
              </div>
            ))}
            <button type="button" onClick={() => set({ actions: [...d.actions, { type: "add_tag", value: "" }] })}>
              Add action
            </button>
            <FieldError error={save.error} field="actions" exact />
          </fieldset>
        </>
      )}
      <ErrorBox
        error={save.error}
        inlineFields={mode === "form" ? ["name", "trigger", "order", "conditions", "actions"] : []}
        testId="automation-error"
      />
      <SaveActions
        pending={save.isPending}
        saved={save.isSuccess}
        label={ruleId ? "Save rule" : "Create rule"}
        testId="automation-save"
      />
    </form>
  );
}

function defaultValue(type: Action["type"]): Action["value"] {
  switch (type) {
    case "send_notification":
      return { user_id: null, email: null, message: null };
    case "change_priority":
      return "HIGH";
    case "set_status":
      return "IN_PROGRESS";
    case "assign":
      return null;
    default:
      return "";
  }
}

function ActionValue({
  index,
  action,
  onChange,
}: {
  index: number;
  action: Action;
  onChange: (v: Action["value"]) => void;
}) {
  const label = `Action ${index + 1}`;
  const v = action.value;
  switch (action.type) {
    case "change_priority":
    case "set_status": {
      const values = action.type === "change_priority" ? ENUMS.priority : ENUMS.status;
      return (
        <select aria-label={`${label} value`} value={String(v ?? "")} onChange={(e) => onChange(e.target.value)}>
          {values.map((x) => (
            <option key={x}>{x}</option>
          ))}
        </select>
      );
    }
    case "assign":
      return (
        <input
          aria-label={`${label} user id (empty to unassign)`}
          placeholder="user id (empty: unassign)"
          value={typeof v === "string" ? v : ""}
          onChange={(e) => onChange(e.target.value.trim() ? e.target.value : null)}
        />
      );
    case "send_notification": {
      const n: Partial<Notify> = v && typeof v === "object" ? v : {};
      const put = (patch: Partial<Notify>) => {
        const next = { ...n, ...patch };
        onChange({
          user_id: next.user_id || null,
          email: next.email || null,
          message: next.message || null,
        });
      };
      return (
        <span className="notify-fields">
          <input aria-label={`${label} user id`} placeholder="user id" value={n.user_id ?? ""} onChange={(e) => put({ user_id: e.target.value })} />
          <input aria-label={`${label} email`} placeholder="email" value={n.email ?? ""} onChange={(e) => put({ email: e.target.value })} />
          <input aria-label={`${label} message`} placeholder="message (optional)" value={n.message ?? ""} onChange={(e) => put({ message: e.target.value })} />
        </span>
      );
    }
    default:
      return (
        <input
          aria-label={`${label} value`}
          placeholder={action.type === "add_note" ? "note text" : action.type === "add_tag" ? "tag" : "value"}
          value={typeof v === "string" ? v : valueText(v)}
          onChange={(e) => onChange(e.target.value)}
        />
      );
  }
}

// --- dry run and run log -----------------------------------------------------------------------

function DryRun({ ruleId }: { ruleId: string }) {
  const [ticketId, setTicketId] = useState("");
  const recent = useQuery({ queryKey: ["admin", "recent-tickets"], queryFn: () => api.get<TicketPage>("/tickets", { limit: 50 }) });
  const run = useMutation({
    mutationFn: (id: string) => api.post<DryRunResult>(`/automations/${encodeURIComponent(ruleId)}/test`, { ticket_id: id }),
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    if (ticketId.trim()) run.mutate(ticketId.trim());
  }
  const r = run.data;
  return (
    <section className="pa-card" aria-labelledby="dry-title">
      <h3 id="dry-title">Dry run</h3>
      <p className="hint">Evaluates this rule (as saved) on a ticket now. Nothing is written.</p>
      <form className="inline-form" onSubmit={submit}>
        <label htmlFor="dry-ticket">Ticket</label>
        <input
          id="dry-ticket"
          data-testid="automation-test-ticket"
          list="dry-tickets"
          placeholder="ticket id"
          value={ticketId}
          onChange={(e) => setTicketId(e.target.value)}
        />
        <datalist id="dry-tickets">
          {(recent.data?.items ?? []).map((t) => (
            <option key={t.id} value={t.id}>{`#${t.number} ${t.subject}`}</option>
          ))}
        </datalist>
        <button type="submit" className="primary" data-testid="automation-test-run" disabled={run.isPending || !ticketId.trim()}>
          {run.isPending ? "Running…" : "Dry run"}
        </button>
      </form>
      <ErrorBox error={recent.error} />
      <FieldError error={run.error} field="ticket_id" />
      <ErrorBox error={run.error} inlineFields={["ticket_id"]} />
      {r && (
        <div data-testid="automation-test-result" className="dry-result">
          <p>
            <strong className={r.would_execute ? "ok" : "muted"} data-testid="automation-test-verdict">
              {r.would_execute ? "Would execute" : "Would not execute"}
            </strong>{" "}
            on <Link to={`/tickets/${r.ticket_id}`}>this ticket</Link>.
          </p>
          <h4>Conditions</h4>
          {r.conditions.length === 0 ? (
            <p className="muted">No conditions: always matches.</p>
          ) : (
            <ul className="checklist">
              {r.conditions.map((c, i) => (
                <li key={i} className={c.matched ? "ok" : "error"} data-testid="automation-test-condition">
                  <span aria-hidden="true">{c.matched ? "✓" : "✗"}</span>{" "}
                  <span className="sr-only">{c.matched ? "matched:" : "not matched:"}</span> {c.field} {c.operator}{" "}
                  <code>{show(c.value)}</code> — actual <code>{show(c.actual)}</code>
                  {c.note ? <span className="muted"> ({c.note})</span> : null}
                </li>
              ))}
            </ul>
          )}
          <h4>Actions</h4>
          <ul className="checklist">
            {r.actions.map((a, i) => (
              <li key={i} data-testid="automation-test-action">
                <code>{String(a.type)}</code> {a.value !== undefined ? show(a.value) : ""}
                {a.to ? ` → ${show(a.to)}` : ""}
                {a.message ? ` “${String(a.message)}”` : ""} — <strong>{humanWould(String(a.would ?? a.outcome ?? ""))}</strong>
                {a.detail ? <span className="muted"> ({String(a.detail)})</span> : null}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

function humanWould(w: string): string {
  return (
    {
      not_run: "would not run",
      notify: "would notify",
      done: "would run",
      no_change: "would change nothing",
      skipped: "would be skipped",
      failed: "would fail",
    }[
      w
    ] ?? w.replace(/_/g, " ")
  );
}

function Runs({ ruleId }: { ruleId: string }) {
  const q = useInfiniteQuery({
    queryKey: ["admin", "automation-runs", ruleId],
    queryFn: ({ pageParam }) =>
      api.get<AutomationRunPage>(`/automations/${encodeURIComponent(ruleId)}/runs`, { limit: 25, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: 15_000,
  });
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section aria-labelledby="runs-title">
      <h3 id="runs-title">Run log</h3>
      <ErrorBox error={q.error} />
      {q.isPending ? (
        <Loading what="runs" />
      ) : items.length === 0 ? (
        <p className="muted" data-testid="automation-runs-empty">
          This rule has not been evaluated yet.
        </p>
      ) : (
        <table className="data-table" data-testid="automation-runs">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Event</th>
              <th scope="col">Ticket</th>
              <th scope="col">Matched</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r, i) => (
              <tr key={`${r.at}-${i}`}>
                <td>{fmtTime(r.at)}</td>
                <td>{r.event_type}</td>
                <td>
                  <Link to={`/tickets/${r.ticket_id}`}>open</Link>
                </td>
                <td>{r.matched ? "yes" : "no"}</td>
                <td className="small">
                  <RunDetails run={r} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {q.hasNextPage && (
        <button type="button" onClick={() => q.fetchNextPage()} disabled={q.isFetchingNextPage}>
          Older runs
        </button>
      )}
    </section>
  );
}

function RunDetails({ run }: { run: AutomationRun }) {
  const conditions = run.conditions ?? [];
  const actions = run.actions ?? [];
  const known = new Set(["rule_id", "at", "event_id", "event_type", "ticket_id", "matched", "conditions", "actions"]);
  const extra = Object.entries(run).filter(([k]) => !known.has(k));
  return (
    <>
      {conditions.map((c, i) => (
        <div key={`c${i}`}>
          {c.matched ? "✓" : "✗"} {String(c.field)} {String(c.operator)} {show(c.value)} (was {show(c.actual)})
        </div>
      ))}
      {actions.map((a, i) => (
        <div key={`a${i}`}>
          → {String(a.type)}: {String(a.outcome ?? "")}
          {a.detail ? ` (${String(a.detail)})` : ""}
        </div>
      ))}
      {extra.map(([k, v]) => (
        <div key={k} className="muted">
          {k}: {show(v)}
        </div>
      ))}
    </>
  );
}
