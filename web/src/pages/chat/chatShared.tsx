// What the customer's chat widget and the staff chat inbox share: the session queries and the
// message list.
import { useEffect, useRef } from "react";
import { useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { ChatMessageView, ChatSessionView, TicketView } from "../../api/types-portal-admin";
import { fmtTime } from "../admin/ui";

export const POLL_MS = 2_000;

export function sessionPath(id: string, rest = ""): string {
  return `/chat/sessions/${encodeURIComponent(id)}${rest}`;
}

/** One session with its messages, polled while it is active. */
export function useChatSession(id: string | null) {
  return useQuery({
    queryKey: ["chat", "session", id],
    enabled: !!id,
    queryFn: () => api.get<ChatSessionView>(sessionPath(id!)),
    refetchInterval: (q) => (q.state.error || q.state.data?.state === "ended" ? false : POLL_MS),
  });
}

/** The ticket an ended chat became (for its number). */
export function useTicket(id: string | null | undefined) {
  return useQuery({
    queryKey: ["chat", "ticket", id],
    enabled: !!id,
    queryFn: () => api.get<TicketView>(`/tickets/${encodeURIComponent(id!)}`),
    staleTime: 60_000,
  });
}

export function MessageList({
  messages,
  mine,
  label,
}: {
  messages: ChatMessageView[];
  mine: (m: ChatMessageView) => boolean;
  label: (m: ChatMessageView) => string;
}) {
  const end = useRef<HTMLLIElement>(null);
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: "nearest" });
  }, [messages.length]);
  return (
    <ol className="chat-log" aria-live="polite" aria-label="Messages" data-testid="chat-log">
      {messages.length === 0 && <li className="muted">No messages yet.</li>}
      {messages.map((m) => (
        <li key={m.id} className={`chat-msg ${mine(m) ? "chat-mine" : "chat-theirs"}`} data-testid="chat-message">
          <div className="chat-meta">
            {label(m)} · <time dateTime={m.created_at}>{fmtTime(m.created_at)}</time>
          </div>
          <div className="chat-body">{m.body}</div>
        </li>
      ))}
      <li ref={end} aria-hidden="true" className="chat-end-marker" />
    </ol>
  );
}
