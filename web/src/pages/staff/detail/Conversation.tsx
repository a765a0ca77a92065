// The conversation: customer messages, staff replies and internal notes in one thread (clearly
// different), the public reply box with "then set status" and the AI draft, and the note box.
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../api/client";
import {
  deliveryOf,
  type AiDraft,
  type CascadePrompt,
  type CreateNoteBody,
  type CreateReplyBody,
  type Note,
  type Reply,
  type ReplyResult,
  type Status,
  type TicketDetail,
} from "../../../api/types";
import { ErrorText } from "../../../components/ErrorText";
import { CHANNEL_LABEL, STATUS_LABEL, allowedTargets, isDone } from "../../../components/tickets";
import { formatDateTime } from "../../../components/time";
import { useContact } from "../data";
import { promptFor, useTickets } from "./links";

type Entry = { kind: "customer" | "staff"; item: Reply } | { kind: "note"; item: Note };

export function Conversation({
  ticket: t,
  writer,
  onCascadePrompt,
}: {
  ticket: TicketDetail;
  writer: boolean;
  onCascadePrompt: (p: CascadePrompt) => void;
}) {
  const entries: Entry[] = [
    ...t.replies.map((r): Entry => ({ kind: r.author_type === "staff" ? "staff" : "customer", item: r })),
    ...(t.notes ?? []).map((n): Entry => ({ kind: "note", item: n })),
  ].sort((a, b) => a.item.created_at.localeCompare(b.item.created_at));
  const contact = useContact(t.contact_id);
  const nameOf = (id: string | null | undefined) => (id && contact && id === contact.id ? contact.name : id);

  return (
    <section className="panel conversation" aria-labelledby="conv-heading">
      <h2 id="conv-heading">Conversation</h2>
      <ol className="thread">
        {entries.map((e) => (
          <li key={`${e.kind}-${e.item.id}`}>
            <ThreadEntry entry={e} nameOf={nameOf} />
          </li>
        ))}
        {entries.length === 0 && <li className="empty">No replies or notes yet.</li>}
      </ol>
      {writer && <ReplyBox ticket={t} onCascadePrompt={onCascadePrompt} />}
      {writer && <NoteBox ticket={t} />}
    </section>
  );
}

function ThreadEntry({ entry, nameOf }: { entry: Entry; nameOf: (id: string | null | undefined) => string | null | undefined }) {
  if (entry.kind === "note") {
    const n = entry.item;
    return (
      <article className="entry entry-note" data-testid="entry-note" aria-label="Internal note">
        <header>
          <span className="entry-label">Internal note</span>
          <span className="who">{n.author_id}</span>
          <time dateTime={n.created_at}>{formatDateTime(n.created_at)}</time>
        </header>
        <div className="body">{n.body}</div>
      </article>
    );
  }
  const r = entry.item;
  const staff = entry.kind === "staff";
  const delivery = deliveryOf(r);
  return (
    <article
      className={`entry entry-${entry.kind}`}
      data-testid={`entry-${entry.kind}`}
      aria-label={staff ? "Staff reply" : "Customer message"}
    >
      <header>
        <span className="entry-label">{staff ? "Staff reply" : "Customer"}</span>
        <span className="who">{nameOf(r.author_id) ?? (staff ? "staff" : "customer")}</span>
        <span className="via">via {CHANNEL_LABEL[r.channel] ?? r.channel}</span>
        <time dateTime={r.created_at}>{formatDateTime(r.created_at)}</time>
        {staff && delivery && (
          <span className={`delivery delivery-${delivery.state}`} title={delivery.reason}>
            {delivery.state}
            {delivery.to ? ` to ${delivery.to}` : ""}
          </span>
        )}
      </header>
      <div className="body">{r.body}</div>
    </article>
  );
}

function ReplyBox({ ticket: t, onCascadePrompt }: { ticket: TicketDetail; onCascadePrompt: (p: CascadePrompt) => void }) {
  const qc = useQueryClient();
  const [body, setBody] = useState("");
  const [setStatus, setSetStatus] = useState<"" | Status>("");
  const [draft, setDraft] = useState<AiDraft | null>(null);
  const children = useTickets(t.is_master ? t.links.children : []);
  const closed = t.status === "CLOSED";

  const send = useMutation({
    mutationFn: (req: CreateReplyBody) => api.post<ReplyResult>(`/tickets/${t.id}/replies`, req),
    onSuccess: (_r, req) => {
      setBody("");
      setSetStatus("");
      setDraft(null);
      if (req.set_status && isDone(req.set_status) && t.is_master && t.child_count > 0 && !isDone(t.status)) {
        const p = promptFor(req.set_status, children.tickets);
        onCascadePrompt({ ...p, eligible_children: t.child_count - p.skipped_children });
      }
    },
    // Pending until the ticket is re-read, so no other write goes out with a stale version.
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: ["board"] });
      void qc.invalidateQueries({ queryKey: ["tickets"] });
      return qc.invalidateQueries({ queryKey: ["ticket", t.id] });
    },
  });

  const aiDraft = useMutation({
    mutationFn: () => api.post<AiDraft>(`/tickets/${t.id}/ai-draft`),
    onSuccess: (d) => {
      setDraft(d);
      setBody(d.draft);
    },
  });

  return (
    <form
      className="composer reply-composer"
      onSubmit={(e) => {
        e.preventDefault();
        if (!body.trim()) return;
        send.mutate(setStatus ? { body, set_status: setStatus } : { body });
      }}
    >
      <label className="field">
        <span>Public reply to the customer</span>
        <textarea
          value={body}
          onChange={(e) => setBody(e.target.value)}
          rows={6}
          disabled={closed}
          data-testid="reply-box"
          placeholder={closed ? "Reopen the ticket (status → In progress) to reply." : "Write a reply…"}
        />
      </label>
      {draft && (
        <div className="ai-draft-info" data-testid="ai-draft-sources">
          <span>
            AI draft by <strong data-testid="ai-draft-provider">{draft.provider}</strong> — review before sending.
          </span>
          {draft.sources.length > 0 ? (
            <>
              {" "}
              Sources:
              <ul>
                {draft.sources.map((s) => (
                  <li key={s.article_id} data-article-id={s.article_id}>
                    {s.title}
                  </li>
                ))}
              </ul>
            </>
          ) : (
            " No knowledge base article matched."
          )}
        </div>
      )}
      <div className="composer-actions">
        <label className="inline">
          <span>Then set status</span>
          <select
            value={setStatus}
            onChange={(e) => setSetStatus(e.target.value as "" | Status)}
            disabled={closed}
            data-testid="reply-set-status"
          >
            <option value="">{t.status === "OPEN" ? "Automatic (→ In progress)" : `Keep ${STATUS_LABEL[t.status]}`}</option>
            {allowedTargets(t.status).map((s) => (
              <option key={s} value={s}>
                {STATUS_LABEL[s]}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          onClick={() => aiDraft.mutate()}
          disabled={aiDraft.isPending || closed}
          data-testid="ai-draft-button"
        >
          {aiDraft.isPending ? "Drafting…" : "AI draft"}
        </button>
        <button type="submit" className="primary" disabled={send.isPending || closed || !body.trim()} data-testid="reply-send">
          {send.isPending ? "Sending…" : "Send reply"}
        </button>
      </div>
      <ErrorText error={aiDraft.error} testId="ai-draft-error" />
      <ErrorText error={send.error} testId="reply-error" />
    </form>
  );
}

function NoteBox({ ticket: t }: { ticket: TicketDetail }) {
  const qc = useQueryClient();
  const [body, setBody] = useState("");
  const add = useMutation({
    mutationFn: (req: CreateNoteBody) => api.post<Note>(`/tickets/${t.id}/notes`, req),
    onSuccess: () => setBody(""),
    onSettled: () => qc.invalidateQueries({ queryKey: ["ticket", t.id] }),
  });
  return (
    <form
      className="composer note-composer"
      onSubmit={(e) => {
        e.preventDefault();
        if (body.trim()) add.mutate({ body });
      }}
    >
      <label className="field">
        <span>Internal note (staff only, never sent to the customer)</span>
        <textarea value={body} onChange={(e) => setBody(e.target.value)} rows={3} data-testid="note-box" />
      </label>
      <div className="composer-actions">
        <button type="submit" disabled={add.isPending || !body.trim()} data-testid="note-send">
          {add.isPending ? "Saving…" : "Add note"}
        </button>
      </div>
      <ErrorText error={add.error} testId="note-error" />
    </form>
  );
}
