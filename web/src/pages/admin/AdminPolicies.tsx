// /admin/policies: the automatic priority escalations (GET/PUT /settings/policies). Each raises a
// LOW or MEDIUM ticket to HIGH and never lowers anything.
import { useEffect, useState, type FormEvent } from "react";
import type { PolicySettings, SpikePolicy } from "../../api/types";
import { ErrorBox, FieldError, Loading, SaveActions, useSettings } from "./ui";

type Form = PolicySettings & { spike: SpikePolicy };
// The API's own default (domain/policies.py), used only if a response left `spike` out.
const DEFAULT_SPIKE: SpikePolicy = { enabled: true, threshold: 5, window_minutes: 15 };

export function AdminPolicies() {
  const { query: q, save } = useSettings<PolicySettings>("policies", "/settings/policies");
  const [form, setForm] = useState<Form | null>(null);
  useEffect(() => {
    if (q.data) setForm({ ...q.data, spike: q.data.spike ?? DEFAULT_SPIKE });
  }, [q.data]);

  if (q.isPending) return <Loading what="policies" />;
  if (q.error) return <ErrorBox error={q.error} />;
  if (!form) return null;

  const set = (patch: Partial<Form>) => setForm({ ...form, ...patch });
  const setSpike = (patch: Partial<SpikePolicy>) => set({ spike: { ...form.spike, ...patch } });
  function submit(e: FormEvent) {
    e.preventDefault();
    if (form) save.mutate(form);
  }
  return (
    <section aria-labelledby="policies-title">
      <h2 id="policies-title">Priority policies</h2>
      <p className="hint">
        Each policy raises a LOW or MEDIUM ticket to HIGH (never lowers one, never touches HIGH or CRITICAL); the
        change is in the ticket's activity as <code>policy:&lt;name&gt;</code>.
      </p>
      <form className="form" onSubmit={submit} noValidate>
        <fieldset>
          <legend>Escalate when…</legend>
          <label className="check">
            <input
              type="checkbox"
              data-testid="policy-vip"
              checked={form.vip}
              onChange={(e) => set({ vip: e.target.checked })}
            />
            the client is a VIP
          </label>
          <label className="check">
            <input
              type="checkbox"
              data-testid="policy-ai-security"
              checked={form.ai_security}
              onChange={(e) => set({ ai_security: e.target.checked })}
            />
            the AI analyzer detects a security incident
          </label>
          <label className="check">
            <input
              type="checkbox"
              data-testid="policy-ai-frustration"
              checked={form.ai_frustration}
              onChange={(e) => set({ ai_frustration: e.target.checked })}
            />
            the AI analyzer detects a frustrated customer
          </label>
          <label className="check">
            <input
              type="checkbox"
              data-testid="policy-spike"
              checked={form.spike.enabled}
              onChange={(e) => setSpike({ enabled: e.target.checked })}
            />
            one client opens many tickets at once (a spike)
          </label>
          <div className="inline-fields" aria-disabled={!form.spike.enabled}>
            <label>
              at least{" "}
              <input
                type="number"
                min={1}
                className="pa-num"
                data-testid="policy-spike-threshold"
                value={form.spike.threshold}
                disabled={!form.spike.enabled}
                onChange={(e) => setSpike({ threshold: e.target.valueAsNumber })}
              />{" "}
              tickets
            </label>{" "}
            <label>
              within{" "}
              <input
                type="number"
                min={1}
                className="pa-num"
                data-testid="policy-spike-window"
                value={form.spike.window_minutes}
                disabled={!form.spike.enabled}
                onChange={(e) => setSpike({ window_minutes: e.target.valueAsNumber })}
              />{" "}
              minutes
            </label>
          </div>
          <FieldError error={save.error} field="spike" />
        </fieldset>
        <ErrorBox error={save.error} inlineFields={["spike"]} />
        <SaveActions pending={save.isPending} saved={save.isSuccess} label="Save policies" testId="policies-save" />
      </form>
    </section>
  );
}
