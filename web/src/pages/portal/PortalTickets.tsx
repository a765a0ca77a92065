// /portal: the customer's own tickets. GET /tickets as a customer returns only their client's
// tickets; the table shows only fields a customer may see (no SLA internals, no AI, no assignee).
import { useInfiniteQuery } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import { api } from "../../api/client";
import type { TicketPage } from "../../api/types";
import { ErrorBox, fmtTime, humanize, Loading, Pill } from "../admin/ui";

export function PortalTickets() {
  const q = useInfiniteQuery({
    queryKey: ["portal", "tickets"],
    queryFn: ({ pageParam }) => api.get<TicketPage>("/tickets", { limit: 25, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: 30_000,
  });
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <section className="portal" aria-labelledby="portal-title">
      <div className="page-head">
        <h1 id="portal-title">My tickets</h1>
        <Link className="button primary" to="/portal/new">
          New ticket
        </Link>
      </div>
      <ErrorBox error={q.error} />
      {q.isPending ? (
        <Loading what="your tickets" />
      ) : items.length === 0 && !q.error ? (
        <p className="empty" data-testid="portal-empty">
          You have no tickets yet. <Link to="/portal/new">Ask us for help</Link> or{" "}
          <Link to="/portal/chat">chat with us</Link>.
        </p>
      ) : (
        <table className="data-table" data-testid="portal-tickets">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Subject</th>
              <th scope="col">Status</th>
              <th scope="col">Priority</th>
              <th scope="col">Opened</th>
              <th scope="col">Last update</th>
            </tr>
          </thead>
          <tbody>
            {items.map((t) => (
              <tr key={t.id} data-testid={`portal-row-${t.number}`}>
                <td>{t.number}</td>
                <td>
                  <Link to={`/portal/tickets/${t.id}`}>{t.subject}</Link>
                </td>
                <td>
                  <Pill kind={t.status}>{humanize(t.status)}</Pill>
                </td>
                <td>
                  <Pill kind={t.priority}>{humanize(t.priority)}</Pill>
                </td>
                <td>{fmtTime(t.created_at)}</td>
                <td>{fmtTime(t.updated_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {q.hasNextPage && (
        <button type="button" onClick={() => q.fetchNextPage()} disabled={q.isFetchingNextPage}>
          {q.isFetchingNextPage ? "Loading…" : "Show more"}
        </button>
      )}
    </section>
  );
}
