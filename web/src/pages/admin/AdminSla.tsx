// /admin/sla: the tenant's default SLA policy (GET/PUT /settings/sla), named policies
// (POST/GET /sla-policies, GET/PUT/DELETE /sla-policies/{id}) and which client uses which
// (PATCH /clients/{id} {"sla_policy_id"}). A change applies to tickets created afterwards.
import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, Route, Routes, useNavigate, useParams } from "react-router-dom";
import { api } from "../../api/client";
import type {
  Client,
  Priority,
  SlaPolicyPage,
  SlaPolicySettings,
  SlaPolicyView,
} from "../../api/types";
import { DeleteButton, ErrorBox, fetchAllPages, FieldError, Loading, SaveActions, useSettings } from "./ui";

const PRIORITIES: Priority[] = ["CRITICAL", "HIGH", "MEDIUM", "LOW"];
const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const DAY_NAMES: Record<(typeof DAYS)[number], string> = {
  mon: "Monday",
  tue: "Tuesday",
  wed: "Wednesday",
  thu: "Thursday",
  fri: "Friday",
  sat: "Saturday",
  sun: "Sunday",
};

export function AdminSla() {
  return (
    <Routes>
      <Route index element={<SlaOverview />} />
      <Route path="default" element={<DefaultPolicyEditor />} />
      <Route path="new" element={<NamedPolicyEditor />} />
      <Route path=":policyId" element={<NamedPolicyEditor />} />
    </Routes>
  );
}

const policiesKey = ["admin", "sla-policies"];
// The default policy is the settings document "sla-default" (see useSettings).
const defaultPolicy = { queryKey: ["admin", "sla-default"], queryFn: () => api.get<SlaPolicySettings>("/settings/sla") };
const clientsKey = ["admin", "clients"];

function useClients() {
  return useQuery({
    queryKey: clientsKey,
    queryFn: () => fetchAllPages<Client>("/clients"),
  });
}

function targetsSummary(p: SlaPolicySettings): string {
  return PRIORITIES.map((k) => {
    const t = p.targets[k];
    return `${k[0]}${k.slice(1).toLowerCase()} ${t.response_minutes}/${t.resolution_minutes} min${t.hours === "24x7" ? " 24x7" : ""}`;
  }).join(" · ");
}

function SlaOverview() {
  const qc = useQueryClient();
  const def = useQuery(defaultPolicy);
  const policies = useQuery({ queryKey: policiesKey, queryFn: () => api.get<SlaPolicyPage>("/sla-policies") });
  const clients = useClients();
  const del = useMutation({
    mutationFn: (id: string) => api.del(`/sla-policies/${encodeURIComponent(id)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: policiesKey }),
  });
  const assign = useMutation({
    mutationFn: ({ client, policy }: { client: string; policy: string | null }) =>
      api.patch<Client>(`/clients/${encodeURIComponent(client)}`, { sla_policy_id: policy }),
    onSuccess: () => qc.invalidateQueries({ queryKey: clientsKey }),
  });
  const items = policies.data?.items ?? [];
  const nameOf = (id: string | null) => (id ? (items.find((p) => p.id === id)?.name ?? id) : "Default");

  return (
    <section aria-labelledby="sla-title">
      <h2 id="sla-title">SLA policies</h2>
      <p className="hint">
        A ticket uses its client's policy, else the default. Changes apply to tickets created afterwards.
      </p>

      <h3>Default policy</h3>
      <ErrorBox error={def.error} />
      {def.isPending ? (
        <Loading what="the default policy" />
      ) : def.data ? (
        <div className="pa-card" data-testid="sla-default">
          <p>
            {def.data.timezone} · at risk at {def.data.at_risk_percent}% · {def.data.holidays?.length ?? 0} holiday
            {def.data.holidays?.length === 1 ? "" : "s"}
          </p>
          <p className="muted">{targetsSummary(def.data)}</p>
          <Link className="button" to="default" data-testid="sla-default-edit">
            Edit default policy
          </Link>
        </div>
      ) : null}

      <div className="page-head">
        <h3>Named policies</h3>
        <Link className="button primary" to="new" data-testid="sla-new">
          New policy
        </Link>
      </div>
      <ErrorBox error={policies.error} />
      <ErrorBox error={del.error} />
      {policies.isPending ? (
        <Loading what="policies" />
      ) : items.length === 0 ? (
        <p className="muted">No named policies: every client uses the default.</p>
      ) : (
        <table className="data-table" data-testid="sla-policies">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Timezone</th>
              <th scope="col">Targets (response/resolution)</th>
              <th scope="col">Clients</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((p) => (
              <tr key={p.id} data-testid={`sla-policy-${p.id}`}>
                <td>{p.name}</td>
                <td>{p.timezone}</td>
                <td className="small">{targetsSummary(p)}</td>
                <td>{clients.data?.filter((c) => c.sla_policy_id === p.id).length ?? "…"}</td>
                <td className="row-actions">
                  <Link to={p.id}>Edit</Link>
                  <DeleteButton confirm={`Delete the policy "${p.name}"?`} onDelete={() => del.mutate(p.id)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h3>Clients</h3>
      <ErrorBox error={clients.error} />
      <ErrorBox error={assign.error} />
      {clients.isPending ? (
        <Loading what="clients" />
      ) : (
        <table className="data-table" data-testid="sla-clients">
          <thead>
            <tr>
              <th scope="col">Client</th>
              <th scope="col">SLA policy</th>
            </tr>
          </thead>
          <tbody>
            {(clients.data ?? []).map((c) => (
              <tr key={c.id}>
                <td>
                  {c.name} {c.vip && <span className="pill pill-vip">VIP</span>}
                </td>
                <td>
                  <label className="sr-only" htmlFor={`client-policy-${c.id}`}>
                    SLA policy of {c.name}
                  </label>
                  <select
                    id={`client-policy-${c.id}`}
                    value={c.sla_policy_id ?? ""}
                    disabled={assign.isPending}
                    onChange={(e) => assign.mutate({ client: c.id, policy: e.target.value || null })}
                  >
                    <option value="">Default</option>
                    {items.map((p) => (
                      <option key={p.id} value={p.id}>
                        {p.name}
                      </option>
                    ))}
                    {c.sla_policy_id && !items.some((p) => p.id === c.sla_policy_id) && (
                      <option value={c.sla_policy_id}>{nameOf(c.sla_policy_id)}</option>
                    )}
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function DefaultPolicyEditor() {
  const navigate = useNavigate();
  const { query: q, save } = useSettings<SlaPolicySettings>("sla-default", "/settings/sla", () => navigate("/admin/sla"));
  if (q.isPending) return <Loading what="the default policy" />;
  if (q.error) return <ErrorBox error={q.error} />;
  return (
    <section aria-labelledby="sla-edit-title">
      <h2 id="sla-edit-title">Default SLA policy</h2>
      <SlaPolicyForm initial={q.data} named={false} onSave={(b) => save.mutate(b)} saving={save.isPending} error={save.error} />
    </section>
  );
}

function NamedPolicyEditor() {
  const { policyId } = useParams();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const def = useQuery({ ...defaultPolicy, enabled: !policyId });
  const q = useQuery({
    queryKey: ["admin", "sla-policy", policyId],
    queryFn: () => api.get<SlaPolicyView>(`/sla-policies/${encodeURIComponent(policyId!)}`),
    enabled: !!policyId,
  });
  const save = useMutation({
    mutationFn: (body: SlaPolicySettings) =>
      policyId
        ? api.put<SlaPolicyView>(`/sla-policies/${encodeURIComponent(policyId)}`, body)
        : api.post<SlaPolicyView>("/sla-policies", body),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: policiesKey });
      qc.invalidateQueries({ queryKey: ["admin", "sla-policy"] });
      navigate("/admin/sla");
    },
  });
  const src = policyId ? q : def;
  if (src.isPending) return <Loading what="the policy" />;
  if (src.error) return <ErrorBox error={src.error} />;
  const initial: SlaPolicySettings = policyId ? stripId(q.data!) : { ...def.data!, name: "" };
  return (
    <section aria-labelledby="sla-edit-title">
      <h2 id="sla-edit-title">{policyId ? `SLA policy: ${q.data?.name}` : "New SLA policy"}</h2>
      {!policyId && <p className="hint">Starts from the default policy's values.</p>}
      <SlaPolicyForm initial={initial} named onSave={(b) => save.mutate(b)} saving={save.isPending} error={save.error} />
    </section>
  );
}

function stripId(p: SlaPolicyView): SlaPolicySettings {
  const { id: _id, ...rest } = p;
  void _id;
  return rest;
}

function rangesText(ranges: [string, string][]): string {
  return ranges.map(([a, b]) => `${a}-${b}`).join(", ");
}

/** "09:00-12:00, 13:00-17:00" → [["09:00","12:00"],["13:00","17:00"]]; the API checks the times. */
function parseRanges(text: string): [string, string][] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [a, b = ""] = s.split(/\s*[-–]\s*/);
      return [a.trim(), b.trim()] as [string, string];
    });
}

const ZONES: string[] = (() => {
  try {
    return (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.("timeZone") ?? [];
  } catch {
    return [];
  }
})();

function SlaPolicyForm({
  initial,
  named,
  onSave,
  saving,
  error,
}: {
  initial: SlaPolicySettings;
  named: boolean;
  onSave: (body: SlaPolicySettings) => void;
  saving: boolean;
  error: unknown;
}) {
  const [name, setName] = useState(initial.name ?? "");
  const [timezone, setTimezone] = useState(initial.timezone);
  const [hours, setHours] = useState<Record<string, string>>(() =>
    Object.fromEntries(DAYS.map((d) => [d, rangesText(initial.business_hours[d] ?? [])])),
  );
  const [holidays, setHolidays] = useState((initial.holidays ?? []).join("\n"));
  const [atRisk, setAtRisk] = useState(initial.at_risk_percent);
  const [targets, setTargets] = useState(initial.targets);

  function submit(e: FormEvent) {
    e.preventDefault();
    const body: SlaPolicySettings = {
      timezone: timezone.trim(),
      business_hours: Object.fromEntries(DAYS.map((d) => [d, parseRanges(hours[d])])) as SlaPolicySettings["business_hours"],
      holidays: holidays
        .split(/[\n,]/)
        .map((s) => s.trim())
        .filter(Boolean),
      at_risk_percent: atRisk,
      targets,
    };
    if (named) body.name = name.trim();
    onSave(body);
  }
  const setTarget = (p: Priority, patch: Partial<SlaPolicySettings["targets"][Priority]>) =>
    setTargets({ ...targets, [p]: { ...targets[p], ...patch } });

  return (
    <form className="form" onSubmit={submit} data-testid="sla-form" noValidate>
      {named && (
        <>
          <label htmlFor="sla-name">Name</label>
          <input id="sla-name" data-testid="sla-name" value={name} onChange={(e) => setName(e.target.value)} required />
          <FieldError error={error} field="name" />
        </>
      )}
      <label htmlFor="sla-timezone">Timezone</label>
      <input
        id="sla-timezone"
        data-testid="sla-timezone"
        list="sla-zones"
        value={timezone}
        onChange={(e) => setTimezone(e.target.value)}
      />
      <datalist id="sla-zones">
        {ZONES.map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>
      <FieldError error={error} field="timezone" />

      <fieldset>
        <legend>Business hours (ranges like 09:00-17:00, comma separated; empty = closed)</legend>
        <div className="grid-2">
          {DAYS.map((d) => (
            <div key={d} className="field">
              <label htmlFor={`sla-hours-${d}`}>{DAY_NAMES[d]}</label>
              <input
                id={`sla-hours-${d}`}
                value={hours[d]}
                placeholder="closed"
                onChange={(e) => setHours({ ...hours, [d]: e.target.value })}
              />
              <FieldError error={error} field={`business_hours.${d}`} />
            </div>
          ))}
        </div>
        <FieldError error={error} field="business_hours" exact />
      </fieldset>

      <label htmlFor="sla-holidays">Holidays (YYYY-MM-DD, one per line)</label>
      <textarea id="sla-holidays" rows={3} value={holidays} onChange={(e) => setHolidays(e.target.value)} />
      <FieldError error={error} field="holidays" />

      <label htmlFor="sla-at-risk">At risk once this share of a target has elapsed (%)</label>
      <input
        id="sla-at-risk"
        type="number"
        min={1}
        max={99}
        className="pa-num"
        value={Number.isNaN(atRisk) ? "" : atRisk}
        onChange={(e) => setAtRisk(e.target.valueAsNumber)}
      />
      <FieldError error={error} field="at_risk_percent" />

      <fieldset>
        <legend>Targets</legend>
        <table className="data-table compact">
          <thead>
            <tr>
              <th scope="col">Priority</th>
              <th scope="col">Response (minutes)</th>
              <th scope="col">Resolution (minutes)</th>
              <th scope="col">Hours</th>
            </tr>
          </thead>
          <tbody>
            {PRIORITIES.map((p) => (
              <tr key={p}>
                <th scope="row">{p}</th>
                <td>
                  <input
                    type="number"
                    min={1}
                    className="pa-num"
                    aria-label={`${p} response minutes`}
                    value={Number.isNaN(targets[p].response_minutes) ? "" : targets[p].response_minutes}
                    onChange={(e) => setTarget(p, { response_minutes: e.target.valueAsNumber })}
                  />
                  <FieldError error={error} field={`targets.${p}.response_minutes`} />
                </td>
                <td>
                  <input
                    type="number"
                    min={1}
                    className="pa-num"
                    aria-label={`${p} resolution minutes`}
                    value={Number.isNaN(targets[p].resolution_minutes) ? "" : targets[p].resolution_minutes}
                    onChange={(e) => setTarget(p, { resolution_minutes: e.target.valueAsNumber })}
                  />
                  <FieldError error={error} field={`targets.${p}.resolution_minutes`} />
                </td>
                <td>
                  <select
                    aria-label={`${p} hours`}
                    value={targets[p].hours}
                    onChange={(e) => setTarget(p, { hours: e.target.value as "24x7" | "business" })}
                  >
                    <option value="business">Business hours</option>
                    <option value="24x7">24x7</option>
                  </select>
                  <FieldError error={error} field={`targets.${p}.hours`} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <FieldError error={error} field="targets" exact />
      </fieldset>

      <ErrorBox
        error={error}
        inlineFields={["name", "timezone", "business_hours", "holidays", "at_risk_percent", "targets"]}
      />
      <SaveActions pending={saving} label="Save policy" testId="sla-save">
        <Link to="/admin/sla">Cancel</Link>
      </SaveActions>
    </form>
  );
}
