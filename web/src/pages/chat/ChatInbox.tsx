// /chat (staff): the live chats (GET /chat/sessions?state=active|ended, latest activity first),
// one open beside the list (?session=<id>), a reply box, and "End chat", which shows the CHAT
// ticket the transcript became. Read-only staff read but cannot write.
import { useState } from "react";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router-dom";
import { api } from "../../api/client";
import { canWrite, useAuth } from "../../auth";
import type { ChatSessionPage, ChatSessionView } from "../../api/types";
import { ErrorBox, FieldError, fmtTime, Loading } from "../admin/ui";
import { ChatComposer, MessageList, sessionPath, useChatSession, useTicket } from "./chatShared";

type Tab = "active" | "ended";

export function ChatInbox() {
  const [params, setParams] = useSearchParams();
  const tab: Tab = params.get("state") === "ended" ? "ended" : "active";
  const selected = params.get("session");
  const select = (patch: Record<string, string | null>) => {
    const next = new URLSearchParams(window.location.search); // the latest, not the last render's
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) next.delete(k);
      else next.set(k, v);
    }
    setParams(next, { replace: true });
  };

  const list = useInfiniteQuery({
    queryKey: ["chat", "sessions", tab],
    queryFn: ({ pageParam }) => api.get<ChatSessionPage>("/chat/sessions", { state: tab, limit: 50, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: 5_000,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <section className="chat-inbox" aria-labelledby="inbox-title">
      <h1 id="inbox-title">Chats</h1>
      <div className="chat-columns">
        <nav className="chat-list" aria-label="Chat sessions">
          <div className="tabs" role="tablist">
            {(["active", "ended"] as Tab[]).map((t) => (
              <button
                key={t}
                role="tab"
                aria-selected={tab === t}
                className={tab === t ? "tab active" : "tab"}
                onClick={() => select({ state: t === "active" ? null : t })}
                data-testid={`chat-tab-${t}`}
              >
                {t === "active" ? "Active" : "Ended"}
              </button>
            ))}
          </div>
          <ErrorBox error={list.error} />
          {list.isPending ? (
            <Loading what="chats" />
          ) : items.length === 0 ? (
            <p className="muted" data-testid="chat-inbox-empty">
              {tab === "active" ? "No one is chatting right now." : "No ended chats."}
            </p>
          ) : (
            <ul>
              {items.map((s) => (
                <li key={s.id}>
                  <button
                    type="button"
                    className={`chat-item${s.id === selected ? " selected" : ""}`}
                    aria-current={s.id === selected ? "true" : undefined}
                    onClick={() => select({ session: s.id })}
                    data-testid={`chat-session-${s.id}`}
                  >
                    <strong>{s.name || s.email || "Visitor"}</strong>
                    <span className="muted">
                      {s.started_by} · {s.message_count} message{s.message_count === 1 ? "" : "s"}
                    </span>
                    <span className="muted">{fmtTime(s.last_activity_at)}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
          {list.hasNextPage && (
            <button type="button" onClick={() => list.fetchNextPage()} disabled={list.isFetchingNextPage}>
              More
            </button>
          )}
        </nav>
        <div className="chat-detail">
          {selected ? (
            <SessionPanel id={selected} />
          ) : (
            <p className="muted">Pick a chat on the left.</p>
          )}
        </div>
      </div>
    </section>
  );
}

function SessionPanel({ id }: { id: string }) {
  const { session: me } = useAuth();
  const writer = canWrite(me);
  const qc = useQueryClient();
  const chat = useChatSession(id);
  const [text, setText] = useState("");
  const s = chat.data;
  const refresh = () => {
    qc.invalidateQueries({ queryKey: ["chat", "session", id] });
    qc.invalidateQueries({ queryKey: ["chat", "sessions"] });
  };

  const send = useMutation({
    mutationFn: (body: string) => api.post(sessionPath(id, "/messages"), { body }),
    onSuccess: () => {
      setText("");
      refresh();
    },
  });
  const end = useMutation({
    mutationFn: () => api.post<ChatSessionView>(sessionPath(id, "/end")),
    onSuccess: (res) => {
      qc.setQueryData(["chat", "session", id], (old: ChatSessionView | undefined) => ({ ...old, ...res }));
      refresh();
    },
  });

  if (chat.isPending) return <Loading what="the chat" />;
  if (chat.error || !s) return <ErrorBox error={chat.error} />;

  const ended = s.state === "ended";
  return (
    <article aria-labelledby="chat-with" data-testid="chat-panel">
      <div className="page-head">
        <h2 id="chat-with">{s.name || s.email || "Visitor"}</h2>
        {!ended && writer && (
          <button type="button" data-testid="chat-end" onClick={() => end.mutate()} disabled={end.isPending}>
            {end.isPending ? "Ending…" : "End chat"}
          </button>
        )}
      </div>
      <p className="muted">
        {s.email && s.name ? `${s.email} · ` : ""}
        Started {fmtTime(s.created_at)} by a {s.started_by}
        {s.idle_at && !ended ? ` · ends by itself at ${fmtTime(s.idle_at)} if nobody writes` : ""}
      </p>
      <MessageList
        messages={s.messages ?? []}
        mine={(m) => m.author_type === "staff"}
        label={(m) =>
          m.author_type === "staff"
            ? m.author_id === me?.user_id
              ? "You"
              : m.author_name || m.author_id
            : m.author_name || s.name || s.email || m.author_type
        }
      />
      {ended ? (
        <EndedNote session={s} />
      ) : writer ? (
        <ChatComposer
          text={text}
          setText={setText}
          onSend={(t) => send.mutate(t)}
          pending={send.isPending}
          label="Reply"
          placeholder="Reply…"
          button="Send"
        />
      ) : (
        <p className="muted">Read-only: you can follow this chat but not answer.</p>
      )}
      <FieldError error={send.error} field="body" />
      <ErrorBox error={send.error} inlineFields={["body"]} />
      <ErrorBox error={end.error} />
    </article>
  );
}

function EndedNote({ session }: { session: ChatSessionView }) {
  const ticket = useTicket(session.ticket_id);
  return (
    <div className="notice" role="status" data-testid="chat-ended">
      Ended {fmtTime(session.ended_at)}
      {session.end_reason ? ` (${session.end_reason === "idle" ? "idle for 30 minutes" : `by the ${session.end_reason}`})` : ""}.{" "}
      {session.ticket_id ? (
        <>
          It became{" "}
          <Link to={`/tickets/${session.ticket_id}`} data-testid="chat-ticket-link">
            ticket #{ticket.data?.number ?? "…"}
          </Link>
          .
        </>
      ) : (
        "No ticket: the customer wrote nothing."
      )}
      <ErrorBox error={ticket.error} />
    </div>
  );
}
