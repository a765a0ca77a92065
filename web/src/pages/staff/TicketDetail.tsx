// Ticket detail for staff: header with status (only allowed transitions), priority (with the AI
// suggestion beside it, never applied by itself) and assignee; the conversation with reply, note
// and AI draft; time entries; the SLA panel; linked tickets; activity. Read-only users see
// everything staff see and no write control.
import { useEffect, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { useIsMutating, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, api } from "../../api/client";
import { analysisOf, type CascadePrompt as Prompt, type PatchTicketBody, type Priority, type Status, type TicketDetail as Detail } from "../../api/types";
import { canWrite, useAuth } from "../../auth";
import { CascadePrompt } from "../../components/CascadePrompt";
import { ErrorText } from "../../components/ErrorText";
import { SlaPanel } from "../../components/Sla";
import { PriorityPill, StatusPill } from "../../components/TicketBits";
import { CHANNEL_LABEL, PRIORITIES, PRIORITY_LABEL, STATUS_LABEL, allowedTargets } from "../../components/tickets";
import { formatDateTime } from "../../components/time";
import { patchTicket, useClients, useContact, useKnownStaff } from "./data";
import { ActivityPanel } from "./detail/ActivityPanel";
import { Conversation } from "./detail/Conversation";
import { LinkedPanel } from "./detail/LinkedPanel";
import { TimePanel } from "./detail/TimePanel";

export function useTicketDetail(id: string | undefined) {
  return useQuery({
    queryKey: ["ticket", id],
    queryFn: () => api.get<Detail>(`/tickets/${id}`),
    enabled: !!id,
    refetchInterval: 30_000,
  });
}

export function TicketDetail() {
  const { ticketId } = useParams();
  const { session } = useAuth();
  const writer = canWrite(session);
  const detail = useTicketDetail(ticketId);
  const [prompt, setPrompt] = useState<Prompt | null>(null);
  const t = detail.data;

  if (detail.error) {
    return (
      <div className="staff detail-page">
        <p>
          <Link to="/tickets">← Tickets</Link>
        </p>
        <ErrorText error={detail.error} testId="detail-error" />
      </div>
    );
  }
  if (!t) return <p>Loading…</p>;

  return (
    <div className="staff detail-page" data-testid="ticket-detail" data-status={t.status} data-version={t.version}>
      <p className="crumbs">
        <Link to="/board">Board</Link> · <Link to="/tickets">Tickets</Link>
      </p>
      <Header ticket={t} writer={writer} onCascadePrompt={setPrompt} />
      {prompt && (
        <CascadePrompt masterId={t.id} masterNumber={t.number} prompt={prompt} onClose={() => setPrompt(null)} />
      )}
      <div className="detail-grid">
        <div className="detail-main">
          <Conversation ticket={t} writer={writer} onCascadePrompt={setPrompt} />
          <ActivityPanel activity={t.activity ?? []} />
        </div>
        <aside className="detail-side">
          <SlaPanel sla={t.sla} />
          <LinkedPanel ticket={t} writer={writer} onCascadePrompt={setPrompt} />
          <TimePanel ticket={t} writer={writer} />
        </aside>
      </div>
    </div>
  );
}

function Header({
  ticket: t,
  writer,
  onCascadePrompt,
}: {
  ticket: Detail;
  writer: boolean;
  onCascadePrompt: (p: Prompt) => void;
}) {
  const qc = useQueryClient();
  const { session } = useAuth();
  const { byId: clients } = useClients();
  const contact = useContact(t.contact_id);
  const staff = useKnownStaff();
  const [assignee, setAssignee] = useState(t.assignee_id ?? "");
  useEffect(() => setAssignee(t.assignee_id ?? ""), [t.assignee_id]);
  const [notice, setNotice] = useState<string | null>(null);
  // Any write on this page (reply, note, time, links) re-reads the ticket before it settles; until
  // then the header's controls wait, so they never send a stale If-Match version.
  const busy = useIsMutating() > 0;
  const analysis = analysisOf(t);
  const suggested: Priority | null = t.suggested_priority ?? analysis?.suggested_priority ?? null;

  const patch = useMutation({
    mutationFn: (body: PatchTicketBody) => patchTicket(t.id, body, t.version),
    onMutate: () => setNotice(null),
    onSuccess: ({ cascade_prompt, ...ticket }) => {
      qc.setQueryData<Detail>(["ticket", t.id], (old) => (old ? { ...old, ...ticket } : old));
      if (cascade_prompt) onCascadePrompt(cascade_prompt);
    },
    onError: (e) => {
      if (e instanceof ApiError && e.status === 412) setNotice("The ticket was reloaded with the latest changes; try again.");
    },
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: ["board"] });
      void qc.invalidateQueries({ queryKey: ["tickets"] });
      return qc.invalidateQueries({ queryKey: ["ticket", t.id] });
    },
  });

  return (
    <header className="detail-head">
      <h1>
        <span className="num">#{t.number}</span> {t.subject}
      </h1>
      <p className="meta">
        {contact && (
          <>
            <span data-testid="contact">
              {contact.name}
              {contact.email ? ` <${contact.email}>` : contact.phone ? ` ${contact.phone}` : ""}
            </span>{" "}
            ·{" "}
          </>
        )}
        {clients.get(t.client_id)?.name ?? t.client_id} · {CHANNEL_LABEL[t.channel]} · created {formatDateTime(t.created_at)}
        {t.is_master && <span className="tag">Master · {t.child_count} children</span>}
      </p>
      <div className="controls">
        <div className="control">
          <span className="control-label" id="status-label">
            Status
          </span>
          {writer ? (
            <select
              aria-labelledby="status-label"
              value={t.status}
              onChange={(e) => patch.mutate({ status: e.target.value as Status })}
              disabled={busy}
              data-testid="status-select"
            >
              <option value={t.status}>{STATUS_LABEL[t.status]}</option>
              {allowedTargets(t.status).map((s) => (
                <option key={s} value={s}>
                  → {STATUS_LABEL[s]}
                </option>
              ))}
            </select>
          ) : (
            <StatusPill status={t.status} />
          )}
        </div>
        <div className="control">
          <span className="control-label" id="priority-label">
            Priority
          </span>
          {writer ? (
            <select
              aria-labelledby="priority-label"
              value={t.priority}
              onChange={(e) => patch.mutate({ priority: e.target.value as Priority })}
              disabled={busy}
              data-testid="priority-select"
            >
              {PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {PRIORITY_LABEL[p]}
                </option>
              ))}
            </select>
          ) : (
            <PriorityPill priority={t.priority} />
          )}
          {suggested && (
            <span
              className={`ai-suggestion${suggested === t.priority ? " agrees" : ""}`}
              data-testid="ai-suggestion"
              data-priority={suggested}
              title={analysis?.reasons.join("; ") || undefined}
            >
              AI suggests <strong>{PRIORITY_LABEL[suggested]}</strong>
              {analysis?.category ? ` (${analysis.category})` : ""}
              {suggested !== t.priority && writer && (
                <button
                  type="button"
                  className="link"
                  onClick={() => patch.mutate({ priority: suggested })}
                  disabled={busy}
                  data-testid="ai-suggestion-apply"
                >
                  Use it
                </button>
              )}
            </span>
          )}
        </div>
        <div className="control">
          <span className="control-label">Assignee</span>
          {writer ? (
            <form
              className="assign"
              onSubmit={(e) => {
                e.preventDefault();
                patch.mutate({ assignee_id: assignee.trim() || null });
              }}
            >
              <input
                aria-label="Assignee user id"
                list="detail-assignees"
                value={assignee}
                onChange={(e) => setAssignee(e.target.value)}
                placeholder="Unassigned"
                size={12}
                data-testid="assignee-input"
              />
              <datalist id="detail-assignees">
                {staff.map((u) => (
                  <option key={u} value={u} />
                ))}
              </datalist>
              <button type="submit" disabled={busy || assignee.trim() === (t.assignee_id ?? "")}>
                Assign
              </button>
              {session && t.assignee_id !== session.user_id && (
                <button
                  type="button"
                  className="link"
                  onClick={() => {
                    setAssignee(session.user_id);
                    patch.mutate({ assignee_id: session.user_id });
                  }}
                  disabled={busy}
                  data-testid="assign-me"
                >
                  Assign to me
                </button>
              )}
            </form>
          ) : (
            <span>{t.assignee_id ?? "Unassigned"}</span>
          )}
        </div>
      </div>
      <ErrorText error={patch.error} testId="patch-error" />
      {notice && <p className="notice">{notice}</p>}
      {t.description && <p className="description">{t.description}</p>}
    </header>
  );
}
