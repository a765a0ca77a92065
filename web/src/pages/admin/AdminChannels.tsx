// /admin/channels: the tenant's support addresses and SMS numbers (GET/PUT /settings/channels).
// Inbound mail to these addresses and SMS to these numbers become this tenant's tickets.
import { useEffect, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { ChannelSettings } from "../../api/types-portal-admin";
import { ErrorBox, FieldError, Loading } from "./ui";

const lines = (text: string) =>
  text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);

export function AdminChannels() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ["admin", "channels"], queryFn: () => api.get<ChannelSettings>("/settings/channels") });
  const [emails, setEmails] = useState("");
  const [numbers, setNumbers] = useState("");
  useEffect(() => {
    if (q.data) {
      setEmails((q.data.support_emails ?? []).join("\n"));
      setNumbers((q.data.sms_numbers ?? []).join("\n"));
    }
  }, [q.data]);
  const save = useMutation({
    mutationFn: (body: ChannelSettings) => api.put<ChannelSettings>("/settings/channels", body),
    onSuccess: (data) => qc.setQueryData(["admin", "channels"], data),
  });

  if (q.isPending) return <Loading what="channels" />;
  if (q.error) return <ErrorBox error={q.error} />;

  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate({ support_emails: lines(emails), sms_numbers: lines(numbers) });
  }
  return (
    <section aria-labelledby="channels-title">
      <h2 id="channels-title">Channels</h2>
      <form className="form" onSubmit={submit} noValidate>
        <label htmlFor="support-emails">Support email addresses (one per line)</label>
        <textarea
          id="support-emails"
          data-testid="channels-emails"
          rows={4}
          value={emails}
          onChange={(e) => setEmails(e.target.value)}
        />
        <FieldError error={save.error} field="support_emails" />
        <p className="hint">Mail sent to these addresses becomes tickets (or replies) of this MSP.</p>

        <label htmlFor="sms-numbers">SMS numbers (E.164, e.g. +15550100100; one per line)</label>
        <textarea
          id="sms-numbers"
          data-testid="channels-sms"
          rows={3}
          value={numbers}
          onChange={(e) => setNumbers(e.target.value)}
        />
        <FieldError error={save.error} field="sms_numbers" />

        <ErrorBox error={save.error} inlineFields={["support_emails", "sms_numbers"]} />
        <div className="actions">
          <button type="submit" className="primary" disabled={save.isPending} data-testid="channels-save">
            {save.isPending ? "Saving…" : "Save channels"}
          </button>
          {save.isSuccess && !save.isPending && (
            <span role="status" className="ok">
              Saved.
            </span>
          )}
        </div>
      </form>
    </section>
  );
}
