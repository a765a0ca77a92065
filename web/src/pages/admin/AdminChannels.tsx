// /admin/channels: the tenant's support addresses and SMS numbers (GET/PUT /settings/channels).
// Inbound mail to these addresses and SMS to these numbers become this tenant's tickets.
import { useEffect, useState, type FormEvent } from "react";
import type { ChannelSettings } from "../../api/types";
import { ErrorBox, FieldError, Loading, SaveActions, useSettings } from "./ui";

const lines = (text: string) =>
  text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);

export function AdminChannels() {
  const { query: q, save } = useSettings<ChannelSettings>("channels", "/settings/channels");
  const [emails, setEmails] = useState("");
  const [numbers, setNumbers] = useState("");
  useEffect(() => {
    if (q.data) {
      setEmails((q.data.support_emails ?? []).join("\n"));
      setNumbers((q.data.sms_numbers ?? []).join("\n"));
    }
  }, [q.data]);

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
        <SaveActions pending={save.isPending} saved={save.isSuccess} label="Save channels" testId="channels-save" />
      </form>
    </section>
  );
}
