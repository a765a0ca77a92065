// /portal/tickets/:ticketId: one of the customer's tickets, its public conversation and a reply
// box. Only customer-view fields are rendered (never notes, time, activity, SLA internals or AI
// fields, even if a response carried them). Another client's ticket is a 404: "Ticket not found".
import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useLocation, useParams } from "react-router-dom";
import { api } from "../../api/client";
import type { AttachmentView, CreateReplyBody, ReplyResult, TicketDetail } from "../../api/types";
import { ErrorBox, FieldError, fmtTime, humanize, isNotFound, Loading, Pill } from "../admin/ui";
import { ACCEPTED_TYPES, downloadLink, fmtSize, MAX_ATTACHMENT_BYTES, uploadAttachment } from "./attachments";

export function PortalTicket() {
  const { ticketId = "" } = useParams();
  const location = useLocation();
  const navState = (location.state ?? {}) as { created?: boolean; uploadErrors?: string[] };
  const qc = useQueryClient();
  const key = ["portal", "ticket", ticketId];
  const q = useQuery({
    queryKey: key,
    queryFn: () => api.get<TicketDetail>(`/tickets/${encodeURIComponent(ticketId)}`),
    refetchInterval: (query) => (query.state.error ? false : 15_000),
  });

  if (q.isPending) return <Loading what="the ticket" />;
  if (q.error) {
    if (isNotFound(q.error)) {
      return (
        <section className="portal" data-testid="not-found">
          <h1>Ticket not found</h1>
          <p>
            There is no such ticket among yours. <Link to="/portal">Back to my tickets</Link>
          </p>
        </section>
      );
    }
    return <ErrorBox error={q.error} />;
  }
  const t = q.data;
  return (
    <section className="portal" aria-labelledby="ticket-title">
      <p>
        <Link to="/portal">← My tickets</Link>
      </p>
      {navState.created && (
        <p className="notice" role="status" data-testid="portal-created">
          Thanks — ticket #{t.number} is open. We will answer here and by email.
        </p>
      )}
      {navState.uploadErrors && navState.uploadErrors.length > 0 && (
        <div className="error-box error" role="alert">
          Some files could not be attached: {navState.uploadErrors.join("; ")}
        </div>
      )}
      <div className="page-head">
        <h1 id="ticket-title" data-testid="portal-ticket-title">
          <span className="muted">#{t.number}</span> {t.subject}
        </h1>
      </div>
      <dl className="facts">
        <div>
          <dt>Status</dt>
          <dd>
            <Pill kind={t.status}>
              <span data-testid="portal-ticket-status">{humanize(t.status)}</span>
            </Pill>
          </dd>
        </div>
        <div>
          <dt>Priority</dt>
          <dd>
            <Pill kind={t.priority}>{humanize(t.priority)}</Pill>
          </dd>
        </div>
        <div>
          <dt>Opened</dt>
          <dd>{fmtTime(t.created_at)}</dd>
        </div>
        <div>
          <dt>Via</dt>
          <dd>{humanize(t.channel)}</dd>
        </div>
      </dl>
      <FollowUps t={t} />

      <h2>Conversation</h2>
      <ol className="thread" data-testid="portal-thread">
        {t.description.trim() && (
          <li className="msg msg-customer">
            <div className="msg-meta">You wrote · {fmtTime(t.created_at)}</div>
            <div className="msg-body">{t.description}</div>
          </li>
        )}
        {t.replies.map((r) => (
          <li
            key={r.id}
            className={`msg ${r.author_type === "customer" ? "msg-customer" : "msg-staff"}`}
            data-testid="portal-reply"
          >
            <div className="msg-meta">
              {r.author_type === "customer" ? "You" : "Support"} · {fmtTime(r.created_at)}
              {r.channel !== "PORTAL" ? ` · ${humanize(r.channel)}` : ""}
            </div>
            <div className="msg-body">{r.body}</div>
          </li>
        ))}
        {!t.description.trim() && t.replies.length === 0 && <li className="muted">No messages yet.</li>}
      </ol>

      <Attachments ticketId={t.id} items={t.attachments} />
      <ReplyBox ticketId={t.id} closed={t.status === "CLOSED"} onSent={() => qc.invalidateQueries({ queryKey: key })} />
    </section>
  );
}

function FollowUps({ t }: { t: TicketDetail }) {
  const ups = t.links?.follow_ups ?? [];
  const of = t.follow_up_of ?? t.links?.follow_up_of;
  if (!of && ups.length === 0) return null;
  return (
    <p className="muted">
      {of && (
        <>
          Follow-up of <Link to={`/portal/tickets/${of}`}>an earlier ticket</Link>.{" "}
        </>
      )}
      {ups.length > 0 && (
        <>
          Continued in{" "}
          {ups.map((id, i) => (
            <span key={id}>
              {i > 0 && ", "}
              <Link to={`/portal/tickets/${id}`}>follow-up {i + 1}</Link>
            </span>
          ))}
          .
        </>
      )}
    </p>
  );
}

function Attachments({ ticketId, items }: { ticketId: string; items: AttachmentView[] }) {
  const qc = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [pending, setPending] = useState<string[]>([]);

  async function open(id: string) {
    setError(null);
    try {
      window.location.assign(await downloadLink(ticketId, id));
    } catch (e) {
      setError(e);
    }
  }

  async function add(files: FileList | null) {
    if (!files?.length) return;
    setError(null);
    setBusy(true);
    try {
      for (const f of Array.from(files)) {
        if (f.size > MAX_ATTACHMENT_BYTES) throw new Error(`${f.name} is larger than 10 MB.`);
        await uploadAttachment(ticketId, f);
        setPending((p) => [...p, f.name]);
      }
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
      qc.invalidateQueries({ queryKey: ["portal", "ticket", ticketId] });
    }
  }

  const listed = new Set(items.map((a) => a.filename));
  const waiting = pending.filter((n) => !listed.has(n));
  return (
    <section className="attachments" aria-labelledby="att-title">
      <h2 id="att-title">Attachments</h2>
      {items.length === 0 && waiting.length === 0 ? (
        <p className="muted">No files.</p>
      ) : (
        <ul data-testid="portal-attachments">
          {items.map((a) => (
            <li key={a.id}>
              <button type="button" className="link" onClick={() => open(a.id)}>
                {a.filename}
              </button>{" "}
              <span className="muted">({fmtSize(a.size)})</span>
            </li>
          ))}
          {waiting.map((n) => (
            <li key={n} className="muted">
              {n} — processing…
            </li>
          ))}
        </ul>
      )}
      <label className="file-add">
        <span>{busy ? "Uploading…" : "Attach a file"}</span>
        <input
          type="file"
          multiple
          accept={ACCEPTED_TYPES}
          disabled={busy}
          data-testid="portal-attach"
          onChange={(e) => {
            add(e.target.files);
            e.target.value = "";
          }}
        />
      </label>
      <ErrorBox error={error} />
    </section>
  );
}

function ReplyBox({ ticketId, closed, onSent }: { ticketId: string; closed: boolean; onSent: () => void }) {
  const [body, setBody] = useState("");
  const [followUp, setFollowUp] = useState<string | null>(null);
  const send = useMutation({
    mutationFn: (text: string) => {
      const req: CreateReplyBody = { body: text };
      return api.post<ReplyResult>(`/tickets/${encodeURIComponent(ticketId)}/replies`, req);
    },
    onSuccess: (res) => {
      setBody("");
      setFollowUp(res.follow_up_ticket_id ?? null);
      onSent();
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    if (body.trim()) send.mutate(body);
  }

  return (
    <form className="form reply" onSubmit={submit} aria-labelledby="reply-title">
      <h2 id="reply-title">Reply</h2>
      {closed && (
        <p className="muted">This ticket is closed. Writing here opens a follow-up ticket linked to it.</p>
      )}
      {followUp && (
        <p className="notice" role="status" data-testid="portal-follow-up">
          Your reply opened a follow-up: <Link to={`/portal/tickets/${followUp}`}>see the new ticket</Link>.
        </p>
      )}
      <label htmlFor="portal-reply-box" className="sr-only">
        Your reply
      </label>
      <textarea
        id="portal-reply-box"
        data-testid="portal-reply-box"
        value={body}
        onChange={(e) => setBody(e.target.value)}
        rows={4}
        placeholder="Write a reply…"
        aria-describedby="reply-error"
      />
      <FieldError error={send.error} field="body" id="reply-error" />
      <ErrorBox error={send.error} inlineFields={["body"]} />
      <div className="actions">
        <button type="submit" className="primary" data-testid="portal-reply-send" disabled={send.isPending || !body.trim()}>
          {send.isPending ? "Sending…" : "Send reply"}
        </button>
      </div>
    </form>
  );
}
