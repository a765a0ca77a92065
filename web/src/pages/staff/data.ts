// Data helpers shared by the staff screens (TanStack Query keys: "board", "tickets", "ticket", "clients").
import { useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { ClientPage, Client, Contact, LocalDemoUser, PatchTicketBody, PatchTicketResult } from "../../api/types";

/** Every client of the tenant (names for cards and rows, options for the client filter). */
export function useClients() {
  const q = useQuery({
    queryKey: ["clients"],
    queryFn: async () => {
      const all: Client[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 20; page++) {
        const res: ClientPage = await api.get<ClientPage>("/clients", { limit: 100, cursor });
        all.push(...res.items);
        cursor = res.next_cursor;
        if (!cursor) break;
      }
      return all.sort((a, b) => a.name.localeCompare(b.name));
    },
    staleTime: 60_000,
  });
  const byId = new Map((q.data ?? []).map((c) => [c.id, c]));
  return { clients: q.data ?? [], byId, error: q.error };
}

/** The ticket's contact (name and address for the header and the thread); null while unknown. */
export function useContact(id: string | null | undefined): Contact | null {
  const q = useQuery({
    queryKey: ["contact", id],
    queryFn: () => api.get<Contact>(`/contacts/${id}`),
    enabled: !!id,
    staleTime: 60_000,
  });
  return q.data ?? null;
}

/** Staff user ids to suggest for assignment. There is no users route; locally the demo users are known. */
export function useKnownStaff(): string[] {
  const q = useQuery({
    queryKey: ["local-demo"],
    queryFn: async () => {
      try {
        const r = await api.get<{ items: LocalDemoUser[] }>("/_local/demo");
        return r.items.filter((u) => u.role !== "customer").map((u) => u.user_id);
      } catch {
        return [];
      }
    },
    staleTime: Infinity,
  });
  return q.data ?? [];
}

/** PATCH /tickets/{id} guarded by the version the screen showed (412 when someone changed it since). */
export function patchTicket(id: string, body: PatchTicketBody, version: number) {
  return api.patch<PatchTicketResult>(`/tickets/${id}`, body, { "If-Match": String(version) });
}
