// What the customer's chat widget and the staff chat inbox share: the session queries, the
// message list and the composer.
import { useEffect, useRef, type FormEvent } from "react";
import { useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { ChatMessageView, ChatSessionView, Ticket } from "../../api/types";
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
    queryFn: () => api.get<Ticket>(`/tickets/${encodeURIComponent(id!)}`),
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

/** The message box: Enter sends (Shift+Enter is a new line), blank text is never sent. */
export function ChatComposer({
  text,
  setText,
  onSend,
  pending,
  label,
  placeholder,
  button,
}: {
  text: string;
  setText: (text: string) => void;
  onSend: (text: string) => void;
  pending: boolean;
  label: string;
  placeholder: string;
  button: string;
}) {
  function submit(e: FormEvent) {
    e.preventDefault();
    if (text.trim()) onSend(text);
  }
  return (
    <form className="chat-form" onSubmit={submit}>
      <label htmlFor="chat-input" className="sr-only">
        {label}
      </label>
      <textarea
        id="chat-input"
        data-testid="chat-input"
        value={text}
        rows={2}
        placeholder={placeholder}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey) {
            e.preventDefault();
            if (text.trim() && !pending) onSend(text);
          }
        }}
      />
      <button type="submit" className="primary" data-testid="chat-send" disabled={pending || !text.trim()}>
        {button}
      </button>
    </form>
  );
}
