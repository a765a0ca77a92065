// /portal/new: a customer opens a ticket (subject, description, priority, optional files).
// Each submission carries an Idempotency-Key: a retry of the same submission (a timeout, a double
// click) returns the first ticket instead of creating a second; editing the form starts a new one.
import { useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router-dom";
import { api } from "../../api/client";
import type { CreateTicket, Priority, Ticket } from "../../api/types";
import { ErrorBox, FieldError, newKey } from "../admin/ui";
import { ACCEPTED_TYPES, MAX_ATTACHMENT_BYTES, uploadAttachment } from "./attachments";

const PRIORITIES: { value: Priority; label: string }[] = [
  { value: "LOW", label: "Low — whenever you can" },
  { value: "MEDIUM", label: "Medium — normal" },
  { value: "HIGH", label: "High — work is impaired" },
  { value: "CRITICAL", label: "Critical — business stopped" },
];

export function PortalNewTicket() {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [subject, setSubject] = useState("");
  const [description, setDescription] = useState("");
  const [priority, setPriority] = useState<Priority>("MEDIUM");
  const [files, setFiles] = useState<File[]>([]);
  const [key, setKey] = useState(newKey);
  const [uploadError, setUploadError] = useState<unknown>(null);

  const edited = <T,>(set: (v: T) => void) => (v: T) => {
    set(v);
    setKey(newKey()); // a different body is a different submission
  };

  const create = useMutation({
    mutationFn: async () => {
      const body: CreateTicket = { subject, description, priority };
      return api.post<Ticket>("/tickets", body, { "Idempotency-Key": key });
    },
    onSuccess: async (ticket) => {
      qc.invalidateQueries({ queryKey: ["portal", "tickets"] });
      const failed: string[] = [];
      for (const f of files) {
        try {
          await uploadAttachment(ticket.id, f);
        } catch (e) {
          failed.push(e instanceof Error ? e.message : String(e));
        }
      }
      setKey(newKey());
      navigate(`/portal/tickets/${ticket.id}`, {
        state: { created: true, uploadErrors: failed },
      });
    },
  });

  const tooBig = files.filter((f) => f.size > MAX_ATTACHMENT_BYTES);

  function submit(e: FormEvent) {
    e.preventDefault();
    setUploadError(null);
    if (tooBig.length) {
      setUploadError(new Error(`Too large (max 10 MB): ${tooBig.map((f) => f.name).join(", ")}`));
      return;
    }
    create.mutate();
  }

  return (
    <section className="portal narrow" aria-labelledby="new-title">
      <h1 id="new-title">New ticket</h1>
      <form className="form" onSubmit={submit} noValidate>
        <label htmlFor="portal-new-subject">Subject</label>
        <input
          id="portal-new-subject"
          data-testid="portal-new-subject"
          value={subject}
          onChange={(e) => edited(setSubject)(e.target.value)}
          maxLength={200}
          required
          aria-describedby="subject-error"
          aria-invalid={!!create.error && !subject.trim()}
        />
        <FieldError error={create.error} field="subject" id="subject-error" />

        <label htmlFor="portal-new-description">What happened?</label>
        <textarea
          id="portal-new-description"
          data-testid="portal-new-description"
          value={description}
          onChange={(e) => edited(setDescription)(e.target.value)}
          rows={8}
          aria-describedby="description-error"
        />
        <FieldError error={create.error} field="description" id="description-error" />

        <label htmlFor="portal-new-priority">Priority</label>
        <select
          id="portal-new-priority"
          data-testid="portal-new-priority"
          value={priority}
          onChange={(e) => edited(setPriority)(e.target.value as Priority)}
        >
          {PRIORITIES.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
        </select>
        <FieldError error={create.error} field="priority" />

        <label htmlFor="portal-new-files">Attachments (optional, up to 10 MB each)</label>
        <input
          id="portal-new-files"
          data-testid="portal-new-files"
          type="file"
          multiple
          accept={ACCEPTED_TYPES}
          onChange={(e) => setFiles(Array.from(e.target.files ?? []))}
        />

        <ErrorBox error={create.error} inlineFields={["subject", "description", "priority"]} />
        <ErrorBox error={uploadError} />
        <div className="actions">
          <button
            type="submit"
            className="primary"
            data-testid="portal-new-submit"
            disabled={create.isPending || !subject.trim()}
          >
            {create.isPending ? "Submitting…" : "Submit ticket"}
          </button>
        </div>
      </form>
    </section>
  );
}
