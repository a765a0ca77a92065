// Linked tickets of a detail page: each linked id fetched once (shared cache with the detail page).
import { useQueries } from "@tanstack/react-query";
import { api } from "../../../api/client";
import type { CascadePrompt, Status, Ticket, TicketDetail } from "../../../api/types";
import { isDone } from "../../../components/tickets";

const MAX_SHOWN = 50;

/** The tickets behind some ids (the first 50), in the order given; missing ones are left out. */
export function useTickets(ids: string[]) {
  const shown = ids.slice(0, MAX_SHOWN);
  const results = useQueries({
    queries: shown.map((id) => ({
      queryKey: ["ticket", id],
      queryFn: () => api.get<TicketDetail>(`/tickets/${id}`),
      staleTime: 10_000,
    })),
  });
  return {
    tickets: results.map((r) => r.data).filter((t): t is TicketDetail => !!t),
    pending: results.some((r) => r.isPending),
    errors: results.map((r) => r.error).filter(Boolean),
    hidden: Math.max(0, ids.length - shown.length),
  };
}

/** The cascade prompt for a master that just moved to `status`, counted from its children. */
export function promptFor(status: Status, children: Ticket[]): CascadePrompt {
  const skipped = children.filter((c) => isDone(c.status)).length;
  return { status, eligible_children: children.length - skipped, skipped_children: skipped };
}
