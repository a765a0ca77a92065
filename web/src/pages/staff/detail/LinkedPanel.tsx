// Linked tickets: promote to master / demote, link and unlink children (by id or number), the
// master of a child, follow-ups, and a way to cascade a finished master's status to its children.
import { useState } from "react";
import { Link } from "react-router-dom";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../api/client";
import type { CascadePrompt, LinkChildrenBody, LinkResult, Ticket, TicketDetail, TicketPage } from "../../../api/types";
import { ErrorText } from "../../../components/ErrorText";
import { StatusPill } from "../../../components/TicketBits";
import { STATUS_LABEL, isDone } from "../../../components/tickets";
import { promptFor, useTickets } from "./links";

const NUMBER = /^#?(\d{1,9})$/;

/** Ticket numbers → ids, by paging the list (there is no lookup by number). */
async function resolveNumbers(numbers: number[]): Promise<Map<number, string>> {
  const found = new Map<number, string>();
  const wanted = new Set(numbers);
  let cursor: string | null = null;
  for (let page = 0; page < 50 && found.size < wanted.size; page++) {
    const res: TicketPage = await api.get<TicketPage>("/tickets", { limit: 100, cursor });
    for (const t of res.items) if (wanted.has(t.number)) found.set(t.number, t.id);
    cursor = res.next_cursor;
    if (!cursor) break;
  }
  return found;
}

function TicketRef({ ticket, fallback }: { ticket?: Ticket; fallback: string }) {
  if (!ticket) return <Link to={`/tickets/${fallback}`}>{fallback}</Link>;
  return (
    <>
      <Link to={`/tickets/${ticket.id}`}>
        #{ticket.number} {ticket.subject}
      </Link>{" "}
      <StatusPill status={ticket.status} />
    </>
  );
}

export function LinkedPanel({
  ticket: t,
  writer,
  onCascadePrompt,
}: {
  ticket: TicketDetail;
  writer: boolean;
  onCascadePrompt: (p: CascadePrompt) => void;
}) {
  const qc = useQueryClient();
  const links = t.links ?? { master: t.master_id, children: [], follow_up_of: t.follow_up_of, follow_ups: [] };
  const masterId = links.master ?? t.master_id;
  const followUpOf = links.follow_up_of ?? t.follow_up_of;
  const children = useTickets(links.children);
  const related = useTickets([masterId, followUpOf, ...links.follow_ups].filter((x): x is string => !!x));
  const byId = new Map([...children.tickets, ...related.tickets].map((x) => [x.id, x]));
  const [toLink, setToLink] = useState("");
  const [result, setResult] = useState<{ linked: string[]; rejected: { id: string; message: string }[] } | null>(null);

  // Pending until the tickets are re-read, so no other write goes out with a stale version.
  const refresh = (ids: string[] = []) => {
    void qc.invalidateQueries({ queryKey: ["board"] });
    void qc.invalidateQueries({ queryKey: ["tickets"] });
    return Promise.all([t.id, ...ids].map((id) => qc.invalidateQueries({ queryKey: ["ticket", id] })));
  };

  const promote = useMutation({ mutationFn: () => api.post(`/tickets/${t.id}/master`), onSettled: () => refresh() });
  const demote = useMutation({ mutationFn: () => api.del(`/tickets/${t.id}/master`), onSettled: () => refresh() });
  const unlink = useMutation({
    mutationFn: ({ master, child }: { master: string; child: string }) => api.del(`/tickets/${master}/children/${child}`),
    onSettled: (_r, _e, v) => refresh([v.master, v.child]),
  });
  const link = useMutation({
    mutationFn: async (text: string) => {
      const tokens = text.split(/[\s,;]+/).filter(Boolean);
      const numbers = tokens.map((x) => NUMBER.exec(x)).filter((m): m is RegExpExecArray => !!m).map((m) => Number(m[1]));
      const ids = await resolveNumbers(numbers);
      const unknown: { id: string; message: string }[] = [];
      const childIds: string[] = [];
      for (const token of tokens) {
        const m = NUMBER.exec(token);
        if (!m) childIds.push(token);
        else if (ids.has(Number(m[1]))) childIds.push(ids.get(Number(m[1]))!);
        else unknown.push({ id: token, message: `No ticket #${m[1]} found.` });
      }
      const res: LinkResult = childIds.length
        ? await api.post<LinkResult>(`/tickets/${t.id}/children`, { child_ids: childIds } satisfies LinkChildrenBody)
        : { linked: [], rejected: [] };
      return {
        linked: res.linked,
        rejected: [...unknown, ...res.rejected.map((r) => ({ id: r.id, message: r.message ?? r.reason }))],
      };
    },
    onSuccess: (r) => {
      setResult(r);
      if (r.linked.length) setToLink("");
      return refresh(r.linked);
    },
  });
  const error = promote.error ?? demote.error ?? unlink.error ?? link.error;

  return (
    <section className="panel" data-testid="linked-panel" aria-labelledby="linked-heading">
      <h2 id="linked-heading">Linked tickets</h2>
      {masterId && (
        <p data-testid="linked-master">
          Child of <TicketRef ticket={byId.get(masterId)} fallback={masterId} />
          {writer && (
            <button
              type="button"
              className="link"
              onClick={() => unlink.mutate({ master: masterId, child: t.id })}
              disabled={unlink.isPending}
              data-testid="unlink-from-master"
            >
              Unlink
            </button>
          )}
        </p>
      )}
      {t.is_master && (
        <>
          <h3>
            Master of {t.child_count} {t.child_count === 1 ? "child" : "children"}
          </h3>
          <ul className="children" data-testid="linked-children">
            {links.children.slice(0, 50).map((id) => {
              const c = byId.get(id);
              return (
                <li key={id} data-testid={c ? `child-${c.number}` : undefined} data-status={c?.status}>
                  <TicketRef ticket={c} fallback={id} />
                  {writer && (
                    <button
                      type="button"
                      className="link"
                      onClick={() => unlink.mutate({ master: t.id, child: id })}
                      disabled={unlink.isPending}
                      aria-label={`Unlink ${c ? `#${c.number}` : id}`}
                      data-testid={c ? `unlink-${c.number}` : undefined}
                    >
                      Unlink
                    </button>
                  )}
                </li>
              );
            })}
            {children.hidden > 0 && <li>…and {children.hidden} more</li>}
          </ul>
          {writer && (
            <form
              className="link-form"
              onSubmit={(e) => {
                e.preventDefault();
                if (toLink.trim()) link.mutate(toLink);
              }}
            >
              <label className="field">
                <span>Link children (ticket numbers or ids, comma separated)</span>
                <input value={toLink} onChange={(e) => setToLink(e.target.value)} placeholder="#12, 15" data-testid="link-input" />
              </label>
              <button type="submit" disabled={link.isPending || !toLink.trim()} data-testid="link-button">
                {link.isPending ? "Linking…" : "Link"}
              </button>
            </form>
          )}
          {result && (
            <div className="link-result" data-testid="link-result" role="status">
              {result.linked.length > 0 && <p>Linked {result.linked.length}.</p>}
              {result.rejected.map((r) => (
                <p key={r.id} className="error">
                  {r.id}: {r.message}
                </p>
              ))}
            </div>
          )}
          {writer && isDone(t.status) && t.child_count > 0 && (
            <button
              type="button"
              onClick={() => {
                const p = promptFor(t.status, children.tickets);
                onCascadePrompt({ ...p, eligible_children: t.child_count - p.skipped_children });
              }}
              disabled={children.pending}
              data-testid="cascade-open"
            >
              Cascade “{STATUS_LABEL[t.status]}” to children…
            </button>
          )}
          {writer && (
            <button
              type="button"
              onClick={() => demote.mutate()}
              disabled={demote.isPending || t.child_count > 0}
              title={t.child_count > 0 ? "Unlink every child first" : undefined}
              data-testid="demote-master"
            >
              Demote from master
            </button>
          )}
        </>
      )}
      {!t.is_master && !masterId && writer && (
        <button type="button" onClick={() => promote.mutate()} disabled={promote.isPending} data-testid="promote-master">
          Promote to master
        </button>
      )}
      {followUpOf && (
        <p data-testid="linked-follow-up-of">
          Follow-up of <TicketRef ticket={byId.get(followUpOf)} fallback={followUpOf} />
        </p>
      )}
      {links.follow_ups.length > 0 && (
        <div data-testid="linked-follow-ups">
          <h3>Follow-ups</h3>
          <ul>
            {links.follow_ups.map((id) => (
              <li key={id}>
                <TicketRef ticket={byId.get(id)} fallback={id} />
              </li>
            ))}
          </ul>
        </div>
      )}
      {!t.is_master && !masterId && !followUpOf && links.follow_ups.length === 0 && !writer && <p className="empty">None.</p>}
      <ErrorText error={error} testId="linked-error" />
    </section>
  );
}
