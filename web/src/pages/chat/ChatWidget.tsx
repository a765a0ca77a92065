// /portal/chat: the customer's live chat. The first message starts a session (POST /chat/sessions),
// later ones are posted to it; the session is polled for staff answers. Ending it (or 30 idle
// minutes) turns the transcript into a CHAT ticket: "Your chat became ticket #N".
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import { api } from "../../api/client";
import { useAuth } from "../../auth";
import type { ChatSessionView } from "../../api/types";
import { ErrorBox, FieldError, isNotFound } from "../admin/ui";
import { ChatComposer, MessageList, sessionPath, useChatSession, useTicket } from "./chatShared";

function storageKey(tenant: string, user: string) {
  return `regentra.chat.${tenant}.${user}`;
}

export function ChatWidget() {
  const { session: who } = useAuth();
  const skey = storageKey(who?.tenant_id ?? "", who?.user_id ?? "");
  const [sessionId, setSessionIdState] = useState<string | null>(() => localStorage.getItem(skey));
  const setSessionId = (id: string | null) => {
    if (id) localStorage.setItem(skey, id);
    else localStorage.removeItem(skey);
    setSessionIdState(id);
  };
  const qc = useQueryClient();
  const [text, setText] = useState("");
  const chat = useChatSession(sessionId);
  const s = chat.data;
  const ended = s?.state === "ended";

  const send = useMutation({
    mutationFn: async (body: string) => {
      if (!sessionId || ended) {
        const started = await api.post<ChatSessionView>("/chat/sessions", { message: body });
        return { started };
      }
      await api.post(sessionPath(sessionId, "/messages"), { body });
      return { started: null };
    },
    onSuccess: ({ started }) => {
      setText("");
      if (started) setSessionId(started.id);
      qc.invalidateQueries({ queryKey: ["chat", "session"] });
    },
  });

  const end = useMutation({
    mutationFn: () => api.post<ChatSessionView>(sessionPath(sessionId!, "/end")),
    onSuccess: (res) => qc.setQueryData(["chat", "session", sessionId], (old: ChatSessionView | undefined) => ({ ...old, ...res })),
  });


  // A session we remembered but may no longer read (another user, a reset local stack): start over.
  const lost = chat.error && isNotFound(chat.error);
  const active = !!s && !ended && !lost;

  return (
    <section className="chat-widget" aria-labelledby="chat-title">
      <div className="page-head">
        <h1 id="chat-title">Chat with us</h1>
        {active && (
          <button
            type="button"
            data-testid="chat-end"
            onClick={() => end.mutate()}
            disabled={end.isPending}
          >
            {end.isPending ? "Ending…" : "End chat"}
          </button>
        )}
      </div>
      {!sessionId || lost ? (
        <p className="muted">
          Type your question below and a technician will join. When you end the chat, it becomes a ticket you
          can follow in <Link to="/portal">My tickets</Link>.
        </p>
      ) : null}
      {chat.error && !lost && <ErrorBox error={chat.error} />}

      {s && !lost && (
        <MessageList
          messages={s.messages ?? []}
          mine={(m) => m.author_type === "customer"}
          label={(m) => (m.author_type === "customer" ? "You" : m.author_name || "Support")}
        />
      )}
      {active && s.messages && s.messages.every((m) => m.author_type !== "staff") && (
        <p className="muted" role="status">
          Waiting for a technician…
        </p>
      )}

      {ended && !lost && <Ended session={s} onNew={() => setSessionId(null)} />}

      {!ended && (
        <ChatComposer
          text={text}
          setText={setText}
          onSend={(t) => send.mutate(t)}
          pending={send.isPending}
          label="Message"
          placeholder={active ? "Write a message…" : "How can we help?"}
          button={active ? "Send" : "Start chat"}
        />
      )}
      <FieldError error={send.error} field={["body", "message"]} />
      <ErrorBox error={send.error} inlineFields={["body", "message"]} />
      <ErrorBox error={end.error} />
    </section>
  );
}

function Ended({ session, onNew }: { session: ChatSessionView; onNew: () => void }) {
  const ticket = useTicket(session.ticket_id);
  return (
    <div className="chat-ended notice" role="status" data-testid="chat-ended">
      {session.ticket_id ? (
        <p>
          {session.end_reason === "idle" ? "The chat ended after 30 quiet minutes. " : "Chat ended. "}
          Your chat became{" "}
          <Link to={`/portal/tickets/${session.ticket_id}`} data-testid="chat-ticket-link">
            ticket #{ticket.data?.number ?? "…"}
          </Link>
          .
        </p>
      ) : (
        <p>Chat ended. No ticket was created because you did not write anything.</p>
      )}
      <ErrorBox error={ticket.error} />
      <button type="button" onClick={onNew}>
        Start a new chat
      </button>
    </div>
  );
}
