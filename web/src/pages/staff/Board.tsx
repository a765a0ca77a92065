// The board: one column per status with counts; drag a card (pointer or keyboard) to change its
// status. Only the lifecycle's allowed targets accept a drop; the PATCH carries If-Match, and on
// 409/412 the card goes back and the API's message says why. A master moved to RESOLVED/CLOSED
// gets the cascade prompt. The board refetches every 30 s; SLA countdowns tick in the browser.
import { useMemo, useState } from "react";
import { Link, useNavigate } from "react-router-dom";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  DndContext,
  DragOverlay,
  KeyboardSensor,
  PointerSensor,
  pointerWithin,
  rectIntersection,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
  type Announcements,
  type CollisionDetection,
  type DragEndEvent,
  type DragStartEvent,
  type KeyboardCoordinateGetter,
} from "@dnd-kit/core";
import { ApiError, api } from "../../api/client";
import type { Board as BoardData, CascadePrompt as Prompt, Status, Ticket } from "../../api/types";
import { canWrite, useAuth } from "../../auth";
import { CascadePrompt } from "../../components/CascadePrompt";
import { ErrorText, errorMessage } from "../../components/ErrorText";
import { LiveSla } from "../../components/Sla";
import { PriorityPill } from "../../components/TicketBits";
import { STATUSES, STATUS_LABEL, allowedTargets, canMove, isDone } from "../../components/tickets";
import { patchTicket, useClients } from "./data";

const BOARD_KEY = ["board"];
const PER_COLUMN = 50;

type Message = { kind: "error" | "info"; text: string };

/** Arrow keys jump the dragged card to the centre of the next column left or right. */
const columnCoordinates: KeyboardCoordinateGetter = (event, { context, currentCoordinates }) => {
  const { collisionRect, droppableRects } = context;
  if (!collisionRect) return undefined;
  if (event.code === "ArrowUp" || event.code === "ArrowDown") {
    event.preventDefault();
    return currentCoordinates;
  }
  if (event.code !== "ArrowRight" && event.code !== "ArrowLeft") return undefined;
  event.preventDefault();
  const columns = STATUSES.map((s) => droppableRects.get(s)).filter((r): r is NonNullable<typeof r> => !!r);
  if (!columns.length) return undefined;
  const centre = collisionRect.left + collisionRect.width / 2;
  let index = columns.findIndex((r) => centre >= r.left && centre <= r.left + r.width);
  if (index < 0) {
    const dist = columns.map((r) => Math.abs(r.left + r.width / 2 - centre));
    index = dist.indexOf(Math.min(...dist));
  }
  const next = Math.min(columns.length - 1, Math.max(0, index + (event.code === "ArrowRight" ? 1 : -1)));
  const rect = columns[next];
  const top = Math.min(Math.max(currentCoordinates.y, rect.top + 8), Math.max(rect.top + 8, rect.top + rect.height - collisionRect.height - 8));
  return { x: rect.left + (rect.width - collisionRect.width) / 2, y: top };
};

/** The pointer's column when there is a pointer; the card's overlap otherwise (keyboard). */
const collision: CollisionDetection = (args) => {
  const hits = pointerWithin(args);
  return hits.length ? hits : rectIntersection(args);
};

function findTicket(board: BoardData | undefined, id: string | number | null): Ticket | undefined {
  if (!board || id === null) return undefined;
  for (const s of STATUSES) {
    const t = board.columns[s]?.items.find((x) => x.id === id);
    if (t) return t;
  }
  return undefined;
}

/** The board with `ticket` moved to `to` (optimistic; the refetch brings the truth). */
function withMove(board: BoardData, ticket: Ticket, to: Status): BoardData {
  const columns = { ...board.columns };
  const from = ticket.status;
  columns[from] = {
    ...columns[from],
    items: columns[from].items.filter((t) => t.id !== ticket.id),
    count: Math.max(0, columns[from].count - 1),
  };
  columns[to] = {
    ...columns[to],
    items: [{ ...ticket, status: to }, ...columns[to].items],
    count: columns[to].count + 1,
  };
  return { ...board, columns };
}

export function Board() {
  const { session } = useAuth();
  const writer = canWrite(session);
  const qc = useQueryClient();
  const board = useQuery({
    queryKey: BOARD_KEY,
    queryFn: () => api.get<BoardData>("/tickets/board", { limit: PER_COLUMN }),
    refetchInterval: 30_000,
  });
  const { byId: clients } = useClients();
  const [activeId, setActiveId] = useState<string | null>(null);
  const [message, setMessage] = useState<Message | null>(null);
  const [prompt, setPrompt] = useState<{ master: Ticket; prompt: Prompt } | null>(null);
  const active = findTicket(board.data, activeId);

  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 6 } }),
    useSensor(KeyboardSensor, {
      coordinateGetter: columnCoordinates,
      keyboardCodes: { start: ["Space"], cancel: ["Escape"], end: ["Space", "Enter"] },
    }),
  );

  const move = useMutation({
    mutationFn: ({ ticket, to }: { ticket: Ticket; to: Status }) => patchTicket(ticket.id, { status: to }, ticket.version),
    onMutate: async ({ ticket, to }) => {
      await qc.cancelQueries({ queryKey: BOARD_KEY });
      const before = qc.getQueryData<BoardData>(BOARD_KEY);
      if (before) qc.setQueryData(BOARD_KEY, withMove(before, ticket, to));
      return { before };
    },
    onError: (error, { ticket, to }, ctx) => {
      if (ctx?.before) qc.setQueryData(BOARD_KEY, ctx.before);
      setMessage({
        kind: "error",
        text:
          `#${ticket.number} stays in ${STATUS_LABEL[ticket.status]} (not moved to ${STATUS_LABEL[to]}): ${errorMessage(error)}` +
          (error instanceof ApiError && error.status === 412 ? " Someone changed it meanwhile; the board is refreshed, try again." : ""),
      });
    },
    onSuccess: (result, { ticket, to }) => {
      setMessage({ kind: "info", text: `#${ticket.number} moved to ${STATUS_LABEL[to]}.` });
      if (result.cascade_prompt) setPrompt({ master: result, prompt: result.cascade_prompt });
    },
    onSettled: (_r, _e, { ticket }) => {
      void qc.invalidateQueries({ queryKey: BOARD_KEY });
      void qc.invalidateQueries({ queryKey: ["tickets"] });
      void qc.invalidateQueries({ queryKey: ["ticket", ticket.id] });
    },
  });

  function onDragStart(e: DragStartEvent) {
    setActiveId(String(e.active.id));
    setMessage(null);
  }

  function onDragEnd(e: DragEndEvent) {
    setActiveId(null);
    const ticket = findTicket(board.data, e.active.id);
    const to = e.over?.id as Status | undefined;
    if (!ticket || !to || to === ticket.status) return;
    if (!canMove(ticket.status, to)) {
      const allowed = allowedTargets(ticket.status).map((s) => STATUS_LABEL[s]);
      setMessage({
        kind: "error",
        text: `#${ticket.number} cannot move from ${STATUS_LABEL[ticket.status]} to ${STATUS_LABEL[to]}; allowed: ${allowed.join(", ")}.`,
      });
      return;
    }
    move.mutate({ ticket, to });
  }

  const announcements: Announcements = useMemo(
    () => ({
      onDragStart: ({ active: a }) => {
        const t = findTicket(board.data, a.id);
        if (!t) return undefined;
        const allowed = allowedTargets(t.status).map((s) => STATUS_LABEL[s]);
        return `Picked up ticket ${t.number} in ${STATUS_LABEL[t.status]}. Allowed columns: ${allowed.join(", ")}.`;
      },
      onDragOver: ({ active: a, over }) => {
        const t = findTicket(board.data, a.id);
        if (!t || !over) return "Not over a column.";
        const to = over.id as Status;
        const ok = to === t.status || canMove(t.status, to);
        return `Over ${STATUS_LABEL[to]}${ok ? "" : ", not allowed"}.`;
      },
      onDragEnd: ({ active: a, over }) => {
        const t = findTicket(board.data, a.id);
        if (!t) return undefined;
        if (!over) return `Ticket ${t.number} returned to ${STATUS_LABEL[t.status]}.`;
        const to = over.id as Status;
        return canMove(t.status, to) ? `Ticket ${t.number} dropped in ${STATUS_LABEL[to]}.` : `Not allowed; ticket ${t.number} stays in ${STATUS_LABEL[t.status]}.`;
      },
      onDragCancel: ({ active: a }) => {
        const t = findTicket(board.data, a.id);
        return t ? `Cancelled; ticket ${t.number} stays in ${STATUS_LABEL[t.status]}.` : undefined;
      },
    }),
    [board.data],
  );

  return (
    <div className="staff board-page">
      <div className="page-head">
        <h1>Board</h1>
        <span className="hint">
          {writer
            ? "Drag a card to change its status. Keyboard: focus a card, Space to pick up, ←/→ to move, Space to drop, Esc to cancel."
            : "Read-only: you can look, not move."}
        </span>
        <span className="hint refreshed" aria-live="off">
          {board.dataUpdatedAt ? `Updated ${new Date(board.dataUpdatedAt).toLocaleTimeString()}` : ""}
        </span>
      </div>
      {message && (
        <p
          className={`notice ${message.kind === "error" ? "notice-error" : "notice-info"}`}
          data-testid="board-message"
          role={message.kind === "error" ? "alert" : "status"}
        >
          {message.text}{" "}
          <button type="button" className="link" onClick={() => setMessage(null)} aria-label="Dismiss message">
            Dismiss
          </button>
        </p>
      )}
      {prompt && (
        <CascadePrompt
          masterId={prompt.master.id}
          masterNumber={prompt.master.number}
          prompt={prompt.prompt}
          onClose={() => setPrompt(null)}
        />
      )}
      <ErrorText error={board.error} />
      {board.isPending && <p>Loading…</p>}
      {board.data && (
        <DndContext
          sensors={sensors}
          collisionDetection={collision}
          onDragStart={onDragStart}
          onDragEnd={onDragEnd}
          onDragCancel={() => setActiveId(null)}
          accessibility={{
            announcements,
            screenReaderInstructions: {
              draggable:
                "To move this ticket, press Space. Use the left and right arrow keys to go to another status column, Space to drop, Escape to cancel.",
            },
          }}
        >
          <div className="board" role="list" aria-label="Ticket board">
            {STATUSES.map((s) => (
              <Column
                key={s}
                status={s}
                column={board.data.columns[s] ?? { items: [], count: 0, next_cursor: null }}
                active={active}
                clientName={(id) => clients.get(id)?.name}
                draggable={writer}
              />
            ))}
          </div>
          <DragOverlay>
            {active ? (
              <article className={`card overlay${isDone(active.status) ? " muted" : ""}`} aria-hidden="true">
                <CardBody ticket={active} clientName={clients.get(active.client_id)?.name} overlay />
              </article>
            ) : null}
          </DragOverlay>
        </DndContext>
      )}
    </div>
  );
}

function Column({
  status,
  column,
  active,
  clientName,
  draggable,
}: {
  status: Status;
  column: BoardData["columns"][Status];
  active: Ticket | undefined;
  clientName: (id: string) => string | undefined;
  draggable: boolean;
}) {
  const { setNodeRef, isOver } = useDroppable({ id: status });
  const allowed = !active || active.status === status || canMove(active.status, status);
  const target = !!active && active.status !== status && allowed;
  const cls = [
    "column",
    isDone(status) ? "column-done" : "",
    active && !allowed ? "disallowed" : "",
    target ? "allowed" : "",
    isOver && target ? "over" : "",
    isOver && !allowed ? "over-refused" : "",
  ]
    .filter(Boolean)
    .join(" ");
  return (
    <section
      ref={setNodeRef}
      className={cls}
      data-testid={`column-${status}`}
      aria-labelledby={`col-${status}`}
      aria-disabled={active && !allowed ? true : undefined}
      role="listitem"
    >
      <h2 id={`col-${status}`} className="column-head">
        <span>{STATUS_LABEL[status]}</span>
        <span className="count" data-testid={`column-count-${status}`} aria-label={`${column.count} tickets`}>
          {column.count}
        </span>
      </h2>
      {active && !allowed && <p className="drop-note">Not allowed from {STATUS_LABEL[active.status]}</p>}
      <div className="cards">
        {column.items.map((t) => (
          <Card key={t.id} ticket={t} clientName={clientName(t.client_id)} draggable={draggable} />
        ))}
        {column.items.length === 0 && <p className="empty">No tickets</p>}
        {column.next_cursor && (
          <Link className="more" to={`/tickets?status=${status}`}>
            All {column.count} in the list →
          </Link>
        )}
      </div>
    </section>
  );
}

function Card({ ticket, clientName, draggable }: { ticket: Ticket; clientName?: string; draggable: boolean }) {
  const navigate = useNavigate();
  const { attributes, listeners, setNodeRef, isDragging } = useDraggable({ id: ticket.id, disabled: !draggable });
  const done = isDone(ticket.status);
  return (
    <article
      ref={setNodeRef}
      {...attributes}
      {...listeners}
      aria-roledescription="draggable ticket"
      aria-label={`Ticket ${ticket.number}: ${ticket.subject}, ${STATUS_LABEL[ticket.status]}`}
      onKeyDown={(e) => {
        if (e.key === "Enter" && e.target === e.currentTarget) {
          navigate(`/tickets/${ticket.id}`);
          return;
        }
        listeners?.onKeyDown?.(e);
      }}
      className={`card${done ? " muted" : ""}${isDragging ? " dragging" : ""}`}
      data-testid={`card-${ticket.number}`}
      data-status={ticket.status}
    >
      <CardBody ticket={ticket} clientName={clientName} />
    </article>
  );
}

function CardBody({ ticket, clientName, overlay = false }: { ticket: Ticket; clientName?: string; overlay?: boolean }) {
  const done = isDone(ticket.status);
  return (
    <>
      <div className="card-top">
        <span className="num">#{ticket.number}</span>
        <PriorityPill priority={ticket.priority} muted={done} />
        {ticket.is_master && <span className="tag">Master · {ticket.child_count}</span>}
        {ticket.master_id && <span className="tag">Child</span>}
      </div>
      <Link to={`/tickets/${ticket.id}`} className="subject" tabIndex={overlay ? -1 : 0} draggable={false}>
        {ticket.subject}
      </Link>
      <div className="card-meta">
        <span className="client">{clientName ?? "…"}</span>
        <span className="assignee">{ticket.assignee_id ?? "Unassigned"}</span>
      </div>
      <LiveSla sla={ticket.sla} muted={done} countdown={!done} />
    </>
  );
}
